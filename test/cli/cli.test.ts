// The CLI as a process (SPEC section 7): exit codes, text and JSON output, report, new, init, help, cache.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study } from "../../server/core/index.js";
import { BASIC_CONFIG, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli, tempDir } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

const BAD_NOTE = [
  "---",
  "practice: Magenta",
  "date: 2016-03-14",
  "npt: [coherance]",
  "---",
  "",
  "Text with an unknown tag #gp-buyin here.",
  "",
].join("\n");

const WARNING_NOTE = [
  "---",
  "practice: Magenta",
  "date: 2014-03-14", // outside the period: one warning
  "npt: coherence",
  "---",
  "",
  "Something happened. #old-code", // deprecated: a second warning
  "",
].join("\n");

describe("check: exit codes", () => {
  it("0 for a clean study, with a one-line count", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const r = await runCli(["check"], root);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("1 note checked: 0 errors, 0 warnings, 0 information.");
  });

  it("1 when a note has errors", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Magenta/b.md": BAD_NOTE });
    const r = await runCli(["check", root]);
    expect(r.code).toBe(1);
  });

  it("--max-warnings: 1 when warnings exceed N, 0 when within", async () => {
    const root = makeStudy({ "notes/Magenta/w.md": WARNING_NOTE });
    expect((await runCli(["check", root])).code).toBe(0);
    expect((await runCli(["check", root, "--max-warnings", "2"])).code).toBe(0);
    const over = await runCli(["check", root, "--max-warnings", "1"]);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/2 warnings exceed --max-warnings 1/);
    expect((await runCli(["check", root, "--max-warnings", "0"])).code).toBe(1);
  });

  it("2 for usage errors: unknown option, bad --format, bad --max-warnings, extra arguments", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    for (const args of [["check", "--bogus"], ["check", "--format", "xml"], ["check", "--max-warnings", "many"], ["check", root, root]]) {
      const r = await runCli(args, root);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/fieldnotes check: /);
    }
  });

  it("2 for an unknown command, with the usage", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).toMatch(/Usage:/);
  });

  it("2 with a clear message when there is no study", async () => {
    const dir = tempDir();
    for (const cmd of [["check"], ["report"], ["new", "--practice", "Magenta"]]) {
      const r = await runCli(cmd, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/No fieldnotes\.yaml found/);
      expect(r.stderr).toMatch(/not a fieldnotes study/);
    }
  });

  it("2 for an invalid config, printing the located config-invalid diagnostics", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { config: "study: Broken\npractices: []\n" });
    const check = await runCli(["check"], root);
    expect(check.code).toBe(2);
    expect(check.stdout + check.stderr).toMatch(/fieldnotes\.yaml:2:1: error config-invalid: /);
    const report = await runCli(["report"], root);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/fieldnotes\.yaml:2:1: error config-invalid: /);
  });

  it("2 when the codebook file is missing (config-invalid on the codebook key)", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { config: BASIC_CONFIG + "codebook: nowhere.yaml\n", codebook: null });
    const r = await runCli(["check", "--format", "json"], root);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    const cfg = report.files.find((f: { file: string }) => f.file === "fieldnotes.yaml");
    expect(cfg.diagnostics[0].rule).toBe("config-invalid");
    expect(cfg.diagnostics[0].range.start).toEqual({ line: BASIC_CONFIG.split("\n").length - 1, character: 0 });
  });
});

