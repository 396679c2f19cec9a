// Creating notes and studies from templates (CLI `new` and `init`, the extension's New Note). Never overwrites.
import { existsSync, lstatSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { assertInside, isInside, makeDirInside, realPathOf, writeNew, writeNewFirstFree, WriteError } from "./safewrite.js";
import { findStudyRoot } from "./files.js";
import { DEFAULT_TYPES } from "./npt.js";
import { isRealDate } from "./config.js";
import { localToday } from "./validate.js";
import { readStudyText, StudyFileError } from "./studyfile.js";

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

/**
 * A YAML scalar for `value` as the whole value of a frontmatter key: plain when YAML reads it back as
 * the same string on one line, double-quoted otherwise (a newline, `key: value`, `#`, `yes`…), so a
 * value can never add keys or change type.
 */
export function yamlScalar(value: string): string {
  if (value === "") return "";
  const plain = stringifyYaml(value, { lineWidth: 0 }).replace(/\n$/, "");
  if (!plain.includes("\n") && !/^[|>]/.test(plain)) return plain;
  return stringifyYaml(value, { lineWidth: 0, defaultStringType: "QUOTE_DOUBLE" }).replace(/\n$/, "");
}

/**
 * Fills `{{practice}}`, `{{date}}`, `{{type}}` and `{{observer}}`. In the frontmatter a placeholder
 * that is a key's whole value becomes a YAML scalar (yamlScalar); one placed inside other YAML (a
 * list, quotes) takes only letters, digits, spaces, '.', '_' and '-', else Error (it could change the
 * YAML). In the body the text is put as is.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const fill = (text: string, inYaml: boolean) =>
    text.replace(/\{\{(practice|date|type|observer)\}\}/g, (_, k: string) => {
      const v = values[k] ?? "";
      if (inYaml && !/^[\p{L}\p{N} ._-]*$/u.test(v)) {
        throw new Error(`the template's frontmatter has {{${k}}} inside other YAML, where this value could change it; make {{${k}}} the whole value of a key.`);
      }
      return v;
    });
  const m = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(template);
  if (!m) return fill(template, false);
  const front = m[0].replace(/^([ \t]*[A-Za-z_][\w-]*:[ \t]*)\{\{(practice|date|type|observer)\}\}[ \t]*$/gm, (_, head: string, k: string) =>
    head + yamlScalar(values[k] ?? ""),
  );
  return fill(front, true) + fill(template.slice(m[0].length), false);
}

function fallbackTemplate(): string {
  return "---\npractice: {{practice}}\ndate: {{date}}\ntype: {{type}}\nnpt: coherence\nobserver: {{observer}}\n---\n\n## What happened\n\n## Reflections\n";
}

/**
 * Reads the study's own template `templates/<type>.md` when it exists. Reads only a regular file whose
 * real path is inside the study (never through a link to another place, never a FIFO: opened without
 * blocking); otherwise throws an Error with a one-line message.
 */
function readOwnTemplate(root: string, type: string): string | undefined {
  const file = join(root, "templates", `${type}.md`);
  const shown = `templates/${type}.md`;
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!isInside(root, file)) throw new Error(`refusing to read ${shown}: it is a symbolic link to ${realPathOf(file)}, outside the study.`);
  // Then the study's one safe reader: a regular file only, opened without blocking (never a FIFO).
  try {
    return readStudyText(root, shown);
  } catch (err) {
    if (err instanceof StudyFileError) throw new Error(err.message);
    throw err;
  }
}

/**
 * Creates notes/<practice>/<date>-<type>.md (adding -2, -3… when taken); returns its path and the
 * body's first line (0-based). The note is written whole or not at all and never replaces a file
 * (safewrite.ts); a folder that is a symbolic link out of the study is refused. Errors: Error or
 * WriteError, each with a one-line message.
 */
