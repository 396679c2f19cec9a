// Provider tests: the feature functions over a real study index in a tmp folder, with editor
// overlays for "open" documents. Fast: no process, no protocol.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CompletionList, Range, TextDocumentEdit } from "vscode-languageserver";
import { Workspace, discoverStudies, type Located } from "../../server/lsp/workspace.js";
import { targetAt } from "../../server/lsp/position.js";
import { completion, resolveCompletion } from "../../server/lsp/completion.js";
import { hover } from "../../server/lsp/hover.js";
import { definition } from "../../server/lsp/definition.js";
import { references } from "../../server/lsp/references.js";
import { prepareRename, rename } from "../../server/lsp/rename.js";
import { codeActions } from "../../server/lsp/codeActions.js";
import { addCodeEdit } from "../../server/lsp/codebookEdit.js";
import { workspaceSymbols, fuzzyMatch } from "../../server/lsp/symbols.js";
import { readSettings, lspDiagnosticsFor } from "../../server/lsp/diagnostics.js";
import { CODEBOOK, CONFIG, GOOD_NOTE, makeStudy, note, type TmpStudy } from "./helpers.js";

let s: TmpStudy;
let ws: Workspace;
const docs = new Map<string, TextDocument>();

function open(rel: string, text: string): Located {
  const uri = s.uri(rel);
  const version = (docs.get(uri)?.version ?? 0) + 1;
  docs.set(uri, TextDocument.create(uri, rel.endsWith(".md") ? "markdown" : "yaml", version, text));
  ws.setOpen(uri, true);
  const loc = ws.locate(uri)!;
  if (loc.kind === "note") loc.study.setNoteText(loc.rel, text);
  else if (loc.kind === "codebook") loc.study.setCodebookText(text);
  else loc.study.setConfigText(text);
  return ws.locate(uri)!;
}

const pos = (line: number, character: number) => ({ line, character });
const labels = (l: CompletionList | null) => (l ? l.items.map((i) => i.label) : null);

beforeAll(async () => {
  s = makeStudy({
    "notes/Magenta/a.md": GOOD_NOTE,
    "notes/Cobalt/b.md": note("practice: Cobalt\ndate: 2016-04-02\nnpt: coherence\ncodes:\n  - shared-learning\n  - \"gp-buy-in\"", "#gp-buy-in at the start.\n\nAnd at the end #gp-buy-in\n"),
    "README.md": "# not a note #gp-buy-in\n",
  });
  ws = new Workspace({ get: (uri) => docs.get(uri) }, { cache: false, workers: 1, today: "2020-01-01" });
  ws.addFolder(s.root);
  await Promise.all(ws.handles().map((h) => h.ready));
});
afterAll(() => s.cleanup());

describe("workspace", () => {
  it("finds studies (skipping node_modules and dot folders) and maps URIs", () => {
    const extra = makeStudy({}, { base: `${s.root}/node_modules/x` });
    makeStudy({}, { base: `${s.root}/.hidden` });
    expect(discoverStudies(s.root)).toEqual([s.root]);
    expect(ws.locate(s.uri("notes/Magenta/a.md"))?.kind).toBe("note");
    expect(ws.locate(s.uri("codebook.yaml"))?.kind).toBe("codebook");
    expect(ws.locate(s.uri("fieldnotes.yaml"))?.kind).toBe("config");
    expect(ws.locate(s.uri("README.md"))).toBeUndefined();
    expect(ws.locate("file:///elsewhere/x.md")).toBeUndefined();
    expect(ws.locate("untitled:Untitled-1")).toBeUndefined();
    extra.cleanup();
  });

  it("keeps multi-root studies independent", async () => {
    const other = makeStudy({ "notes/x.md": note("practice: Magenta\ndate: 2016-01-01\nnpt: coherence") }, { codebook: "codes:\n  other-code:\n    label: Other\n" });
    const w2 = new Workspace(undefined, { cache: false, workers: 1 });
    w2.addFolder(s.root);
    w2.addFolder(other.root);
    await Promise.all(w2.handles().map((h) => h.ready));
    expect(w2.handles()).toHaveLength(2);
    expect(w2.locate(other.uri("notes/x.md"))!.study.codebook.order).toEqual(["other-code"]);
    expect(w2.locate(s.uri("notes/Magenta/a.md"))!.study.codebook.order).toContain("gp-buy-in");
    other.cleanup();
  });
});

