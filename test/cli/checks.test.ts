// Checks of issue 9 over the CLI as a process: all config problems at once, codebooks with long
// parent chains and cycles, Markdown files no glob takes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASIC_CONFIG, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

interface JsonReport {
  files: { file: string; diagnostics: { rule: string; severity: string; message: string; range: { start: { line: number; character: number } } }[] }[];
}
const diagnosticsOf = (report: JsonReport, file: string) => report.files.find((f) => f.file === file)?.diagnostics ?? [];

describe("fieldnotes.yaml: every problem at once", () => {
  it("reports a missing codebook (at the configured path) together with the other errors", async () => {
    // `codebook.yaml` exists but the configured `cb.yaml` does not; `practices` is broken too.
    const config = "study: X\ncodebook: cb.yaml\npractices: []\n";
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { config });
    const r = await runCli(["check", "--format", "json"], root);
    expect(r.code).toBe(2);
    const ds = diagnosticsOf(JSON.parse(r.stdout), "fieldnotes.yaml");
    expect(ds.map((d) => [d.rule, d.range.start.line]).sort()).toEqual([["config-invalid", 1], ["config-invalid", 2]]);
    expect(ds.find((d) => d.range.start.line === 1)!.message).toMatch(/'cb\.yaml' does not exist/);
    const text = await runCli(["check"], root);
    expect(text.stderr + text.stdout).toMatch(/fieldnotes\.yaml:2:1: error config-invalid: The codebook file 'cb\.yaml' does not exist/);
    expect(text.stderr + text.stdout).toMatch(/fieldnotes\.yaml:3:1: error config-invalid: `practices` is required/);
  });
});

describe("an unedited `fieldnotes new` note", () => {
  it("is body-empty, and carries no placeholder evidence: it is excluded until npt is written", async () => {
    const root = makeStudy({});
    for (const type of ["observation", "meeting", "memo"]) {
      const made = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "--type", type], root);
      expect(made.code).toBe(0);
    }
    const r = await runCli(["check", "--format", "json"], root);
    const report: JsonReport = JSON.parse(r.stdout);
    expect(report.files.map((f) => f.file)).toEqual(["notes/Magenta/2016-03-14-meeting.md", "notes/Magenta/2016-03-14-memo.md", "notes/Magenta/2016-03-14-observation.md"]);
    for (const f of report.files) expect(f.diagnostics.map((d) => d.rule).sort()).toEqual(["body-empty", "field-missing"]);
    const summary = JSON.parse((await runCli(["report"], root)).stdout);
    expect(summary.totals).toMatchObject({ notes: 3, included: 0, excluded: 3 });
    expect(summary.practices.find((p: { id: string }) => p.id === "Magenta").levels).toEqual({ patient: 0, practice: 0, community: 0 });
  });
});

describe("codebooks of 10,000 codes linked by parent", () => {
  const n = 10_000;
  const ids = Array.from({ length: n }, (_, i) => `code-${i}`);
  const codebook = (parent: (i: number) => string | undefined) =>
    "codes:\n" + ids.map((id, i) => `  ${id}:\n    label: Code ${i}\n${parent(i) ? `    parent: ${parent(i)}\n` : ""}`).join("");

  it("one cycle through all of them: checked, the cycle reported once, at the first code's parent", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE.replace("#shared-learning", "#code-7") }, { codebook: codebook((i) => ids[(i + 1) % n]) });
    const r = await runCli(["check", "--format", "json"], root, 120_000);
    expect(r.code).toBe(1);
    const ds = diagnosticsOf(JSON.parse(r.stdout), "codebook.yaml");
    expect(ds.map((d) => [d.rule, d.range.start])).toEqual([["codebook-reference", { line: 3, character: 12 }]]);
    expect(ds[0].message).toMatch(/'code-0' form a cycle .*\(10000 codes\)/);
  }, 150_000);

  it("one chain of 10,000 parents: checked, nothing to report", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE.replace("#shared-learning", "#code-9999") }, { codebook: codebook((i) => (i + 1 < n ? ids[i + 1] : undefined)) });
    const r = await runCli(["check", "--format", "json"], root, 120_000);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([]);
  }, 150_000);
});

