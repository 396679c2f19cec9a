// One file, many URI spellings, over a real stdio connection: a client may spell a note's URI its own
// way (VS Code percent-encodes `(` and `)`; others send lower-case escapes or raw spaces). The server
// keys documents by the file they name and publishes under the client's spelling while the note is
// open; diagnostics left under another spelling are cleared, so a fixed error leaves the screen.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const BROKEN = note("practice: Magentaa\ndate: 2016-03-14\nnpt: coherence");
const FIXED = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence");

/** File name, and how the client spells it in its URI. */
const SPELLINGS: [string, string, string][] = [
  ["percent-encoded parentheses (VS Code)", "interview (2).md", "interview%20%282%29.md"],
  ["lower-case escapes", "café.md", "caf%c3%a9.md"],
  ["a raw space", "two words.md", "two words.md"],
];

describe("one file, two URI spellings", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy(Object.fromEntries(SPELLINGS.map(([, name]) => [`notes/Magenta/${name}`, BROKEN])));
    c = await startClient({ folders: [s.root] });
  }, 180_000);
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });
  const settle = (uri: string) => c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 1 } });
  const codes = (uri: string) => (c.published.get(uri) ?? []).map((d) => d.code);

  for (const [what, name, spelled] of SPELLINGS) {
    it(what, async () => {
      const ours = s.uri(`notes/Magenta/${name}`);
      const theirs = `${s.uri("notes/Magenta")}/${spelled}`;
      expect(theirs).not.toBe(ours);
      await waitFor(() => c.published.get(ours)?.length, "diagnostics under the server's spelling");
      // Opened and fixed in the editor: nothing may stay on screen under either spelling.
      c.open(theirs, BROKEN);
      c.change(theirs, 2, [{ text: FIXED }]);
      await settle(theirs);
      await waitFor(() => c.published.get(ours)?.length === 0, "the server's spelling cleared");
      expect(codes(theirs)).toEqual([]);
      // Broken again in the editor: reported under the client's spelling only.
      c.change(theirs, 3, [{ text: BROKEN }]);
      await settle(theirs);
      await waitFor(() => c.published.get(theirs)?.length, "diagnostics under the client's spelling");
      expect(codes(theirs)).toEqual(["practice-unknown"]);
      expect(codes(ours)).toEqual([]);
      // Closed: the disk's text counts again, under one spelling only.
      c.close(theirs);
      await waitFor(() => c.published.get(theirs)?.length === 0, "the client's spelling cleared after closing");
      await waitFor(() => c.published.get(ours)?.length, "the disk's diagnostics again");
      expect(codes(ours)).toEqual(["practice-unknown"]);
    });
  }
});