describe("what is under the cursor", () => {
  it("finds an inline code after an emoji at UTF-16 column 3", () => {
    const loc = open("notes/Magenta/emoji.md", note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "😀 #gp-buy-in\n"));
    const line = 6;
    expect(targetAt(loc, pos(line, 2))).toBeUndefined();
    for (const ch of [3, 4, 12, 13]) expect(targetAt(loc, pos(line, ch))).toEqual({ kind: "code", id: "gp-buy-in", range: { start: pos(line, 4), end: pos(line, 13) } });
    expect(prepareRename(loc, pos(line, 5))).toEqual({ range: { start: pos(line, 4), end: pos(line, 13) }, placeholder: "gp-buy-in" });
  });

  it("handles CRLF notes", () => {
    const text = "---\r\npractice: Magenta\r\ndate: 2016-03-14\r\nnpt: coherence\r\ncodes: [gp-buy-in]\r\n---\r\n\r\nText #shared-learning\r\n";
    const loc = open("notes/Magenta/crlf.md", text);
    expect(targetAt(loc, pos(4, 9))).toEqual({ kind: "code", id: "gp-buy-in", range: { start: pos(4, 8), end: pos(4, 17) } });
    expect(targetAt(loc, pos(7, 10))?.range).toEqual({ start: pos(7, 6), end: pos(7, 21) });
    expect(targetAt(loc, pos(1, 11))).toMatchObject({ kind: "practice", id: "Magenta" });
    expect(lspDiagnosticsFor(loc.study, loc.rel, "note", readSettings({}))).toEqual([]);
  });

  it("finds codes at the start and the end of a line, and block-list items (quoted too)", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    expect(targetAt(loc, pos(9, 0))).toMatchObject({ kind: "code", id: "gp-buy-in", range: { start: pos(9, 1), end: pos(9, 10) } });
    expect(targetAt(loc, pos(11, 24))).toMatchObject({ kind: "code", id: "gp-buy-in", range: { start: pos(11, 16), end: pos(11, 25) } });
    expect(targetAt(loc, pos(5, 6))).toMatchObject({ kind: "code", id: "shared-learning" });
    expect(targetAt(loc, pos(6, 6))).toEqual({ kind: "code", id: "gp-buy-in", range: { start: pos(6, 5), end: pos(6, 14) } });
    expect(targetAt(loc, pos(3, 6))).toMatchObject({ kind: "npt", id: "coherence" });
    expect(targetAt(loc, pos(2, 1))).toMatchObject({ kind: "field", key: "date" });
  });

  it("finds codes, parents and practices in the codebook and fieldnotes.yaml", () => {
    const cb = ws.locate(s.uri("codebook.yaml"))!;
    expect(targetAt(cb, pos(1, 3))).toMatchObject({ kind: "code", id: "gp-buy-in" });
    expect(targetAt(cb, pos(7, 14))).toMatchObject({ kind: "code", id: "gp-buy-in", range: { start: pos(7, 12), end: pos(7, 21) } });
    expect(targetAt(cb, pos(2, 6))).toBeUndefined();
    const cfg = ws.locate(s.uri("fieldnotes.yaml"))!;
    expect(targetAt(cfg, pos(4, 10))).toMatchObject({ kind: "practice", id: "Magenta" });
  });
});