describe("identifier-suspected over the CLI", () => {
  it("flags the new kinds in body and frontmatter, never prints their text, and honours identifiers.allow and disable comments", async () => {
    const body = [
      "Dr Jane Smith met us at 12 High Street.",
      "CHI 1403561230, NI QQ 12 34 56 C, DOB 14/03/1956.",
      "Dr Foster is the practice's fictional mascot.",
      "<!-- fieldnotes-disable-next-line identifier-suspected -->",
      "Mrs Patel (judged: a public figure).",
      "",
    ].join("\n");
    const text = `---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\nobserver: Dr Morag Brown\nparticipants: [Mr Khan, gp]\n---\n\n${body}`;
    const root = makeStudy({ "notes/Magenta/a.md": text }, { config: BASIC_CONFIG + 'identifiers: { allow: ["Dr Foster"] }\n' });
    const r = await runCli(["check", "--format", "json"], root);
    expect(r.code).toBe(0); // warnings only
    const ds = diagnosticsOf(JSON.parse(r.stdout), "notes/Magenta/a.md");
    expect(ds.map((d) => `${d.range.start.line}:${d.rule}`)).toEqual([
      "4:identifier-suspected", "5:identifier-suspected",
      "8:identifier-suspected", "8:identifier-suspected",
      "9:identifier-suspected", "9:identifier-suspected", "9:identifier-suspected",
    ]);
    const textOut = await runCli(["check"], root);
    for (const out of [r.stdout, textOut.stdout, textOut.stderr]) {
      for (const secret of ["Jane", "Smith", "High Street", "1403561230", "QQ 12", "14/03/1956", "Morag", "Khan", "\"suspect\""]) expect(out).not.toContain(secret);
    }
    expect((await runCli(["check", "--max-warnings", "0"], root)).code).toBe(1);
  });
});

describe("file-unmatched", () => {
  it("lists each Markdown file that neither notes nor ignore takes, as information on fieldnotes.yaml", async () => {
    const config = BASIC_CONFIG.replace('notes: ["notes/**/*.md"]', 'notes: ["notes/**/*.md"]\nignore: ["notes/drafts/**", "archive/*.md"]');
    const root = makeStudy({
      "notes/Magenta/a.md": GOOD_NOTE,
      "notes/Magenta/b.markdown": GOOD_NOTE, // not *.md
      "interviews/Cobalt/c.md": GOOD_NOTE, // outside notes/
      "notes/drafts/d.md": "draft", // ignored
      "archive/e.md": "old", // ignored
      "README.md": "# Study", // always ignored
      "docs/README.md": "# Docs", // always ignored, at any depth
      "templates/observation.md": "---\n---\n", // always ignored
      ".obsidian/x.md": "x", // dot folder
      "node_modules/pkg/y.md": "y",
      "notes/Magenta/photo.jpg": "jpg", // not Markdown
    }, { config });
    const r = await runCli(["check", "--format", "json"], root);
    expect(r.code, r.stdout.slice(0, 2000)).toBe(0);
    const ds = diagnosticsOf(JSON.parse(r.stdout), "fieldnotes.yaml");
    expect(ds.map((d) => [d.rule, d.severity, d.range.start.line])).toEqual([["file-unmatched", "information", 2], ["file-unmatched", "information", 2]]);
    expect(ds[0].message).toMatch(/^'interviews\/Cobalt\/c\.md' is Markdown in the study that no `notes` glob takes/);
    expect(ds[1].message).toMatch(/^'notes\/Magenta\/b\.markdown' /);
    const text = await runCli(["check"], root);
    expect(text.stdout).toMatch(/1 note checked: 0 errors, 0 warnings, 2 information/);
  });
});
