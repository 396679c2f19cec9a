// Protocol tests: the real server (`node bin/fieldnotes.js lsp --stdio`, built to dist/) with a real
// JSON-RPC client over its stdio, as any editor's LSP client would drive it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CodeAction, CompletionList, Hover, Location, WorkspaceEdit, TextDocumentEdit } from "vscode-languageserver-protocol";
import { CODEBOOK, CONFIG, GOOD_NOTE, makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const BROKEN = note("practice: Magentaa\ndate: 2016-03-14\nnpt: coherence\ncodes: [gp-buy-inn]", "Text with #unknown-tag here.\n");

describe("push client (no pull support)", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy({
      "notes/Magenta/good.md": GOOD_NOTE,
      "notes/Magenta/broken.md": BROKEN,
      "README.md": "# Readme\n\nNot a note #not-a-code\n",
    });
    c = await startClient({ folders: [s.root] });
  });
  afterAll(async () => {
    if (c.child.exitCode === null) c.child.kill();
    s.cleanup();
  });

  it("publishes diagnostics for notes that are not open, with rule ids and data", async () => {
    const uri = s.uri("notes/Magenta/broken.md");
    const ds = await waitFor(() => c.published.get(uri), "diagnostics of the broken note");
    const rules = ds.map((d) => d.code).sort();
    expect(rules).toEqual(["code-unknown", "code-unknown", "practice-unknown"]);
    for (const d of ds) expect(d.source).toBe("fieldnotes");
    const practice = ds.find((d) => d.code === "practice-unknown")!;
    expect(practice.range).toEqual({ start: { line: 1, character: 10 }, end: { line: 1, character: 18 } });
    expect((practice.data as { suggestions: string[] }).suggestions).toEqual(["Magenta"]);
    expect(c.published.has(s.uri("notes/Magenta/good.md"))).toBe(false);
    expect(c.published.has(s.uri("README.md"))).toBe(false);
  });

  it("registers file watchers dynamically", async () => {
    await waitFor(() => c.registrations.length > 0, "registration");
    expect(JSON.stringify(c.registrations)).toContain("workspace/didChangeWatchedFiles");
  });

  it("re-checks an edited open note (incremental sync)", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    c.open(uri, GOOD_NOTE);
    // Change `Magenta` on line 1 to `Magent`: delete one character.
    c.change(uri, 2, [{ range: { start: { line: 1, character: 16 }, end: { line: 1, character: 17 } }, text: "" }]);
    const ds = await waitFor(() => c.published.get(uri)?.length && c.published.get(uri), "diagnostics after the edit");
    expect(ds.map((d) => d.code)).toEqual(["practice-unknown"]);
    c.change(uri, 3, [{ range: { start: { line: 1, character: 16 }, end: { line: 1, character: 16 } }, text: "a" }]);
    await waitFor(() => c.published.get(uri)?.length === 0, "diagnostics cleared");
  });

  it("completes codes after # with the editor's text", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    const text = GOOD_NOTE + "More #sha";
    c.change(uri, 4, [{ text }]);
    const line = text.split("\n").length - 1;
    const list = (await c.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: { line, character: 9 } })) as CompletionList;
    const item = list.items.find((i) => i.label === "shared-learning")!;
    expect(item).toBeDefined();
    expect(item.textEdit).toEqual({ range: { start: { line, character: 6 }, end: { line, character: 9 } }, newText: "shared-learning" });
    const deprecated = list.items.find((i) => i.label === "old-code")!;
    expect(deprecated.tags).toEqual([1]);
    c.change(uri, 5, [{ text: GOOD_NOTE }]);
  });

  it("hovers a code with its label, NPT mapping and use counts", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    const h = (await c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 7, character: 72 } })) as Hover;
    const value = (h.contents as { value: string }).value;
    expect(value).toContain("GP buy-in");
    expect(value).toContain("cognitive-participation/initiation");
    expect(value).toContain("Used in 1 note, 1 coded segment");
  });

  it("goes to a code's definition and a practice's definition", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    const code = (await c.conn.sendRequest("textDocument/definition", { textDocument: { uri }, position: { line: 4, character: 10 } })) as Location;
    expect(code).toEqual({ uri: s.uri("codebook.yaml"), range: { start: { line: 1, character: 2 }, end: { line: 1, character: 11 } } });
    const practice = (await c.conn.sendRequest("textDocument/definition", { textDocument: { uri }, position: { line: 1, character: 12 } })) as Location;
    expect(practice.uri).toBe(s.uri("fieldnotes.yaml"));
    expect(practice.range.start.line).toBe(4);
  });

  it("finds references across notes and the codebook", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    const refs = (await c.conn.sendRequest("textDocument/references", {
      textDocument: { uri },
      position: { line: 4, character: 10 },
      context: { includeDeclaration: true },
    })) as Location[];
    const where = refs.map((r) => `${r.uri.slice(s.uri("").length)}:${r.range.start.line}:${r.range.start.character}`);
    expect(where).toEqual(["/codebook.yaml:1:2", "/codebook.yaml:7:12", "/notes/Magenta/good.md:4:8", "/notes/Magenta/good.md:7:69"]);
  });

  it("renames a code over the codebook and every note; refuses invalid and existing ids", async () => {
    const uri = s.uri("notes/Magenta/good.md");
    const prep = await c.conn.sendRequest("textDocument/prepareRename", { textDocument: { uri }, position: { line: 7, character: 72 } });
    expect(prep).toEqual({ range: { start: { line: 7, character: 69 }, end: { line: 7, character: 78 } }, placeholder: "gp-buy-in" });
    const edit = (await c.conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: { line: 7, character: 72 }, newName: "gp-support" })) as WorkspaceEdit;
    const changes = edit.documentChanges as TextDocumentEdit[];
    const files = changes.map((d) => d.textDocument.uri.slice(s.uri("").length)).sort();
    expect(files).toEqual(["/codebook.yaml", "/notes/Magenta/good.md"]);
    const noteEdit = changes.find((d) => d.textDocument.uri === uri)!;
    expect(noteEdit.textDocument.version).toBeGreaterThan(0);
    expect(noteEdit.edits).toHaveLength(2);
    await expect(c.conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: { line: 7, character: 72 }, newName: "Bad Id" })).rejects.toThrow(/not a valid code id/);
    await expect(c.conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: { line: 7, character: 72 }, newName: "shared-learning" })).rejects.toThrow(/already has a code/);
  });

  it("offers quick fixes for a broken note", async () => {
    const uri = s.uri("notes/Magenta/broken.md");
    const ds = c.published.get(uri)!;
    const d = ds.find((x) => x.code === "practice-unknown")!;
    const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    expect(actions.map((a) => a.title)).toEqual(["Change to 'Magenta'"]);
    expect(actions[0].edit!.documentChanges).toEqual([{ textDocument: { uri, version: null }, edits: [{ range: d.range, newText: "Magenta" }] }]);
    const inline = ds.find((x) => x.code === "code-unknown" && x.range.start.line === 7)!;
    const more = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: inline.range, context: { diagnostics: [inline] } })) as CodeAction[];
    const add = more.find((a) => a.title === "Add 'unknown-tag' to the codebook")!;
    expect(add.edit!.documentChanges).toEqual([
      { textDocument: { uri: s.uri("codebook.yaml"), version: null }, edits: [{ range: { start: { line: 12, character: 0 }, end: { line: 12, character: 0 } }, newText: "  unknown-tag:\n    label: Unknown tag\n" }] },
    ]);
  });

  it("answers workspace symbols for codes and practices", async () => {
    const syms = (await c.conn.sendRequest("workspace/symbol", { query: "gpb" })) as { name: string }[];
    expect(syms.map((x) => x.name)).toEqual(["gp-buy-in"]);
    const practices = (await c.conn.sendRequest("workspace/symbol", { query: "cobalt" })) as { name: string }[];
    expect(practices.map((x) => x.name)).toEqual(["Cobalt"]);
  });

  it("picks up files changed on disk and deleted notes lose their diagnostics", async () => {
    const uri = s.uri("notes/Magenta/broken.md");
    s.write("notes/Magenta/broken.md", GOOD_NOTE);
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: 2 }] });
    await waitFor(() => c.published.get(uri)?.length === 0, "diagnostics cleared after the fix on disk");
    const added = s.uri("notes/Cobalt/new.md");
    s.write("notes/Cobalt/new.md", note("practice: Cobalt\ndate: 2016-03-14\nnpt: cohrence"));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: added, type: 1 }] });
    const ds = await waitFor(() => c.published.get(added), "diagnostics of a created note");
    expect(ds.map((d) => d.code)).toEqual(["npt-unknown"]);
    rmSync(join(s.root, "notes/Cobalt/new.md"));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: added, type: 3 }] });
    await waitFor(() => c.published.get(added)?.length === 0, "diagnostics cleared for a deleted note");
  });

  it("re-validates notes when the codebook changes on disk", async () => {
    const uri = s.uri("notes/Magenta/broken.md");
    s.write("codebook.yaml", CODEBOOK.replace("  gp-buy-in:", "  gp-buy-inx:").replace("parent: gp-buy-in", "parent: gp-buy-inx"));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: s.uri("codebook.yaml"), type: 2 }] });
    const ds = await waitFor(() => c.published.get(uri)?.length && c.published.get(uri), "code-unknown after the codebook change");
    expect(ds.map((d) => d.code)).toContain("code-unknown");
  });

  it("shuts down and exits cleanly", async () => {
    expect(await c.stop()).toBe(0);
    expect(c.stderr.join("")).toBe("");
  });
});

