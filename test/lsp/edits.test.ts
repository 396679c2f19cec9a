// Edits the language server sends (rename, quick fixes) over a real stdio connection: computed from
// text just read (files changed on disk with no event), complete or refused, never outside the
// study, and codebook insertions that keep the YAML valid in every style.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import type { CodeAction, Diagnostic, TextDocumentEdit, WorkspaceEdit } from "vscode-languageserver-protocol";
import { addCodeEdit } from "../../server/lsp/codebookEdit.js";
import { CODEBOOK, CONFIG, GOOD_NOTE, applyEdits, makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(files: Record<string, string>, opts: { codebook?: string; config?: string; base?: string } = {}): Promise<{ s: TmpStudy; c: Client }> {
  const s = makeStudy(files, opts);
  const c = await startClient({ folders: [s.root] });
  cleanups.push(() => s.cleanup());
  cleanups.push(async () => {
    if (c.child.exitCode === null) c.child.kill();
  });
  await waitFor(() => c.logs.some((l) => /notes indexed/.test(l)), "the study's index");
  return { s, c };
}

/** Applies a workspace edit: open documents' edits to their editor text, the rest to the files on disk. */
function applyWorkspaceEdit(s: TmpStudy, edit: WorkspaceEdit, openText: Map<string, string> = new Map()): Map<string, string> {
  const out = new Map<string, string>();
  const perUri: [string, { range: Diagnostic["range"]; newText: string }[]][] = edit.documentChanges
    ? (edit.documentChanges as TextDocumentEdit[]).map((d) => [d.textDocument.uri, d.edits as never])
    : Object.entries(edit.changes ?? {});
  for (const [uri, edits] of perUri) {
    const rel = decodeURIComponent(uri.slice(s.uri("").length + 1));
    const before = openText.get(uri) ?? readFileSync(join(s.root, rel), "utf8");
    out.set(rel, applyEdits(before, edits));
  }
  return out;
}

const NOTE_A = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\ncodes: [gp-buy-in]", "The practice manager said #gp-buy-in was the key.\n");

describe("edits against text changed on disk before the server heard of it", () => {
  it("rename: the edit applied to the files on disk replaces every use and nothing else", async () => {
    const { s, c } = await start({ "notes/Magenta/a.md": NOTE_A, "notes/Magenta/b.md": GOOD_NOTE });
    // Changed on disk, no file event: every offset in the note and the codebook moves.
    const changedA = note("practice: Magenta\ndate: 2016-03-14\nnpt: [coherence, collective-action]\nparticipants: [PM]\ncodes: [shared-learning, gp-buy-in]", "Before that, the practice manager said it again: #gp-buy-in.\n\nThe practice manager said #gp-buy-in was the key.\n");
    s.write("notes/Magenta/a.md", changedA);
    const changedCodebook = CODEBOOK.replace("codes:\n", "codes:\n  aaa-first:\n    label: First code\n    description: A long description that must stay whole.\n");
    s.write("codebook.yaml", changedCodebook);
    const b = s.uri("notes/Magenta/b.md");
    c.open(b, GOOD_NOTE);
    const edit = (await c.conn.sendRequest("textDocument/rename", { textDocument: { uri: b }, position: { line: 4, character: 10 }, newName: "renamed-code" })) as WorkspaceEdit;
    const dc = edit.documentChanges as TextDocumentEdit[];
    expect(dc.find((d) => d.textDocument.uri === b)!.textDocument.version).toBe(1);
    expect(dc.find((d) => d.textDocument.uri === s.uri("notes/Magenta/a.md"))!.textDocument.version).toBeNull();
    const result = applyWorkspaceEdit(s, edit, new Map([[b, GOOD_NOTE]]));
    expect(result.get("notes/Magenta/a.md")).toBe(changedA.replaceAll("gp-buy-in", "renamed-code"));
    expect(result.get("codebook.yaml")).toBe(changedCodebook.replaceAll("gp-buy-in", "renamed-code"));
    expect(result.get("notes/Magenta/b.md")).toBe(GOOD_NOTE.replaceAll("gp-buy-in", "renamed-code"));
  });

  it("rename: a note that gained a use on disk, unheard of, is renamed too", async () => {
    const { s, c } = await start({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "Nothing coded yet.\n"), "notes/Magenta/b.md": GOOD_NOTE });
    const gained = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "Now coded: #gp-buy-in.\n");
    s.write("notes/Magenta/a.md", gained);
    const b = s.uri("notes/Magenta/b.md");
    const edit = (await c.conn.sendRequest("textDocument/rename", { textDocument: { uri: b }, position: { line: 4, character: 10 }, newName: "renamed-code" })) as WorkspaceEdit;
    expect(applyWorkspaceEdit(s, edit).get("notes/Magenta/a.md")).toBe(gained.replaceAll("gp-buy-in", "renamed-code"));
  });

  it("rename: a note rewritten with the same size and modification time is read again, not trusted", async () => {
    const s0 = makeStudy({ "notes/Magenta/a.md": NOTE_A, "notes/Magenta/b.md": GOOD_NOTE });
    const path = join(s0.root, "notes/Magenta/a.md");
    utimesSync(path, 1700000000, 1700000000); // a whole second: set again exactly below
    const { s, c } = await start({}, { base: s0.root });
    // The same length, the tag moved: only the bytes tell.
    const moved = NOTE_A.replace("The practice manager said #gp-buy-in was the key.", "The #gp-buy-in practice manager said was the key.");
    expect(moved.length).toBe(NOTE_A.length);
    writeFileSync(path, moved);
    utimesSync(path, 1700000000, 1700000000);
    expect(statSync(path).mtimeMs).toBe(1700000000000);
    const b = s.uri("notes/Magenta/b.md");
    const edit = (await c.conn.sendRequest("textDocument/rename", { textDocument: { uri: b }, position: { line: 4, character: 10 }, newName: "renamed-code" })) as WorkspaceEdit;
    expect(applyWorkspaceEdit(s, edit).get("notes/Magenta/a.md")).toBe(moved.replaceAll("gp-buy-in", "renamed-code"));
  });

  it("add to codebook: the insertion lands after the last code of the codebook as it is on disk now", async () => {
    const { s, c } = await start({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "Seen #brand-new here.\n") });
    const changedCodebook = CODEBOOK + "  zz-last:\n    label: Last code\n    description: Its description must stay its own.\n";
    s.write("codebook.yaml", changedCodebook);
    const uri = s.uri("notes/Magenta/a.md");
    const text = readFileSync(join(s.root, "notes/Magenta/a.md"), "utf8");
    c.open(uri, text);
    const d = await waitFor(() => c.published.get(uri)?.find((x) => x.code === "code-unknown"), "code-unknown");
    const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    const add = actions.find((a) => a.title === "Add 'brand-new' to the codebook")!;
    const after = applyWorkspaceEdit(s, add.edit!).get("codebook.yaml")!;
    expect(after).toBe(changedCodebook + "  brand-new:\n    label: Brand new\n");
    const fix = actions.find((a) => a.title !== add.title);
    if (fix) expect((fix.edit!.documentChanges as TextDocumentEdit[])[0].textDocument.version).toBe(1);
  });
});