describe("check: output", () => {
  it("text: path:line:column: severity rule: message, 1-based, path relative to the cwd", async () => {
    const root = makeStudy({ "notes/Magenta/b.md": BAD_NOTE });
    const inRoot = await runCli(["check"], root);
    const lines = inRoot.stdout.trim().split("\n");
    expect(lines).toEqual([
      "notes/Magenta/b.md:4:7: error npt-unknown: 'coherance' is not an NPT construct or sub-construct. Did you mean 'coherence'?",
      "notes/Magenta/b.md:7:26: error code-unknown: '#gp-buyin' is not a code in the codebook. Did you mean 'gp-buy-in'? Or add it to the codebook.",
      "1 note checked: 2 errors, 0 warnings, 0 information.",
    ]);
    // From a sub-folder of the study, paths are relative to the cwd.
    const sub = await runCli(["check"], join(root, "notes", "Magenta"));
    expect(sub.stdout.split("\n")[0]).toMatch(/^b\.md:4:7: error npt-unknown: /);
    // From outside, with PATH.
    const parent = join(root, "..");
    const outside = await runCli(["check", root], parent);
    const rel = root.slice(parent.length + 1);
    expect(outside.stdout.split("\n")[0]).toBe(`${rel}/notes/Magenta/b.md:4:7: error npt-unknown: 'coherance' is not an NPT construct or sub-construct. Did you mean 'coherence'?`);
  });

  it("json: the diagnostics report shape, equal to the in-process report", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Magenta/b.md": BAD_NOTE, "notes/Magenta/w.md": WARNING_NOTE });
    const r = await runCli(["check", root, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(["counts", "files"]);
    expect(report.counts).toEqual({ error: 2, warning: 2, information: 0 });
    expect(report.files.map((f: { file: string }) => f.file)).toEqual(["notes/Magenta/b.md", "notes/Magenta/w.md"]);
    for (const f of report.files) {
      expect(Object.keys(f).sort()).toEqual(["diagnostics", "file"]);
      for (const d of f.diagnostics) {
        expect(["error", "warning", "information"]).toContain(d.severity);
        expect(typeof d.rule).toBe("string");
        expect(typeof d.message).toBe("string");
        expect(Object.keys(d.range).sort()).toEqual(["end", "start"]);
      }
    }
    expect(report.files[0].diagnostics[0]).toMatchObject({
      rule: "npt-unknown",
      severity: "error",
      range: { start: { line: 3, character: 6 }, end: { line: 3, character: 15 } },
    });
    const study = await Study.open(root, { cache: false });
    expect(report).toEqual(JSON.parse(JSON.stringify(study.diagnosticsReport())));
  });
});

describe("report", () => {
  it("--format json prints the Summary", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Magenta/b.md": BAD_NOTE });
    const r = await runCli(["report", "--format", "json"], root);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.study).toBe("Test study");
    expect(s.totals).toEqual({ notes: 2, included: 1, excluded: 1, practices: 2 });
    expect(s.excluded).toEqual([{ file: "notes/Magenta/b.md", rules: ["code-unknown", "npt-unknown"] }]);
    expect(s.practices.map((p: { id: string }) => p.id)).toEqual(["Magenta", "Cobalt"]);
    expect(s.practices[0].codes).toEqual({ "shared-learning": { notes: 1, segments: 1 } });
    expect(s.practices[0].constructs.coherence).toMatchObject({ notes: 1, codedSegments: 1 });
    // json is the default format
    const d = await runCli(["report"], root);
    expect(JSON.parse(d.stdout).totals).toEqual(s.totals);
  });

  it("--out writes the file; a bad --format is a usage error", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const out = join(root, "summary.json");
    const r = await runCli(["report", "--out", out], root);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).totals.notes).toBe(1);
    expect((await runCli(["report", "--format", "pdf"], root)).code).toBe(2);
  });
});

describe("report --format csv --by segment", () => {
  it("one row per coded segment and code of the included notes, as GET /api/segments.csv", async () => {
    const twoCodes = GOOD_NOTE.replace(/#shared-learning/, "#shared-learning #old-code");
    const root = makeStudy({ "notes/Magenta/a.md": twoCodes, "notes/Magenta/b.md": BAD_NOTE });
    const r = await runCli(["report", "--format", "csv", "--by", "segment"], root);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split(/\r?\n/).map((l) => l.split(","));
    expect(rows[0].slice(0, 3)).toEqual(["file", "line", "practice"]);
    const code = rows[0].indexOf("code");
    // The excluded note (b.md) gives no rows; a.md's segment gives one row per code.
    expect(rows.slice(1).map((row) => [row[0], row[code]])).toEqual([
      ["notes/Magenta/a.md", "shared-learning"],
      ["notes/Magenta/a.md", "old-code"],
    ]);
    const { segmentsCsv } = await import("../../server/report/index.js");
    const study = await Study.open(root, { cache: false });
    expect(r.stdout).toBe(segmentsCsv(study));
  });

  it("--by segment with another format, or an unknown --by, is a usage error", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const md = await runCli(["report", "--format", "md", "--by", "segment"], root);
    expect(md.code).toBe(2);
    expect(md.stderr).toMatch(/--by segment applies only to --format csv/);
    expect((await runCli(["report", "--format", "csv", "--by", "paragraph"], root)).code).toBe(2);
  });
});