describe("completion", () => {
  const at = (rel: string, text: string, line: number, character: number) => completion(open(rel, text), text, pos(line, character));
  const REL = "notes/Magenta/c.md";

  it("offers frontmatter keys not yet present", () => {
    const text = "---\npractice: Magenta\n\n---\nBody\n";
    const l = at(REL, text, 2, 0);
    expect(labels(l)).toEqual(["date", "npt", "type", "observer", "participants", "level", "codes", "assessment"]);
    expect(l!.items[0].textEdit).toEqual({ range: { start: pos(2, 0), end: pos(2, 0) }, newText: "date: " });
    expect(labels(at(REL, "---\npractice: Magenta\nty\n---\n", 2, 2))).toContain("type");
  });

  it("offers practice ids with names, NPT ids, types and levels", () => {
    const p = at(REL, "---\npractice: Ma\n---\n", 1, 12);
    expect(labels(p)).toEqual(["Magenta", "Cobalt"]);
    expect(p!.items[0].detail).toBe("Practice Magenta");
    expect(p!.items[0].textEdit).toEqual({ range: { start: pos(1, 10), end: pos(1, 12) }, newText: "Magenta" });
    const n = at(REL, "---\nnpt: [coherence, cognitive-participation/en]\n---\n", 1, 43);
    expect(labels(n)).toHaveLength(20);
    expect(n!.items.find((i) => i.label === "cognitive-participation/enrolment")!.textEdit).toEqual({
      range: { start: pos(1, 17), end: pos(1, 43) },
      newText: "cognitive-participation/enrolment",
    });
    expect(labels(at(REL, "---\ntype: \n---\n", 1, 6))).toEqual(["observation", "interview", "meeting", "conversation", "document", "memo"]);
    expect(labels(at(REL, "---\nlevel:\n  - pa\n---\n", 2, 6))).toEqual(["patient", "practice", "community"]);
    expect(at(REL, "---\npractice:\n---\n", 1, 9)).toBeNull();
  });

  it("offers assessment keys and values (block and flow)", () => {
    expect(labels(at(REL, "---\nassessment:\n  co\n---\n", 2, 4))).toEqual(["coherence", "cognitive-participation", "collective-action", "reflexive-monitoring"]);
    expect(labels(at(REL, "---\nassessment:\n  coherence: pa\n---\n", 2, 15))).toEqual(["full", "partial", "absent"]);
    expect(labels(at(REL, "---\nassessment: {coherence: full, co\n---\n", 1, 33))).toContain("collective-action");
    expect(labels(at(REL, "---\nassessment: {coherence: \n---\n", 1, 25))).toEqual(["full", "partial", "absent"]);
  });

  it("offers codes in flow and block `codes` lists, with deprecation", () => {
    const flow = at(REL, "---\ncodes: [gp-buy-in, sh]\n---\n", 1, 21);
    expect(labels(flow)).toEqual(["gp-buy-in", "shared-learning", "old-code"]);
    const old = flow!.items.find((i) => i.label === "old-code")!;
    expect(old.tags).toEqual([1]);
    expect(old.detail).toContain("use shared-learning");
    expect((old.documentation as { value: string }).value).toContain("Use `shared-learning` instead");
    expect(flow!.items[0].textEdit).toEqual({ range: { start: pos(1, 19), end: pos(1, 21) }, newText: "gp-buy-in" });
    expect(labels(at(REL, "---\ncodes:\n  - gp\n---\n", 2, 6))).toContain("gp-buy-in");
    expect(labels(at(REL, "---\ncodes:\n- gp\n---\n", 2, 4))).toContain("gp-buy-in");
  });

  it("offers codes after # in the body, but not in code, after a word, or in a heading marker with a space", () => {
    const body = (b: string) => note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", b);
    const t = body("Agreed #gp and (#sh\n");
    const l = at(REL, t, 6, 10);
    expect(l!.items.find((i) => i.label === "gp-buy-in")!.textEdit).toEqual({ range: { start: pos(6, 8), end: pos(6, 10) }, newText: "gp-buy-in" });
    expect(labels(at(REL, t, 6, 19))).toContain("shared-learning");
    expect(at(REL, body("word#gp\n"), 6, 7)).toBeNull();
    expect(at(REL, body("`code #gp` x\n"), 6, 9)).toBeNull();
    // A backtick never closed is literal text (CommonMark 6.1): the tag after it counts, so it completes.
    expect(labels(at(REL, body("`code #gp\n"), 6, 9))).toContain("gp-buy-in");
    expect(at(REL, body("```\n#gp\n```\n"), 7, 3)).toBeNull();
    expect(at(REL, body("# Heading\n"), 6, 2)).toBeNull();
    expect(labels(at(REL, body("😀 #g\n"), 6, 5))).toContain("gp-buy-in");
    expect(at(REL, body("Text\n"), 0, 1)).toBeNull();
  });

  it("uses itemDefaults.editRange and lazy documentation when the client supports them", () => {
    const t = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "x #g\n");
    const l = completion(open(REL, t), t, pos(6, 4), { editRangeDefault: true, lazyDocumentation: true })!;
    expect(l.itemDefaults?.editRange).toEqual({ start: pos(6, 3), end: pos(6, 4) });
    expect(l.items[0].textEdit).toBeUndefined();
    expect(l.items[0].documentation).toBeUndefined();
    const resolved = resolveCompletion(l.items[0], () => ws.handles()[0].study);
    expect((resolved.documentation as { value: string }).value).toContain("**GP buy-in**");
    const d = completion(open(REL, t), t, pos(6, 4), { editRangeDefault: true, lazyDocumentation: true, dataDefault: true })!;
    expect(d.items[0].data).toBeUndefined();
    expect(d.itemDefaults?.data).toEqual({ k: "c", s: 0 });
    // A client applies the default data to the item it resolves; the label is the id.
    const r2 = resolveCompletion({ ...d.items[1], data: d.itemDefaults!.data }, () => ws.handles()[0].study);
    expect((r2.documentation as { value: string }).value).toContain("**Shared learning**");
  });

  it("completes parent and npt in the codebook", () => {
    const cbText = CODEBOOK + "  new-one:\n    label: New\n    parent: gp\n    npt: coh\n";
    const loc = open("codebook.yaml", cbText);
    expect(labels(completion(loc, cbText, pos(14, 14)))).toContain("gp-buy-in");
    expect(labels(completion(loc, cbText, pos(15, 12)))).toContain("coherence/differentiation");
    open("codebook.yaml", CODEBOOK);
  });

  it("is fast with 1,000 codes (items built once per codebook)", () => {
    const many = "codes:\n" + Array.from({ length: 1000 }, (_, i) => `  code-${i}:\n    label: Code ${i}\n    description: The ${i}th code.\n`).join("");
    const loc = open("codebook.yaml", many);
    const t = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "x #code-1\n");
    const nloc = open(REL, t);
    expect(loc.study.codebook.order).toHaveLength(1000);
    completion(nloc, t, pos(6, 9));
    const start = performance.now();
    for (let i = 0; i < 20; i++) expect(completion(nloc, t, pos(6, 9))!.items).toHaveLength(1000);
    expect((performance.now() - start) / 20).toBeLessThan(50); // generous: the bench measures the real figure
    open("codebook.yaml", CODEBOOK);
  });
});

