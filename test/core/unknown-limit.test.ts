// A note with more unknown inline codes than are listed one by one (validate.ts, MAX_UNKNOWN_LISTED):
// the first ones each get their code-unknown with did-you-mean; one more error, at the first unlisted
// tag, says how many more there are. Through `fieldnotes check --format json`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTemp, ensureBuilt, makeStudy, runCli } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

const LISTED = 1000;

describe("unknown inline codes past the listing limit", () => {
  it("lists the first 1,000 one by one and says how many more there are, at the first one not listed", async () => {
    const tags = Array.from({ length: LISTED + 25 }, (_, i) => `Point ${i} #zz-unknown-${i}`);
    const body = tags.join("\n\n");
    const root = makeStudy({ "notes/Magenta/many.md": `---\npractice: Magenta\ndate: 2016-03-14\nnpt: [coherence]\n---\n\n${body}\n` });
    const r = await runCli(["check", root, "--format", "json"]);
    expect(r.code).toBe(1);
    const file = JSON.parse(r.stdout).files.find((f: { file: string }) => f.file === "notes/Magenta/many.md");
    const unknown = file.diagnostics.filter((d: { rule: string }) => d.rule === "code-unknown");
    expect(unknown).toHaveLength(LISTED + 1);
    // Listed ones name their code; the last says how many more, where the first unlisted tag is.
    expect(unknown[LISTED - 1].message).toContain(`#zz-unknown-${LISTED - 1}`);
    const last = unknown[LISTED];
    expect(last.message).toMatch(/^25 more inline codes are not in the codebook from here on \(only the first 1,000 are listed one by one\)\.$/);
    expect(last.range.start.line).toBe(6 + 2 * LISTED);
  }, 60_000);

  it("a known code between them is still checked (a deprecated one still warns)", async () => {
    const body = [...Array.from({ length: LISTED + 3 }, (_, i) => `Point ${i} #zz-unknown-${i}`), "Last. #old-code"].join("\n\n");
    const codebook = "codes:\n  gp-buy-in:\n    label: GP buy-in\n  old-code:\n    label: Old\n    deprecated: true\n    replacedBy: gp-buy-in\n";
    const root = makeStudy({ "notes/Magenta/many.md": `---\npractice: Magenta\ndate: 2016-03-14\nnpt: [coherence]\n---\n\n${body}\n` }, { codebook });
    const r = await runCli(["check", root, "--format", "json"]);
    const file = JSON.parse(r.stdout).files.find((f: { file: string }) => f.file === "notes/Magenta/many.md");
    expect(file.diagnostics.filter((d: { rule: string }) => d.rule === "code-deprecated")).toHaveLength(1);
    expect(file.diagnostics.filter((d: { rule: string }) => d.rule === "code-unknown").at(-1).message).toMatch(/^3 more inline codes/);
  }, 60_000);
});