describe("new", () => {
  it("creates notes/<practice>/<date>-<type>.md, prints the path, adds -2 when taken, never overwrites", async () => {
    const root = makeStudy({});
    const first = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "--type", "meeting"], root);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe("notes/Magenta/2016-03-14-meeting.md");
    const text = readFileSync(join(root, "notes/Magenta/2016-03-14-meeting.md"), "utf8");
    expect(text).toMatch(/^---\n/);
    expect(text).toMatch(/practice: Magenta/);
    expect(text).toMatch(/date: 2016-03-14/);
    const second = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "--type", "meeting"], root);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe("notes/Magenta/2016-03-14-meeting-2.md");
    // A user's file at the next name is never touched.
    writeFileSync(join(root, "notes/Magenta/2016-03-14-meeting-3.md"), "mine");
    const third = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "--type", "meeting"], root);
    expect(third.stdout.trim()).toBe("notes/Magenta/2016-03-14-meeting-4.md");
    expect(readFileSync(join(root, "notes/Magenta/2016-03-14-meeting-3.md"), "utf8")).toBe("mine");
    expect(readFileSync(join(root, "notes/Magenta/2016-03-14-meeting.md"), "utf8")).toBe(text);
  });

  it("defaults: today's date and observation; the new note passes check apart from its content", async () => {
    const root = makeStudy({});
    const r = await runCli(["new", "--practice", "Cobalt"], root);
    expect(r.code).toBe(0);
    const now = new Date();
    const p = (n: number) => String(n).padStart(2, "0");
    expect(r.stdout.trim()).toBe(`notes/Cobalt/${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-observation.md`);
  });

  it("2 for an unknown practice, a missing --practice, a bad type or date; nothing is written", async () => {
    const root = makeStudy({});
    for (const args of [["new", "--practice", "Nowhere"], ["new"], ["new", "--practice", "Magenta", "--type", "poem"], ["new", "--practice", "Magenta", "--date", "2016-02-30"]]) {
      const r = await runCli(args, root);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect(existsSync(join(root, "notes"))).toBe(false);
  });
});

describe("init", () => {
  it("creates a skeleton that checks clean, and refuses a second time (exit 2, files unchanged)", async () => {
    const dir = tempDir();
    const r = await runCli(["init"], dir);
    expect(r.code).toBe(0);
    for (const f of ["fieldnotes.yaml", "codebook.yaml", "notes"]) expect(existsSync(join(dir, f))).toBe(true);
    expect((await runCli(["check"], dir)).code).toBe(0);
    const before = readFileSync(join(dir, "fieldnotes.yaml"), "utf8");
    writeFileSync(join(dir, "fieldnotes.yaml"), before + "# edited by the user\n");
    const again = await runCli(["init"], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/fieldnotes\.yaml/);
    expect(readFileSync(join(dir, "fieldnotes.yaml"), "utf8")).toBe(before + "# edited by the user\n");
  });

  it("init DIR creates the folder; refuses when only fieldnotes.yaml exists and writes nothing else", async () => {
    const base = tempDir();
    const r = await runCli(["init", "study"], base);
    expect(r.code).toBe(0);
    expect(existsSync(join(base, "study", "fieldnotes.yaml"))).toBe(true);
    const other = join(base, "other");
    mkdirSync(other);
    writeFileSync(join(other, "fieldnotes.yaml"), "study: Mine\n");
    const refused = await runCli(["init", other], base);
    expect(refused.code).toBe(2);
    expect(readdirSync(other)).toEqual(["fieldnotes.yaml"]);
    expect(readFileSync(join(other, "fieldnotes.yaml"), "utf8")).toBe("study: Mine\n");
  });
});

describe("help", () => {
  for (const cmd of ["check", "report", "serve", "lsp", "new", "init"]) {
    it(`${cmd} --help exits 0 and shows its usage`, async () => {
      const r = await runCli([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`fieldnotes ${cmd}`);
    });
  }
  it("--help lists every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of ["check", "report", "serve", "lsp", "new", "init"]) expect(r.stdout).toContain(`fieldnotes ${cmd}`);
  });
});

describe("cache", () => {
  it("a run leaves .fieldnotes/.gitignore holding *; --no-cache writes nothing", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    expect((await runCli(["check", "--no-cache"], root)).code).toBe(0);
    expect(existsSync(join(root, ".fieldnotes"))).toBe(false);
    expect((await runCli(["report", "--no-cache"], root)).code).toBe(0);
    expect(existsSync(join(root, ".fieldnotes"))).toBe(false);
    expect((await runCli(["check"], root)).code).toBe(0);
    const ignore = readFileSync(join(root, ".fieldnotes", ".gitignore"), "utf8");
    expect(ignore.split(/\r?\n/)).toContain("*");
    expect(readdirSync(join(root, ".fieldnotes", "cache")).length).toBeGreaterThan(0);
  });

  it("an edited note is re-read on the next run (no stale cache)", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    expect((await runCli(["check"], root)).code).toBe(0);
    writeFileSync(join(root, "notes/Magenta/a.md"), GOOD_NOTE.replace("#shared-learning", "#no-such-code"));
    const r = await runCli(["check"], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/code-unknown/);
  });
});