describe("hover, definition, references", () => {
  it("hovers a code with use counts, a practice, an NPT id, and a field", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    const h = hover(loc, pos(9, 3))!;
    const v = (h.contents as { value: string }).value;
    expect(v).toContain("**GP buy-in**");
    expect(v).toContain("GPs actively support the programme.");
    expect(v).toMatch(/Used in \d+ notes?, \d+ coded segments?\./);
    expect(h.range).toEqual({ start: pos(9, 1), end: pos(9, 10) });
    const p = hover(loc, pos(1, 12))!;
    expect((p.contents as { value: string }).value).toContain("**Practice Cobalt**");
    const n = hover(loc, pos(3, 7))!;
    expect((n.contents as { value: string }).value).toContain("Sense-making work");
    expect(hover(loc, pos(1, 2))).not.toBeNull();
    expect(hover(loc, pos(8, 0))).toBeNull();
  });

  it("counts notes and segments across the study", () => {
    const t = note("practice: Cobalt\ndate: 2016-03-14\nnpt: coherence", "#old-code one\n\n#old-code two #old-code\n");
    const loc = open("notes/Cobalt/count.md", t);
    const v = (hover(loc, pos(6, 2))!.contents as { value: string }).value;
    expect(v).toContain("Used in 1 note, 2 coded segments.");
    expect(v).toContain("*Deprecated.* Use `shared-learning` instead.");
  });

  it("goes to definitions", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    expect(definition(ws, loc, pos(9, 3))).toEqual({ uri: s.uri("codebook.yaml"), range: { start: pos(1, 2), end: pos(1, 11) } });
    expect(definition(ws, loc, pos(1, 12))).toEqual({ uri: s.uri("fieldnotes.yaml"), range: { start: pos(7, 8), end: pos(7, 14) } });
    expect(definition(ws, loc, pos(3, 7))).toBeNull();
  });

  it("finds references with and without the declaration", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    const withDecl = references(ws, loc, pos(9, 3), true)!;
    const without = references(ws, loc, pos(9, 3), false)!;
    expect(withDecl.length).toBe(without.length + 1);
    const inB = without.filter((r) => r.uri === s.uri("notes/Cobalt/b.md")).map((r) => r.range);
    expect(inB).toEqual([
      { start: pos(6, 5), end: pos(6, 14) },
      { start: pos(9, 1), end: pos(9, 10) },
      { start: pos(11, 16), end: pos(11, 25) },
    ]);
    expect(without.some((r) => r.uri === s.uri("codebook.yaml") && r.range.start.line === 7)).toBe(true);
  });
});

