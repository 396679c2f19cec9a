// The workbench requests (SPEC section 10: fieldnotes/codes, fieldnotes/summary; fieldnotes/noteSegments
// and CodeLens for the editor's margin and codebook) over a real stdio connection, including unsaved
// editor text and bad parameters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import type { CodeLens } from "vscode-languageserver-protocol";
import { GOOD_NOTE, REPO, makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const COBALT = note("practice: Cobalt\ndate: 2016-04-02\nnpt: coherence", "First paragraph #gp-buy-in.\n\nSecond\nparagraph #shared-learning #gp-buy-in\n");

interface CodeRow {
  id: string;
  label: string | null;
  parent: string | null;
  deprecated: boolean;
  npt: string | null;
  notes: number;
  segments: number;
}

describe("fieldnotes/codes, fieldnotes/summary, fieldnotes/noteSegments, codeLens", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT });
    c = await startClient({ folders: [s.root] });
  });
  afterAll(async () => {
    if (c.child.exitCode === null) c.child.kill();
    s.cleanup();
  });

  const codes = async (uri: string) => (await c.conn.sendRequest<{ codes: CodeRow[] }>("fieldnotes/codes", { uri })).codes;

  it("lists every code in codebook order with notes and segments summed over practices", async () => {
    const rows = await codes(pathToFileURL(s.root).href);
    expect(rows.map((r) => r.id)).toEqual(["gp-buy-in", "shared-learning", "old-code"]);
    // gp-buy-in: good.md (frontmatter + inline, 1 segment) and b.md (2 segments) → 2 notes, 3 segments.
    expect(rows[0]).toEqual({ id: "gp-buy-in", label: "GP buy-in", parent: null, deprecated: false, npt: "cognitive-participation/initiation", notes: 2, segments: 3 });
    expect(rows[1]).toMatchObject({ id: "shared-learning", parent: "gp-buy-in", notes: 2, segments: 2 });
    expect(rows[2]).toMatchObject({ id: "old-code", deprecated: true, notes: 0, segments: 0 });
  });

  it("answers for any file of the study, and agrees with the summary", async () => {
    const rows = await codes(s.uri("notes/Cobalt/b.md"));
    const summary = await c.conn.sendRequest<{ practices: { id: string; codes: Record<string, { notes: number; segments: number }> }[] }>("fieldnotes/summary", { uri: s.uri("codebook.yaml") });
    const fromSummary = (id: string) => summary.practices.reduce((n, p) => n + (p.codes[id]?.segments ?? 0), 0);
    for (const r of rows) expect(r.segments).toBe(fromSummary(r.id));
    expect(summary.practices.map((p) => p.id)).toEqual(["Magenta", "Cobalt"]);
  });

  it("reflects unsaved editor text, and the saved text again after closing", async () => {
    const uri = s.uri("notes/Cobalt/b.md");
    c.open(uri, COBALT);
    c.change(uri, 2, [{ text: COBALT.replace("Second\nparagraph #shared-learning #gp-buy-in", "Second paragraph, uncoded.") }]);
    await waitFor(async () => (await codes(uri))[0].segments === 2, "gp-buy-in down to 2 segments from unsaved text");
    const summary = await c.conn.sendRequest<{ practices: { id: string; codes: Record<string, { segments: number }> }[] }>("fieldnotes/summary", { uri });
    expect(summary.practices.find((p) => p.id === "Cobalt")!.codes["shared-learning"]).toBeUndefined();
    const marks = await c.conn.sendRequest<{ segments: { line: number; endLine: number; constructs: string[] }[] }>("fieldnotes/noteSegments", { uri });
    expect(marks.segments).toHaveLength(1);
    c.close(uri);
    await waitFor(async () => (await codes(uri))[0].segments === 3, "back to the saved text");
  });

  it("gives a note's coded segments with their lines and constructs", async () => {
    const marks = await c.conn.sendRequest<{ segments: { line: number; endLine: number; codes: string[]; constructs: string[] }[] }>("fieldnotes/noteSegments", { uri: s.uri("notes/Cobalt/b.md") });
    // Frontmatter is lines 1-5, blank line 6: the paragraphs start at lines 7 and 9.
    expect(marks.segments).toEqual([
      { line: 7, endLine: 7, codes: ["gp-buy-in"], constructs: ["cognitive-participation"] },
      { line: 9, endLine: 10, codes: ["shared-learning", "gp-buy-in"], constructs: ["cognitive-participation"] },
    ]);
  });

  it("puts a lens with the code's use above each code in codebook.yaml", async () => {
    const uri = s.uri("codebook.yaml");
    const lenses = await c.conn.sendRequest<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
    expect(lenses.map((l) => l.command!.title)).toEqual(["2 notes · 3 segments", "2 notes · 2 segments", "0 notes · 0 segments"]);
    expect(lenses[0].range.start.line).toBe(1);
    expect(lenses[0].command!.command).toBe("fieldnotes.showSegments");
    expect(lenses[0].command!.arguments).toEqual([{ root: s.root, code: "gp-buy-in" }]);
    const none = await c.conn.sendRequest<CodeLens[]>("textDocument/codeLens", { textDocument: { uri: s.uri("notes/Cobalt/b.md") } });
    expect(none).toEqual([]);
  });

  it("fieldnotes/segments answers as `fieldnotes query` does, and follows unsaved text", async () => {
    type Seg = { file: string; line: number; codes: string[]; practice: string };
    const ask = (filters: Record<string, string[]>, extra: object = {}) =>
      c.conn.sendRequest<{ total: number; segments: Seg[] }>("fieldnotes/segments", { uri: pathToFileURL(s.root).href, filters, ...extra });
    for (const filters of [{}, { code: ["gp-buy-in"] }, { code: ["shared-learning"], practice: ["Cobalt"] }, { under: ["gp-buy-in"] }]) {
      const args = Object.entries(filters).flatMap(([k, vs]) => vs.flatMap((v) => [`--${k}`, v]));
      const cli = JSON.parse(execFileSync(process.execPath, [join(REPO, "bin/fieldnotes.js"), "query", s.root, ...args, "--format", "json"], { encoding: "utf8" }));
      expect(await ask(filters), JSON.stringify(filters)).toEqual(cli);
    }
    const page = await ask({ code: ["gp-buy-in"] }, { limit: 1, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.segments).toHaveLength(1);
    const uri = s.uri("notes/Magenta/good.md");
    c.open(uri, GOOD_NOTE);
    c.change(uri, 2, [{ text: GOOD_NOTE.replace("#shared-learning #gp-buy-in", "#shared-learning") }]);
    await waitFor(async () => (await ask({ code: ["gp-buy-in"] })).total === 2, "one gp-buy-in segment fewer from unsaved text");
    c.close(uri);
    await waitFor(async () => (await ask({ code: ["gp-buy-in"] })).total === 3, "back to the saved text");
  });

  it("fieldnotes/segments refuses a bad filter, value or limit with InvalidParams naming it", async () => {
    const uri = pathToFileURL(s.root).href;
    for (const [params, pattern] of [
      [{ uri, filters: { cod: ["gp-buy-in"] } }, /cod/],
      [{ uri, filters: { code: ["gp-buyin"] } }, /gp-buyin.*gp-buy-in/],
      [{ uri, filters: { from: ["2016-02-30"] } }, /2016-02-30/],
      [{ uri, filters: { code: [3] } }, /'code' must be a list of strings/],
      [{ uri, filters: [] }, /'filters' must be an object/],
      [{ uri, limit: 10001 }, /'limit' must be a whole number from 0 to 10000/],
      [{ uri, offset: -1 }, /'offset'/],
    ] as const) {
      const err = await c.conn.sendRequest("fieldnotes/segments", params).then(() => undefined, (e: { code: number; message: string }) => e);
      expect(err, JSON.stringify(params)).toBeDefined();
      expect(err!.code).toBe(-32602);
      expect(err!.message).toMatch(pattern);
    }
  });

  it("fieldnotes/summary as of a date counts only the notes dated on or before it", async () => {
    type S = { practices: { id: string; notes: number }[] };
    const uri = pathToFileURL(s.root).href;
    const before = await c.conn.sendRequest<S>("fieldnotes/summary", { uri, asOf: "2016-03-31" });
    expect(before.practices.map((p) => [p.id, p.notes])).toEqual([["Magenta", 1], ["Cobalt", 0]]);
    const after = await c.conn.sendRequest<S>("fieldnotes/summary", { uri, asOf: "2016-04-02" });
    expect(after.practices.map((p) => [p.id, p.notes])).toEqual([["Magenta", 1], ["Cobalt", 1]]);
    const err = await c.conn.sendRequest("fieldnotes/summary", { uri, asOf: "2016-02-30" }).then(() => undefined, (e: { code: number; message: string }) => e);
    expect(err!.code).toBe(-32602);
    expect(err!.message).toMatch(/2016-02-30/);
  });

  it("refuses bad parameters with InvalidParams naming the value", async () => {
    for (const [params, pattern] of [
      [{}, /needs 'uri'/],
      [{ uri: 42 }, /needs 'uri'/],
      [{ uri: "untitled:Untitled-1" }, /'untitled:Untitled-1' is not a file: URI/],
      [{ uri: pathToFileURL("/").href }, /is not in a study/],
    ] as const) {
      const err = await c.conn.sendRequest("fieldnotes/codes", params).then(() => undefined, (e: { code: number; message: string }) => e);
      expect(err, JSON.stringify(params)).toBeDefined();
      expect(err!.code).toBe(-32602);
      expect(err!.message).toMatch(pattern);
    }
    const notANote = await c.conn.sendRequest("fieldnotes/noteSegments", { uri: s.uri("codebook.yaml") }).then(() => undefined, (e: { code: number; message: string }) => e);
    expect(notANote!.code).toBe(-32602);
    expect(notANote!.message).toMatch(/is not a note/);
  });
});
