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
