// Unsaved text gets the diagnostics its saved file would get, over a real stdio connection: the same
// text open in the editor and saved in a closed note must be reported alike (a NUL typed in the
// editor is a binary file once saved, and `check` excludes it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

const FRONT = "practice: Magenta\ndate: 2016-03-14\nnpt: coherence";
const CASES: Record<string, string> = {
  "a NUL in the body": note(FRONT, "The manager said\u0000 #gp-buy-in.\n"),
  "a NUL at the very start": `\u0000${note(FRONT, "Text #gp-buy-in.\n")}`,
  "a NUL after the first 8 KB": note(FRONT, `${"Filler text. ".repeat(700)}\n\nAfter\u0000 #gp-buy-in #unknown-code.\n`),
  "a NUL after multi-byte text, still inside 8 KB of bytes": note(FRONT, `${"é".repeat(3000)}\n\nAfter\u0000 #gp-buy-in.\n`),
  "a NUL beyond 8 KB of bytes, before 8,192 characters": note(FRONT, `${"é".repeat(4500)}\n\nAfter\u0000 #gp-buy-in.\n`),
};

describe("unsaved text is checked as its saved file would be", () => {
  let s: TmpStudy;
  let c: Client;
  const names = Object.keys(CASES);
  beforeAll(async () => {
    const files: Record<string, string> = {};
    names.forEach((_, i) => {
      files[`notes/Magenta/saved-${i}.md`] = CASES[names[i]];
      files[`notes/Magenta/open-${i}.md`] = note(FRONT, "Clean text #gp-buy-in.\n");
    });
    s = makeStudy(files);
    c = await startClient({ folders: [s.root] });
    await waitFor(() => c.logs.some((l) => /notes indexed/.test(l)), "the study's index");
    await waitFor(() => c.published.has(s.uri("notes/Magenta/saved-0.md")), "the first diagnostics");
  }, 180_000);
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });

  const shape = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.severity} ${JSON.stringify(d.range)} ${d.message}`).sort();

  names.forEach((name, i) => {
    it(name, async () => {
      // Published after the index (a note with none gets none).
      const saved = c.published.get(s.uri(`notes/Magenta/saved-${i}.md`)) ?? [];
      const uri = s.uri(`notes/Magenta/open-${i}.md`);
      c.open(uri, note(FRONT, "Clean text #gp-buy-in.\n"));
      c.change(uri, 2, [{ text: CASES[name] }]);
      await c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 1 } });
      // The request applied the edit first, and published what changed.
      const open = c.published.get(uri) ?? [];
      expect(shape(open)).toEqual(shape(saved));
      if (i < 2 || i === 3) expect(open.map((d) => d.code)).toContain("file-binary");
    });
  });
});
