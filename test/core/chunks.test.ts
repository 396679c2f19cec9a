// The editor's incremental parse (only the changed chunk of the body is parsed again) must give
// exactly what a whole-note parse gives: same codes with the same ranges, same segments.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineIndex, parseNoteText } from "../../server/core/index.js";
import { bodyChunkStarts, type ChunkCache } from "../../server/core/note.js";

const FRONTMATTER = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n";

// Lines that exercise every construct that may or may not run across a blank line.
const LINES = [
  "", "", "", "Plain text with #gp-buy-in and more.", "#shared-learning at the start", "  indented #team-dynamics",
  "- a list item #patient-support", "  - nested #leadership", "1. numbered #a1", "> quoted #quote-code", "> ",
  "```", "```js", "~~~", "    code #not-a-tag", "<!-- comment #hidden", "-->", "<script>", "</script>", "<div>#html</div>",
  "| a #cell | b |", "|---|---|", "| c | #d-e |", "## Heading #head", "Setext #title", "===", "---", "`span #x` then #y",
  "[link #text](http://x.org/#frag)", "<http://x.org/#auto>", "\\#escaped &#35;ref", "item #3", "[^1]: note #fn",
  "   ```", "<div>", "</div>", "<pre>", "</pre>", "<!-- one line -->", "<?php", "?>", "<![CDATA[", "]]>", "<!DOCTYPE x", "    ```", "````", "text after (#paren) [#bracket] {#brace} \"#dq\" '#sq'", "😀 #emoji-code", "中文 #cjk",
];

const body = fc.array(fc.constantFrom(...LINES), { minLength: 0, maxLength: 40 }).map((ls) => ls.join("\n") + "\n");

function comparable(text: string, chunks?: ChunkCache) {
  const f = parseNoteText(text, false, chunks);
  return { codes: f.codes, segments: f.segments, diagnostics: f.diagnostics };
}

describe("chunked body parse", () => {
  it("equals the whole-note parse on generated bodies", () => {
    fc.assert(
      fc.property(body, (b) => {
        const text = FRONTMATTER + b;
        expect(comparable(text, new Map())).toEqual(comparable(text));
      }),
      { numRuns: 400 },
    );
  });

  it("stays equal across edits with a warm chunk cache (CRLF too)", () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.constantFrom(...LINES), fc.boolean(), (b, at, insert, crlf) => {
        const cache: ChunkCache = new Map();
        const nl = (s: string) => (crlf ? s.replace(/\n/g, "\r\n") : s);
        const before = nl(FRONTMATTER + b);
        comparable(before, cache);
        const lines = (FRONTMATTER + b).split("\n");
        const pos = 5 + (at % Math.max(1, lines.length - 5));
        lines.splice(pos, 0, insert);
        const after = nl(lines.join("\n"));
        expect(comparable(after, cache)).toEqual(comparable(after));
      }),
      { numRuns: 400 },
    );
  });

  it("cuts only at column-0 lines after a blank line, outside fences and HTML comments", () => {
    const text = FRONTMATTER + "A #a\n\nB #b\n\n```\n\nnot #cut\n```\n\n<!--\n\nhidden\n-->\n\nC #c\n";
    const index = new LineIndex(text);
    const starts = bodyChunkStarts(text, index, index.starts[5])!.map((o) => index.position(o).line);
    expect(starts).toEqual([5, 7, 9, 14, 19]);
    const facts = parseNoteText(text, false, new Map());
    expect(facts.codes.map((c) => c.id)).toEqual(["a", "b", "c"]);
  });

  it("hands every chunk the note's link and footnote definitions, wherever they stand", () => {
    const image = "An image ![photo of the board #board-photo][img] and a note[^n] #after\n";
    const defined = FRONTMATTER + image + "\n> [img]: board.png\n\n[^n]: footnote text #in-footnote\n";
    for (const chunks of [undefined, new Map()]) {
      // [img] is defined (in a block quote, in a later chunk): an image reference, whose alt text holds no codes.
      const f = parseNoteText(defined, false, chunks);
      expect(f.codes.map((c) => c.id)).toEqual(["after", "in-footnote"]);
      expect(comparable(defined, chunks)).toEqual(comparable(defined));
    }
    // Undefined, the same text is literal, and its tag counts.
    expect(parseNoteText(FRONTMATTER + image).codes.map((c) => c.id)).toEqual(["board-photo", "after"]);
  });

  it("reuses unchanged chunks: an edit re-parses only its own chunk", () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} about the link worker #code-${String.fromCharCode(97 + (i % 26))}.`);
    const text = FRONTMATTER + paragraphs.join("\n\n") + "\n";
    const cache: ChunkCache = new Map();
    parseNoteText(text, false, cache);
    const kept = new Set(cache.values());
    const edited = text.replace("Paragraph 7 about", "Paragraph 7 still about");
    parseNoteText(edited, false, cache);
    const reused = [...cache.values()].filter((v) => kept.has(v)).length;
    expect(reused).toBe(cache.size - 1);
  });
});
