// Creating notes and studies from templates (CLI `new` and `init`, the extension's New Note). Never overwrites.
import { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, closeSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TYPES } from "./npt.js";
import { isRealDate } from "./config.js";
import { localToday } from "./validate.js";
import { readStudyText } from "./studyfile.js";

/** The package's built-in templates folder (found upwards from this module: works from sources and dist). */
export function builtInTemplatesDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "templates", "observation.md"))) return join(dir, "templates");
    dir = dirname(dir);
  }
  return undefined;
}

export interface NewNoteOptions {
  root: string;
  practice: string;
  type?: string;
  date?: string;
  observer?: string;
  /** Built-in templates; `<root>/templates/<type>.md` wins when present. */
  templatesDir?: string;
  /** Allowed types (the study's `types`); defaults to the six standard ones. */
  types?: string[];
  /** False for a study with `integration: false`: the template's `npt:` line is left out (SPEC section 11). */
  npt?: boolean;
}

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(practice|date|type|observer)\}\}/g, (_, k: string) => values[k] ?? "");
}

function fallbackTemplate(): string {
  return "---\npractice: {{practice}}\ndate: {{date}}\ntype: {{type}}\nnpt: coherence\nobserver: {{observer}}\n---\n\n## What happened\n\n## Reflections\n";
}

/** Creates notes/<practice>/<date>-<type>.md (adding -2, -3… when taken); returns its path and the body's first line (0-based). */
export function createNote(opts: NewNoteOptions): { path: string; line: number } {
  const type = opts.type ?? "observation";
  const date = opts.date ?? localToday();
  const types = opts.types ?? DEFAULT_TYPES;
  if (!SAFE_SEGMENT.test(opts.practice)) throw new Error(`'${opts.practice}' is not a valid practice id.`);
  if (!SAFE_SEGMENT.test(type) || !types.includes(type)) throw new Error(`'${type}' is not a note type of this study (${types.join(", ")}).`);
  if (!isRealDate(date)) throw new Error(`'${date}' is not a date YYYY-MM-DD.`);
  const own = join(opts.root, "templates", `${type}.md`);
  const builtIn = opts.templatesDir ?? builtInTemplatesDir();
  const templateFile = [own, builtIn ? join(builtIn, `${type}.md`) : ""].find((f) => f && existsSync(f));
  const template = templateFile === own ? readStudyText(opts.root, `templates/${type}.md`) : templateFile ? readFileSync(templateFile, "utf8") : fallbackTemplate();
  let text = renderTemplate(template, { practice: opts.practice, date, type, observer: opts.observer ?? "" });
  if (opts.npt === false) text = text.replace(/^npt:[^\n]*\n(?:[ \t]+-[^\n]*\n)*/m, "");
  const dir = join(opts.root, "notes", opts.practice);
  mkdirSync(dir, { recursive: true });
  for (let n = 1; n < 10000; n++) {
    const path = join(dir, `${date}-${type}${n === 1 ? "" : `-${n}`}.md`);
    let fd: number;
    try {
      fd = openSync(path, "wx"); // exclusive create: never overwrites, even in a race
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw err;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return { path, line: bodyLine(text) };
  }
  throw new Error("Too many notes with the same date and type.");
}

function bodyLine(text: string): number {
  const lines = text.split("\n");
  let close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === "---");
  if (close < 0) return 0;
  // The first line after the first heading below the frontmatter, else just after the frontmatter.
  for (let i = close + 1; i < lines.length; i++) if (/^#{1,6} /.test(lines[i])) return Math.min(i + 2, lines.length - 1);
  return Math.min(close + 2, lines.length - 1);
}

/** Creates a study skeleton in `dir`; refuses when any file it would write exists. Returns the files written. */
export function initStudy(dir: string, name = "My process evaluation"): string[] {
  const files: Record<string, string> = {
    "fieldnotes.yaml": [
      `study: ${JSON.stringify(name)}`,
      `period: { start: ${localToday().slice(0, 4)}-01-01, end: ${Number(localToday().slice(0, 4)) + 1}-12-31 }`,
      'notes: ["notes/**/*.md"]',
      "codebook: codebook.yaml",
      "practices:",
      "  - id: Magenta",
      "    name: Practice Magenta",
      "    listSize: 5000",
      "    training: false",
      "# participants:            # optional: the people met, by pseudonym, with attributes",
      "#   - id: LW01",
      "#     role: link-worker",
      "# integration: false       # for a study without the NPT integration judgement (npt optional)",
      "",
    ].join("\n"),
    "codebook.yaml": [
      "codes:",
      "  gp-buy-in:",
      "    label: GP buy-in",
      "    description: GPs actively support and champion the programme.",
      "    npt: cognitive-participation/initiation",
      "",
    ].join("\n"),
    "notes/.gitkeep": "",
  };
  const taken = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (taken.length) throw new Error(`Refusing to overwrite ${taken.join(", ")} in ${dir}.`);
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text, { flag: "wx" });
    written.push(rel);
  }
  return written;
}
