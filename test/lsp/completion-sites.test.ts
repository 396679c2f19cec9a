// Completion after `#` only where a code would count, over a real stdio connection. Each case is
// checked twice: against what a researcher expects, and against the index itself (the code typed
// there is, or is not, a code use the server knows: hover finds it), so completion and `check` agree.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompletionList, Hover } from "vscode-languageserver-protocol";
import { makeStudy, note, startClient, waitFor, type Client, type TmpStudy } from "./helpers.js";
import { ensureBuilt } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);

/** Bodies with the cursor at `|` (just after a `#`), and whether a code typed there counts. */
const CASES: [string, string, boolean][] = [
  ["a paragraph", "We agreed. #|\n", true],
  ["a heading", "## Meeting #|\n", true],
  ["a list item", "- the rota #|\n", true],
  ["an inline HTML comment", "Text <!-- later #| --> more.\n", false],
  ["an HTML comment block", "<!--\nTo code later: #|\n-->\n", false],
  ["an HTML comment block across a blank line", "<!-- draft\n\nstill a comment #|\n-->\n", false],
  ["a <div> block", "<div>\nInside #|\n</div>\n", false],
  ["a paragraph after a <div> block ended by a blank line", "<div>\n\nOutside #|\n\n</div>\n", true],
  ["a fenced code block", "```\ncode #|\n```\n", false],
  ["an inline code span", "Use `#|` here.\n", false],
  ["a link destination", "[see](#|)\n", false],
  ["a link's text", "[see #|](http://example.org)\n", true],
];

describe("completion where `#` can be a code, and nowhere else", () => {
  let s: TmpStudy;
  let c: Client;
  beforeAll(async () => {
    s = makeStudy({});
    c = await startClient({ folders: [s.root] });
    await waitFor(() => c.logs.some((l) => /notes indexed/.test(l)), "the study's index");
  }, 180_000);
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });

  CASES.forEach(([what, body, counts], i) => {
    it(`${what}: ${counts ? "completion" : "none"}`, async () => {
      const text = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", body.replace("|", ""));
      const at = note("practice: Magenta\ndate: 2016-03-14\nnpt: coherence", body).indexOf("|");
      const before = text.slice(0, at).split("\n");
      const position = { line: before.length - 1, character: before[before.length - 1].length };
      const uri = s.uri(`notes/Magenta/case-${i}.md`);
      c.open(uri, text);
      const list = (await c.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position })) as CompletionList | null;
      const offered = !!list?.items.some((x) => x.label === "gp-buy-in");
      expect(offered).toBe(counts);
      // The same place, with a code typed: does the index read a code there?
      c.change(uri, 2, [{ text: `${text.slice(0, at)}gp-buy-in${text.slice(at)}` }]);
      const h = (await c.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: position.line, character: position.character + 2 } })) as Hover | null;
      const read = !!h && JSON.stringify(h.contents).includes("GP buy-in");
      expect(read).toBe(offered);
      c.close(uri);
    });
  });
});