describe("rename", () => {
  it("edits the codebook key, parent references and every use, without # and quotes", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    const edit = rename(ws, loc, pos(9, 3), "#gp-support")!;
    const changes = edit.changes!;
    expect(changes[s.uri("codebook.yaml")].map((e) => e.range.start.line).sort()).toEqual([1, 7]);
    expect(changes[s.uri("notes/Cobalt/b.md")]).toEqual([
      { range: { start: pos(6, 5), end: pos(6, 14) }, newText: "gp-support" },
      { range: { start: pos(9, 1), end: pos(9, 10) }, newText: "gp-support" },
      { range: { start: pos(11, 16), end: pos(11, 25) }, newText: "gp-support" },
    ]);
    expect(changes[s.uri("README.md")]).toBeUndefined();
  });

  it("uses versioned documentChanges for open documents", () => {
    const loc = open("notes/Magenta/a.md", GOOD_NOTE);
    const edit = rename(ws, loc, pos(4, 9), "gp-support", { documentChanges: true })!;
    const dc = edit.documentChanges as TextDocumentEdit[];
    expect(dc.find((d) => d.textDocument.uri === s.uri("notes/Magenta/a.md"))!.textDocument.version).toBeGreaterThan(0);
    expect(dc.find((d) => d.textDocument.uri === s.uri("notes/Cobalt/b.md"))!.textDocument.version).toBeNull();
  });

  it("refuses invalid and existing ids, and non-codes", () => {
    const loc = ws.locate(s.uri("notes/Cobalt/b.md"))!;
    expect(() => rename(ws, loc, pos(9, 3), "GP Support")).toThrow(/not a valid code id/);
    expect(() => rename(ws, loc, pos(9, 3), "old-code")).toThrow(/already has a code 'old-code'/);
    expect(() => rename(ws, loc, pos(1, 12), "x")).toThrow(/Only a code can be renamed/);
    expect(prepareRename(loc, pos(1, 12))).toBeNull();
  });
});