describe("rename reaches every use or refuses", () => {
  it("names a note with a YAML error elsewhere and a note skipped for an oversized block, then renames once they are fixed", async () => {
    const yamlError = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\nobserver: [unclosed\ncodes: [gp-buy-in]");
    const huge = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "#gp-buy-in\n" + "a line\n".repeat(4100));
    const { s, c } = await start({ "notes/Magenta/a.md": NOTE_A, "notes/Magenta/yaml.md": yamlError, "notes/Magenta/huge.md": huge });
    const a = s.uri("notes/Magenta/a.md");
    await waitFor(() => c.published.get(s.uri("notes/Magenta/huge.md"))?.some((d) => d.code === "file-skipped"), "the skipped note");
    const ask = () => c.conn.sendRequest("textDocument/rename", { textDocument: { uri: a }, position: { line: 4, character: 10 }, newName: "renamed-code" });
    const err = await ask().then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/^Cannot rename 'gp-buy-in'/);
    expect(err).toContain("notes/Magenta/yaml.md");
    expect(err).toContain("notes/Magenta/huge.md");
    expect(err).not.toContain("notes/Magenta/a.md");
    expect(err).not.toMatch(/\n|at .*\.js/);
    // Fixed on disk (no event): the rename now reaches the frontmatter use.
    const fixed = yamlError.replace("[unclosed", "[AB]");
    s.write("notes/Magenta/yaml.md", fixed);
    rmSync(join(s.root, "notes/Magenta/huge.md"));
    const edit = (await ask()) as WorkspaceEdit;
    const result = applyWorkspaceEdit(s, edit);
    expect(result.get("notes/Magenta/yaml.md")).toBe(fixed.replace("gp-buy-in", "renamed-code"));
    expect(result.get("notes/Magenta/a.md")).toBe(NOTE_A.replaceAll("gp-buy-in", "renamed-code"));
  });

  it("refuses, in a plain sentence, to edit a codebook reached through a symlinked folder", async () => {
    const outside = mkdtempSync(join(tmpdir(), "fieldnotes-outside-"));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "codebook.yaml"), CODEBOOK);
    const s = makeStudy({ "notes/Magenta/a.md": NOTE_A }, { config: `${CONFIG}codebook: shared/codebook.yaml\n` });
    cleanups.push(() => s.cleanup());
    symlinkSync(outside, join(s.root, "shared"));
    const c = await startClient({ folders: [s.root] });
    cleanups.push(async () => {
      if (c.child.exitCode === null) c.child.kill();
    });
    await waitFor(() => c.logs.some((l) => /notes indexed/.test(l)), "the study's index");
    const a = s.uri("notes/Magenta/a.md");
    c.open(a, NOTE_A);
    const err = await c.conn.sendRequest("textDocument/rename", { textDocument: { uri: a }, position: { line: 4, character: 10 }, newName: "renamed-code" }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/^Cannot rename 'gp-buy-in': shared\/codebook\.yaml lies outside the study/);
    // No quick fix writes there either.
    const d: Diagnostic = { range: { start: { line: 7, character: 26 }, end: { line: 7, character: 36 } }, message: "", code: "code-unknown" };
    const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri: a }, range: d.range, context: { diagnostics: [] } })) as CodeAction[];
    expect(actions.filter((x) => /codebook/.test(x.title))).toEqual([]);
    expect(readFileSync(join(outside, "codebook.yaml"), "utf8")).toBe(CODEBOOK);
  });
});