describe("pull client", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy({ "notes/a.md": BROKEN, "notes/b.md": GOOD_NOTE });
    c = await startClient({ folders: [s.root], pull: true });
  });
  afterAll(async () => {
    if (c.child.exitCode === null) c.child.kill();
    s.cleanup();
  });

  it("advertises pull diagnostics and UTF-16 positions", async () => {
    // initialize was already answered; ask the capabilities through a second look at behaviour:
    const report = (await c.conn.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as { items: { uri: string; kind: string; items: { code: string }[]; resultId: string }[] };
    const a = report.items.find((i) => i.uri === s.uri("notes/a.md"))!;
    expect(a.kind).toBe("full");
    expect(a.items.map((d) => d.code).sort()).toEqual(["code-unknown", "code-unknown", "practice-unknown"]);
    const b = report.items.find((i) => i.uri === s.uri("notes/b.md"))!;
    expect(b.items).toEqual([]);
    const again = (await c.conn.sendRequest("workspace/diagnostic", { previousResultIds: [{ uri: a.uri, value: a.resultId }] })) as { items: { uri: string; kind: string }[] };
    expect(again.items.find((i) => i.uri === a.uri)!.kind).toBe("unchanged");
  });

  it("answers textDocument/diagnostic for an edited open note and refreshes after a codebook edit", async () => {
    const uri = s.uri("notes/b.md");
    c.open(uri, GOOD_NOTE);
    c.change(uri, 2, [{ range: { start: { line: 3, character: 5 }, end: { line: 3, character: 6 } }, text: "[cohrence," }]);
    const r = (await c.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as { kind: string; items: { code: string }[] };
    expect(r.kind).toBe("full");
    expect(r.items.map((d) => d.code)).toEqual(["npt-unknown"]);
    const before = c.refreshes;
    const cb = s.uri("codebook.yaml");
    c.open(cb, CODEBOOK);
    c.change(cb, 2, [{ range: { start: { line: 1, character: 2 }, end: { line: 1, character: 11 } }, text: "gp-support" }]);
    await waitFor(() => c.refreshes > before, "workspace/diagnostic/refresh");
    // Any request first applies pending edits of the study (the codebook's included).
    const r2 = (await c.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as { items: { code: string }[] };
    expect(r2.items.map((d) => d.code).sort()).toEqual(["code-unknown", "code-unknown", "npt-unknown"]);
  });

  it("says nothing about Markdown outside a study", async () => {
    const dir = join(s.root, "..", `outside-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "x.md"), "# hi #nope\n");
    const uri = `file://${join(dir, "x.md")}`;
    c.open(uri, "# hi #nope\n");
    const r = (await c.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as { items: unknown[] };
    expect(r.items).toEqual([]);
    const comp = await c.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: { line: 0, character: 7 } });
    expect(comp).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shuts down cleanly", async () => {
    expect(await c.stop()).toBe(0);
  });
});

describe("pull diagnostics: files that leave the workspace report are cleared", () => {
  type Report = { items: { uri: string; kind: string; items?: { code: string }[]; resultId?: string }[] };
  let s: TmpStudy;
  let c: Client;
  let previous: { uri: string; value: string }[] = [];
  const pull = async () => {
    const r = (await c.conn.sendRequest("workspace/diagnostic", { previousResultIds: previous })) as Report;
    previous = r.items.filter((i) => i.resultId).map((i) => ({ uri: i.uri, value: i.resultId! }));
    return r;
  };
  beforeAll(async () => {
    s = makeStudy({ "notes/a.md": BROKEN, "notes/b.md": GOOD_NOTE });
    c = await startClient({ folders: [s.root], pull: true });
  });
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });

  it("a note out of the openFiles scope gets an empty report, and its diagnostics back with the workspace scope", async () => {
    const a = s.uri("notes/a.md");
    expect((await pull()).items.find((i) => i.uri === a)!.items!.length).toBe(3);
    c.configuration = { diagnostics: { scope: "openFiles" } };
    void c.conn.sendNotification("workspace/didChangeConfiguration", { settings: null });
    await waitFor(async () => (await pull()).items.find((i) => i.uri === a)?.items?.length === 0, "an empty report for the unopened note");
    c.configuration = undefined;
    void c.conn.sendNotification("workspace/didChangeConfiguration", { settings: null });
    await waitFor(async () => (await pull()).items.find((i) => i.uri === a)?.items?.length === 3, "the note's diagnostics again");
  });

  it("closing a note asks the client to pull again (its diagnostics may have changed hands)", async () => {
    const b = s.uri("notes/b.md");
    c.open(b, GOOD_NOTE);
    await c.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri: b } });
    const before = c.refreshes;
    c.close(b);
    await waitFor(() => c.refreshes > before, "workspace/diagnostic/refresh after didClose");
  });

  it("a note deleted on disk gets one empty report, then is no longer mentioned", async () => {
    const a = s.uri("notes/a.md");
    rmSync(join(s.root, "notes/a.md"));
    void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: a, type: 3 }] });
    await waitFor(async () => {
      const item = (await pull()).items.find((i) => i.uri === a);
      return item?.kind === "full" && item.items!.length === 0;
    }, "an empty report for the deleted note");
    expect((await pull()).items.find((i) => i.uri === a)).toBeUndefined();
  });
});

