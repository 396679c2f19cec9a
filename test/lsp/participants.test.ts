// Participants in the language server: completion of registry ids in `participants:` and hover
// showing a participant's attributes (in a note and on the registry in fieldnotes.yaml).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CompletionList, MarkupContent } from "vscode-languageserver";
import { Workspace } from "../../server/lsp/workspace.js";
import { completion } from "../../server/lsp/completion.js";
import { hover } from "../../server/lsp/hover.js";
import { CODEBOOK, CONFIG, makeStudy, type TmpStudy } from "./helpers.js";

const REGISTRY = `participants:
  - id: LW01
    role: link-worker
    service: north
  - id: GP01
    role: gp
`;
const NOTE = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\nparticipants: [LW01, G\n---\n\nText.\n";

let s: TmpStudy;
let ws: Workspace;
const docs = new Map<string, TextDocument>();
const labels = (l: CompletionList | null) => (l ? l.items.map((i) => i.label) : null);

beforeAll(async () => {
  s = makeStudy({ "notes/Magenta/a.md": NOTE, "notes/Magenta/b.md": NOTE.replace(", G\n", "]\n") }, { config: CONFIG + REGISTRY, codebook: CODEBOOK });
  ws = new Workspace({ get: (uri) => docs.get(uri) }, { cache: false, workers: 1, today: "2020-01-01" });
  ws.addFolder(s.root);
  await Promise.all(ws.handles().map((h) => h.ready));
});
afterAll(() => s.cleanup());

describe("participants in the language server", () => {
  it("completes registry ids in a flow list and a block list, with attributes as detail", () => {
    const loc = ws.locate(s.uri("notes/Magenta/a.md"))!;
    const list = completion(loc, NOTE, { line: 4, character: 22 });
    expect(labels(list)).toEqual(["LW01", "GP01"]);
    expect(list!.items[0].detail).toBe("role: link-worker, service: north");
    const block = "---\npractice: Magenta\ndate: 2016-03-14\nparticipants:\n  - L\n---\n";
    expect(labels(completion(loc, block, { line: 4, character: 5 }))).toEqual(["LW01", "GP01"]);
  });

  it("hovers a participant in a note and in the registry with its attributes", () => {
    const loc = ws.locate(s.uri("notes/Magenta/b.md"))!;
    const h = hover(loc, { line: 4, character: 16 })!;
    expect((h.contents as MarkupContent).value).toBe("**Participant** `LW01`\n\n- role: link-worker\n- service: north");
    expect(h.range).toEqual({ start: { line: 4, character: 15 }, end: { line: 4, character: 19 } });
    const cfg = ws.locate(s.uri("fieldnotes.yaml"))!;
    const line = (CONFIG + REGISTRY).split("\n").indexOf("  - id: GP01");
    expect((hover(cfg, { line, character: 10 })!.contents as MarkupContent).value).toContain("- role: gp");
  });
});
