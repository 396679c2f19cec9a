// Retained memory over many saves, through a real stdio connection: what the server keeps after a
// full collection must not grow with the number of versions a note has had (on disk or in the editor).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { GOOD_NOTE, makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const SAVES = 400;
/** A note of about 22 KB: codes in every paragraph, as a long interview write-up has. */
function bigNote(i: number): string {
  const paragraphs = Array.from({ length: 120 }, (_, k) => `Paragraph ${k} of save ${i}: the practice manager talked about the rota and #gp-buy-in again, at length.`);
  return note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence\ncodes: [gp-buy-in]", paragraphs.join("\n\n") + "\n");
}

describe("memory over many saves", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy({ "notes/Magenta/closed.md": bigNote(0), "notes/Magenta/open.md": bigNote(0), "notes/Magenta/other.md": GOOD_NOTE });
    c = await startClient({ folders: [s.root], env: { FIELDNOTES_LSP_DEBUG: "1" } });
    await waitFor(() => c.logs.some((l) => /notes indexed/.test(l)), "the study's index");
  }, 180_000);
  afterAll(async () => {
    if (c && c.child.exitCode === null) c.child.kill();
    s?.cleanup();
  });
  const heap = async () => ((await c.conn.sendRequest("fieldnotes/debug/heap")) as { heapUsed: number }).heapUsed;

  /** Saves `n` versions and returns the retained heap growth in MB after the last. */
  async function growth(save: (i: number) => void): Promise<number> {
    // Each save is answered before the next (a request after it), so none is merged with the next.
    const settle = () => c.conn.sendRequest("textDocument/hover", { textDocument: { uri: s.uri("notes/Magenta/other.md") }, position: { line: 1, character: 12 } });
    for (let i = 1; i <= 20; i++) {
      save(i); // warm up: first-use allocations are not a leak
      await settle();
    }
    const before = await heap();
    for (let i = 21; i <= SAVES; i++) {
      save(i);
      await settle();
    }
    return ((await heap()) - before) / 1048576;
  }

  it(`a closed note saved ${SAVES} times on disk (a file event each time)`, async () => {
    const uri = s.uri("notes/Magenta/closed.md");
    const grew = await growth((i) => {
      s.write("notes/Magenta/closed.md", bigNote(i));
      void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: 2 }] });
    });
    expect(grew).toBeLessThan(15);
  }, 300_000);

  it(`an open note edited and saved ${SAVES} times`, async () => {
    const uri = s.uri("notes/Magenta/open.md");
    c.open(uri, bigNote(0));
    const grew = await growth((i) => {
      const text = bigNote(i);
      c.change(uri, i + 1, [{ text }]);
      s.write("notes/Magenta/open.md", text);
      void c.conn.sendNotification("textDocument/didSave", { textDocument: { uri } });
      void c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: 2 }] });
    });
    expect(grew).toBeLessThan(15);
  }, 300_000);
});
