import { describe, it, expect } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { makeContext, parseCodebook, parseConfig, parseNoteText, validateNote } from "../server/core/index.js";

const CONFIG = "study: T\npractices:\n  - id: Magenta\n";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = ["observation", "interview", "meeting", "conversation", "document", "memo"] as const;
const HEADINGS: Record<(typeof TYPES)[number], string[]> = {
  observation: ["Setting", "People present", "What happened", "Reflections"],
  interview: ["Context", "Key points", "Quotes (paraphrased)", "Reflections"],
  meeting: ["Attendees", "Agenda", "Discussion", "Decisions and actions", "Reflections"],
  conversation: ["Context", "What was said", "Reflections"],
  document: ["Document", "Summary", "Relevance"],
  memo: ["Analytic question", "Evidence", "Interpretation", "Assessment rationale"],
};

function render(text: string, type: string): string {
  return text
    .split("{{practice}}").join("Magenta")
    .split("{{date}}").join("2016-03-14")
    .split("{{type}}").join(type)
    .split("{{observer}}").join("NRC");
}

function splitFrontmatter(text: string): { yaml: string; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text);
  if (!m) throw new Error("no closed frontmatter block");
  return { yaml: m[1], body: m[2] };
}

describe("note templates", () => {
  for (const type of TYPES) {
    describe(type, () => {
      const file = join(root, "templates", `${type}.md`);

      it("exists and contains every placeholder token", () => {
        expect(existsSync(file)).toBe(true);
        const text = readFileSync(file, "utf8");
        for (const token of ["{{practice}}", "{{date}}", "{{type}}", "{{observer}}"]) {
          expect(text).toContain(token);
        }
      });

      it("renders to a note with valid frontmatter and the type's headings", () => {
        const text = render(readFileSync(file, "utf8"), type);
        expect(text).not.toMatch(/\{\{|\}\}/);
        const { yaml, body } = splitFrontmatter(text);
        const fm = parse(yaml);
        expect(fm).toBeTypeOf("object");
        expect(String(fm.practice)).toBe("Magenta");
        expect(String(fm.date)).toBe("2016-03-14");
        expect(fm.type).toBe(type);
        expect(fm.observer).toBe("NRC");
        // No placeholder values that would count as evidence: npt is left for the researcher, level empty.
        expect(fm.npt).toBeNull();
        expect(yaml).toMatch(/^npt:\s+#/m);
        expect(fm.level).toEqual([]);
        expect(fm.participants).toEqual([]);
        if (type === "memo") {
          expect(fm.assessment).toBeUndefined();
          expect(yaml).toMatch(/^#\s*assessment:/m);
        }
        const headings = body.split(/\r?\n/).filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#{1,6} /, "").trim());
        expect(headings).toEqual(HEADINGS[type]);
        // No inline codes in templates: nothing that could be code-unknown.
        expect(body.replace(/<!--[\s\S]*?-->/g, "")).not.toMatch(/(^|[\s(\[{"'])#[A-Za-z0-9]/m);
      });

      it("rendered and left unedited, is body-empty and excluded (field-missing npt); filled in, it is clean", () => {
        const ctx = makeContext(parseConfig(CONFIG).config!, parseCodebook("codes:\n  gp-buy-in:\n    label: GP buy-in\n").codebook, "2016-06-01");
        const unedited = render(readFileSync(file, "utf8"), type);
        const ds = validateNote(parseNoteText(unedited), ctx);
        expect(ds.map((d) => `${d.rule}:${d.severity}`).sort()).toEqual(["body-empty:warning", "field-missing:error"]);
        const filled = unedited.replace(/^npt:.*$/m, "npt: [coherence]").replace(/^(## .*)$/m, "$1\n\nThe partners agreed. #gp-buy-in");
        expect(validateNote(parseNoteText(filled), ctx)).toEqual([]);
      });
    });
  }

  it("snippets.json has one snippet per note type plus fn-code", () => {
    const snippets = JSON.parse(readFileSync(join(root, "templates", "snippets.json"), "utf8"));
    const prefixes = Object.values(snippets).map((s) => (s as { prefix: string }).prefix);
    for (const type of TYPES) expect(prefixes).toContain(`fn-${type}`);
    expect(prefixes).toContain("fn-code");
    for (const s of Object.values(snippets) as { prefix: string; body: string[] }[]) {
      if (s.prefix === "fn-code") continue;
      const body = s.body.join("\n");
      expect(body).toContain(`type: ${s.prefix.slice(3)}`);
      expect(body).toMatch(/^---\npractice: \$\{1:/);
    }
  });
});