describe("code actions", () => {
  const titles = (loc: Located, r: Range) => codeActions(ws, loc, r).map((a) => a.title);
  const whole = (n: number): Range => ({ start: pos(0, 0), end: pos(n, 0) });

  it("fixes practice, npt (spelling too), field and level suggestions", () => {
    const t = note("practice: Magent\ndate: 2016-03-14\nnpt: [cohernce, cognitive-participation/enrollment]\nlevl: practice\nlevel: patint");
    const loc = open("notes/Magenta/fix.md", t);
    const actions = codeActions(ws, loc, whole(8));
    const byTitle = Object.fromEntries(actions.map((a) => [a.title, a.edit!.changes![loc.uri][0]]));
    expect(byTitle["Change to 'Magenta'"]).toEqual({ range: { start: pos(1, 10), end: pos(1, 16) }, newText: "Magenta" });
    expect(byTitle["Change to 'coherence'"].newText).toBe("coherence");
    expect(byTitle["Change to 'cognitive-participation/enrolment'"].range).toEqual({ start: pos(3, 16), end: pos(3, 50) });
    expect(byTitle["Change to 'level'"].range).toEqual({ start: pos(4, 0), end: pos(4, 4) });
    expect(byTitle["Change to 'patient'"]).toBeDefined();
    expect(actions.every((a) => a.kind === "quickfix" && a.diagnostics!.length === 1 && a.diagnostics![0].source === "fieldnotes")).toBe(true);
  });

  it("replaces only the id of an inline unknown code, offers add-to-codebook, and replacedBy for deprecated codes", () => {
    const t = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\ncodes: [old-code]", "Seen #GP-buy-in and #brand-new.\n");
    const loc = open("notes/Magenta/codes.md", t);
    const actions = codeActions(ws, loc, whole(9));
    const fix = actions.find((a) => a.title === "Change to 'gp-buy-in'")!;
    expect(fix.edit!.changes![loc.uri]).toEqual([{ range: { start: pos(7, 6), end: pos(7, 15) }, newText: "gp-buy-in" }]);
    expect(actions.find((a) => a.title === "Add 'GP-buy-in' to the codebook")).toBeUndefined();
    const add = actions.find((a) => a.title === "Add 'brand-new' to the codebook")!;
    expect(add.edit!.changes![s.uri("codebook.yaml")][0]).toEqual({ range: { start: pos(12, 0), end: pos(12, 0) }, newText: "  brand-new:\n    label: Brand new\n" });
    const dep = actions.find((a) => a.title === "Replace with 'shared-learning'")!;
    expect(dep.edit!.changes![loc.uri]).toEqual([{ range: { start: pos(4, 8), end: pos(4, 16) }, newText: "shared-learning" }]);
    expect(codeActions(ws, loc, { start: pos(1, 0), end: pos(1, 0) })).toEqual([]);
    expect(codeActions(ws, loc, whole(9), ["refactor"])).toEqual([]);
  });

  it("adds a code to an empty codebook or one without a final newline", () => {
    expect(addCodeEdit("codes:\n", "x-y")).toEqual({ range: { start: pos(1, 0), end: pos(1, 0) }, newText: "  x-y:\n    label: X y\n" });
    expect(addCodeEdit("codes: {}\n", "x")).toEqual({ range: { start: pos(0, 6), end: pos(0, 9) }, newText: "\n  x:\n    label: X" });
    const noNl = "codes:\n  a:\n    label: A";
    expect(addCodeEdit(noNl, "b")).toEqual({ range: { start: pos(2, 12), end: pos(2, 12) }, newText: "\n  b:\n    label: B" });
  });
});

describe("workspace symbols and settings", () => {
  it("fuzzy-matches codes and practices", () => {
    expect(fuzzyMatch("gbi", "gp-buy-in")).toBe(true);
    expect(fuzzyMatch("xyz", "gp-buy-in")).toBe(false);
    expect(workspaceSymbols(ws, "shared").map((x) => x.name)).toEqual(["shared-learning"]);
    expect(workspaceSymbols(ws, "practice mag").map((x) => x.name)).toEqual(["Magenta"]);
    expect(workspaceSymbols(ws, "").length).toBe(5);
  });

  it("reads settings, defaulting sensibly", () => {
    expect(readSettings(undefined)).toEqual({ scope: "workspace", identifiers: true });
    expect(readSettings({ diagnostics: { scope: "openFiles" }, identifiers: { enabled: false } })).toEqual({ scope: "openFiles", identifiers: false });
    expect(readSettings({ "diagnostics.scope": "openFiles" }).scope).toBe("openFiles");
  });

  it("drops identifier warnings when identifiers are disabled", () => {
    const t = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", "Call 07700 900123 or mail a@b.org.\n");
    const loc = open("notes/Magenta/ids.md", t);
    expect(lspDiagnosticsFor(loc.study, loc.rel, "note", readSettings({})).map((d) => d.code)).toContain("identifier-suspected");
    expect(lspDiagnosticsFor(loc.study, loc.rel, "note", readSettings({ identifiers: { enabled: false } }))).toEqual([]);
  });
});

void CONFIG;
