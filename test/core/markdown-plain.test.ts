// The plain-prose reading (markdown-plain.ts) must give exactly what micromark's does, for every chunk it
// accepts: generated chunks of prose lines, blank lines, tags and punctuation, with characters and line
// starts that are near misses (each makes some chunks Markdown and not plain), compared with scanMarkdown.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { scanMarkdown } from "../../server/core/markdown.js";
import { scanPlainProse } from "../../server/core/markdown-plain.js";
import { LineIndex } from "../../server/core/text.js";
import { parseNoteText } from "../../server/core/index.js";

const word = fc.constantFrom("the", "GP", "nurse", "said", "é", "Zoë", "naïve", "2016", "12", "#gp-buy-in", "#t", "#a1", "#1", "(#t)", '"#q"', "'#x'", "a#b", "#t.", "#t,", "—", "…");
const punct = fc.constantFrom(".", ",", ":", ";", "?", "!", "(", ")", "/", "-", "=", "+", "%", "$", "'", '"', "\u2019", "\u201C");
/** Characters and words that make a line something other than plain prose (or may). */
const nearMiss = fc.constantFrom("*", "_", "`", "~", "[", "]", "<", ">", "&", "\\", "|", "@", "www.x.org", "http://x.org", "\t", "#", "- ", "1. ", "    ", "===", "---", "```", "> ");
const line = fc.oneof(
  { weight: 20, arbitrary: fc.array(fc.oneof({ weight: 30, arbitrary: word }, { weight: 8, arbitrary: punct }, { weight: 1, arbitrary: nearMiss }), { minLength: 1, maxLength: 8 }).map((ws) => ws.join(" ")) },
  { weight: 3, arbitrary: fc.constantFrom("", "  ", " \t") },
  { weight: 1, arbitrary: fc.tuple(nearMiss, word).map(([a, b]) => a + b) },
);
const ending = fc.constantFrom("\n", "\r\n", "\r", "  \n");
const chunk = fc.array(fc.tuple(line, ending), { minLength: 1, maxLength: 6 }).map((ls) => ls.map(([l, e]) => l + e).join(""));

const withoutCost = <T extends { cost: number }>(s: T) => ({ ...s, cost: 0 });

describe("plain prose is read without the parser, exactly as the parser reads it", () => {
  it("a paragraph of many tags, repeated and new past the first sixteen, lists each code once in order", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `t${i % 25}x`); // 25 distinct, 15 repeats
    const text = `Said ${ids.map((id) => `#${id}`).join(" and ")} then\nmore #t3x and #new-one\n`;
    const plain = scanPlainProse(text, new LineIndex(text))!;
    expect(plain).toBeDefined();
    expect(plain.segments[0].codes).toEqual([...new Set([...ids, "t3x", "new-one"])]);
    expect(plain).toEqual(withoutCost(scanMarkdown(text, new LineIndex(text))));
  });

  it("any chunk it accepts gives micromark's codes, segments and ranges", () => {
    let accepted = 0;
    fc.assert(
      fc.property(chunk, (text) => {
        const plain = scanPlainProse(text, new LineIndex(text));
        if (!plain) return;
        accepted++;
        expect(plain).toEqual(withoutCost(scanMarkdown(text, new LineIndex(text))));
      }),
      { numRuns: 3000 },
    );
    // The generator reaches both sides.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2900);
  }, 120_000);

  it("refuses what micromark reads as more than paragraphs", () => {
    for (const text of ["*a* #t\n", "Text\n===\n", "Text\n- item #t\n", "a www.x.org/(#t)\n", "a http://x.org/#t\n", "a@b.org #t\n", "a [#t]\n", "a `#t`\n", "a &amp; #t\n", "a \\#t\n", "a | #t\n", "    code #t\n", "1. item #t\n"]) {
      expect({ text, plain: scanPlainProse(text, new LineIndex(text)) }).toEqual({ text, plain: undefined });
    }
  });

  it("a closed fence at column 0 holds nothing; an unclosed one or text after it is parsed", () => {
    const empty = { codes: [], segments: [], open: false, declared: { links: [], footnotes: [] }, cost: 0 };
    expect(scanPlainProse("```js\nx #t\n```\n\n", new LineIndex("```js\nx #t\n```\n\n"))).toEqual(empty);
    expect(scanPlainProse("~~~\n#t\n~~~~\n", new LineIndex("~~~\n#t\n~~~~\n"))).toEqual(empty);
    for (const text of ["```\nx #t\n", "```\nx\n```\nafter #t\n", "```a`b\nx #t\n```\n", "  ```\nx\n```\n"]) {
      expect({ text, plain: scanPlainProse(text, new LineIndex(text)) }).toEqual({ text, plain: undefined });
    }
  });

  it("a note of prose and Markdown chunks reads the same cold and in the editor", () => {
    const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";
    const body = Array.from({ length: 300 }, (_, i) => (i % 3 ? `Plain prose ${i}, said the GP. #t${i % 7}x\n\n` : `- a list item #l${i % 5}x\n\n`)).join("");
    const cold = parseNoteText(FM + body);
    expect(cold.diagnostics).toEqual([]);
    expect(cold.codes.length).toBe(300);
    expect(parseNoteText(FM + body, false, new Map())).toEqual(cold);
  });
});