export function createNote(opts: NewNoteOptions): { path: string; line: number } {
  const type = opts.type ?? "observation";
  const date = opts.date ?? localToday();
  const types = opts.types ?? DEFAULT_TYPES;
  if (!SAFE_SEGMENT.test(opts.practice)) throw new Error(`'${opts.practice}' is not a valid practice id.`);
  if (!SAFE_SEGMENT.test(type) || !types.includes(type)) throw new Error(`'${type}' is not a note type of this study (${types.join(", ")}).`);
  if (!isRealDate(date)) throw new Error(`'${date}' is not a date YYYY-MM-DD.`);
  const builtIn = opts.templatesDir ?? builtInTemplatesDir();
  const builtInFile = builtIn ? join(builtIn, `${type}.md`) : "";
  const template = readOwnTemplate(opts.root, type) ?? (builtInFile && existsSync(builtInFile) ? readFileSync(builtInFile, "utf8") : fallbackTemplate());
  const observer = opts.observer ?? "";
  let text = renderTemplate(template, { practice: opts.practice, date, type, observer });
  if (opts.npt === false) text = text.replace(/^npt:[^\n]*\n(?:[ \t]+-[^\n]*\n)*/m, "");
  checkObserver(text, observer);
  const dir = join(opts.root, "notes", opts.practice);
  makeDirInside(opts.root, dir, `notes/${opts.practice}/`);
  const names = Array.from({ length: 9999 }, (_, i) => join(dir, `${date}-${type}${i === 0 ? "" : `-${i + 1}`}.md`));
  try {
    const path = writeNewFirstFree(names, text);
    return { path, line: bodyLine(text) };
  } catch (err) {
    if (err instanceof WriteError && err.code === "EEXIST") throw new Error("Too many notes with the same date and type.");
    throw err;
  }
}

/** A template that places the observer where YAML would read something else is refused, not written. */
function checkObserver(text: string, observer: string): void {
  if (!observer) return;
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m || !/^observer[ \t]*:/m.test(m[1])) return;
  let data: unknown;
  try {
    data = parseYaml(m[1]);
  } catch {
    data = undefined;
  }
  const got = data && typeof data === "object" ? (data as Record<string, unknown>).observer : undefined;
  if (got !== observer) throw new Error("the template's frontmatter cannot hold this --observer value as written; put {{observer}} as the whole value of a key.");
}

function bodyLine(text: string): number {
  const lines = text.split("\n");
  let close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === "---");
  if (close < 0) return 0;
  // The first line after the first heading below the frontmatter, else just after the frontmatter.
  for (let i = close + 1; i < lines.length; i++) if (/^#{1,6} /.test(lines[i])) return Math.min(i + 2, lines.length - 1);
  return Math.min(close + 2, lines.length - 1);
}

/** Thrown by initStudy for a folder inside an existing study: `root` is that study's folder. */
export class NestedStudyError extends Error {
  constructor(readonly root: string, dir: string) {
    super(`refusing to create a study inside the study at ${root}: a note belongs to its nearest study, so the outer study would stop seeing these notes.`);
  }
}

/**
 * Creates a study skeleton in `dir`: fieldnotes.yaml, codebook.yaml, notes/.gitkeep and a .gitignore
 * for `.fieldnotes/` and `node_modules/` (left as it is when one exists). Refuses (NestedStudyError)
 * inside an existing study (SPEC section 7), and (Error) when any file it would write exists. Each
 * file is written whole or not at all (safewrite.ts). Returns the files written, relative to `dir`.
 */
export function initStudy(dir: string, name = "My process evaluation"): string[] {
  const enclosing = findStudyRoot(dir);
  if (enclosing && realPathOf(enclosing) !== realPathOf(dir)) throw new NestedStudyError(enclosing, dir);
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
  const taken = Object.keys(files).filter((f) => lstatSync(join(dir, f), { throwIfNoEntry: false }));
  if (taken.length) throw new Error(`Refusing to overwrite ${taken.join(", ")} in ${dir}.`);
  const gitignore = !lstatSync(join(dir, ".gitignore"), { throwIfNoEntry: false });
  if (gitignore) files[".gitignore"] = "# fieldnotes: the cache holds note text; never commit it\n.fieldnotes/\nnode_modules/\n";
  const written: string[] = [];
  // fieldnotes.yaml last: a study exists only once everything else is in place.
  const order = [...Object.keys(files).filter((f) => f !== "fieldnotes.yaml"), "fieldnotes.yaml"];
  try {
    for (const rel of order) {
      const path = join(dir, rel);
      makeDirInside(dir, dirname(path), rel.includes("/") ? dirname(rel) + "/" : ".");
      assertInside(dir, path, rel);
      writeNew(path, files[rel]);
      written.push(rel);
    }
  } catch (err) {
    // All or nothing: remove what this call created (files it made exclusively a moment ago).
    for (const rel of written) rmSync(join(dir, rel), { force: true });
    throw err;
  }
  return written;
}