describe("robustness", () => {
  it("answers a bad request with an error and keeps serving", async () => {
    const s = makeStudy({ "notes/a.md": GOOD_NOTE }, { config: CONFIG });
    const c = await startClient({ folders: [s.root] });
    try {
      // A position object of the wrong shape makes the handler throw inside.
      await expect(c.conn.sendRequest("textDocument/hover", { textDocument: { uri: s.uri("notes/a.md") }, position: null })).rejects.toThrow();
      const h = (await c.conn.sendRequest("textDocument/hover", { textDocument: { uri: s.uri("notes/a.md") }, position: { line: 3, character: 7 } })) as Hover;
      expect((h.contents as { value: string }).value).toContain("coherence");
      expect(existsSync(s.root)).toBe(true);
      expect(await c.stop()).toBe(0);
    } finally {
      if (c.child.exitCode === null) c.child.kill();
      s.cleanup();
    }
  });
});

describe("quick fix: a comma string where a list is expected", () => {
  let s: TmpStudy;
  let c: Client;
  const COMMAS = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence, collective-action\nparticipants: gp, practice manager\ncodes: gp-buy-in, 7");
  beforeAll(async () => {
    s = makeStudy({ "notes/Magenta/commas.md": COMMAS });
    c = await startClient({ folders: [s.root] });
  });
  afterAll(async () => {
    if (c.child.exitCode === null) c.child.kill();
    s.cleanup();
  });

  it("offers 'Write a list: [a, b]' that replaces the value, and never adds the string as a code", async () => {
    const uri = s.uri("notes/Magenta/commas.md");
    const ds = await waitFor(() => c.published.get(uri), "diagnostics of the note with comma lists");
    expect(ds.map((d) => [d.code, d.range.start.line])).toEqual([["field-type", 3], ["field-type", 4], ["field-type", 5]]);
    const expected: [number, number, number, string][] = [
      [3, 5, 33, "[coherence, collective-action]"],
      [4, 14, 34, "[gp, practice manager]"],
      [5, 7, 19, '[gp-buy-in, "7"]'],
    ];
    for (const [line, from, to, list] of expected) {
      const d = ds.find((x) => x.range.start.line === line)!;
      expect(d.message).toContain(`write a list: ${list}`);
      const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
      expect(actions.map((a) => a.title)).toEqual([`Write a list: ${list}`]);
      // A client that takes documentChanges gets a versioned edit of the note (here: not open, version null).
      const edits = (actions[0].edit!.documentChanges as TextDocumentEdit[]).find((e) => e.textDocument.uri === uri)!.edits;
      expect(edits).toEqual([{ range: { start: { line, character: from }, end: { line, character: to } }, newText: list }]);
    }
  });
});