describe("add to codebook keeps the YAML valid in every style", () => {
  it("over LSP: a flow-style codebook gets a flow entry, and the result parses with the new code", async () => {
    const flow = "codes: { gp-buy-in: { label: GP buy-in } }\n";
    const { s, c } = await start({ "notes/Magenta/a.md": note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "Seen #new-code here.\n") }, { codebook: flow });
    const uri = s.uri("notes/Magenta/a.md");
    const d = await waitFor(() => c.published.get(uri)?.find((x) => x.code === "code-unknown"), "code-unknown");
    const actions = (await c.conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    const add = actions.find((a) => a.title === "Add 'new-code' to the codebook")!;
    const after = applyWorkspaceEdit(s, add.edit!).get("codebook.yaml")!;
    expect(parseYaml(after)).toEqual({ codes: { "gp-buy-in": { label: "GP buy-in" }, "new-code": { label: "New code" } } });
    expect(after).toBe("codes: { gp-buy-in: { label: GP buy-in }, new-code: { label: New code } }\n");
  });

  /** A codebook in one of many styles, and what it reads as. */
  const codebookArb = fc
    .record({
      flow: fc.constantFrom("block", "flow-inline", "flow-lines", "flow-root"),
      n: fc.integer({ min: 0, max: 3 }),
      crlf: fc.boolean(),
      indent: fc.constantFrom(2, 3, 4),
      finalNewline: fc.boolean(),
      comments: fc.boolean(),
      trailingKey: fc.boolean(),
      trailingComma: fc.boolean(),
      quoted: fc.boolean(),
      extraField: fc.boolean(),
    })
    .map((o) => {
      const ids = ["gp-buy-in", "shared-learning", "old-code"].slice(0, o.n);
      const ind = " ".repeat(o.indent);
      const key = (id: string) => (o.quoted ? `"${id}"` : id);
      const c = (text: string) => (o.comments ? `  # ${text}` : "");
      let lines: string[];
      const value: Record<string, unknown> = { codes: Object.fromEntries(ids.map((id) => [id, o.extraField ? { label: `L ${id}`, description: "d: x" } : { label: `L ${id}` }])) };
      const flowEntry = (id: string) => `${key(id)}: { label: L ${id}${o.extraField ? ', description: "d: x"' : ""} }`;
      if (o.flow === "block") {
        if (!ids.length) value.codes = null;
        lines = [...(o.comments ? ["# the codebook"] : []), `codes:${c("codes")}`];
        for (const id of ids) {
          lines.push(`${ind}${key(id)}:${c(id)}`, `${ind}${ind}label: L ${id}`);
          if (o.extraField) lines.push(`${ind}${ind}description: "d: x"${c("why")}`);
        }
        if (o.comments) lines.push(`${ind}# more codes to come`);
      } else if (o.flow === "flow-inline") {
        lines = [`codes: { ${ids.map(flowEntry).join(", ")}${o.trailingComma && ids.length ? "," : ""} }${c("flow")}`];
      } else if (o.flow === "flow-lines") {
        lines = ["codes: {", ...ids.map((id, i) => `${ind}${flowEntry(id)}${i < ids.length - 1 || o.trailingComma ? "," : ""}${c(id)}`), "}"];
      } else {
        lines = [`{ codes: { ${ids.map(flowEntry).join(", ")} }${o.trailingKey ? ", version: 1" : ""} }`];
        if (o.trailingKey) value.version = 1;
        o.trailingKey = false;
      }
      if (o.trailingKey) {
        lines.push("version: 1");
        value.version = 1;
      }
      const eol = o.crlf ? "\r\n" : "\n";
      const text = lines.join(eol) + (o.finalNewline ? eol : "");
      return { text, value, crlf: o.crlf };
    });

  it("property: every style, the edited text parses with the new code and reads as before otherwise", () => {
    fc.assert(
      fc.property(codebookArb, ({ text, value, crlf }) => {
        expect(parseYaml(text)).toEqual(value); // the generator's own check
        const e = addCodeEdit(text, "new-code");
        expect(e, text).toBeDefined();
        const after = applyEdits(text, [e!]);
        const read = parseYaml(after) as { codes: Record<string, unknown> };
        const expected = structuredClone(value) as { codes: Record<string, unknown> | null };
        expected.codes = { ...(expected.codes ?? {}), "new-code": { label: "New code" } };
        expect(read, after).toEqual(expected);
        // Line endings stay the file's own (a file of one line has none to follow).
        if (crlf && text.includes("\r\n")) expect(after.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
        else if (!crlf) expect(after).not.toContain("\r");
      }),
      { numRuns: 500 },
    );
  });

  it("offers nothing for a codebook it cannot edit safely", () => {
    expect(addCodeEdit("codes: [a, b]\n", "x")).toBeUndefined();
    expect(addCodeEdit("codes: {a: {label: A}\n", "x")).toBeUndefined();
    expect(addCodeEdit("codes:\n  x:\n    label: X\n", "x")).toBeUndefined();
  });
});
