// Units of agreement: every segment of a note (coded or not), checked against an mdast walk (every
// paragraph, heading and table cell outside code, HTML and definitions) and against the index's coded
// segments; the unit key drops only real tags.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import type { Nodes, Parents, Root } from "mdast";
import { LineIndex, parseNoteText } from "../../server/core/index.js";
import { matchUnits, unitSegments, unitKey } from "../../server/core/agreement/units.js";

const markdown = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);
const SEGMENT_TYPES = new Set(["paragraph", "heading", "tableCell"]);
const OPAQUE_TYPES = new Set(["code", "html", "yaml", "definition"]);

/** Every segment's line and text from the syntax tree. */
function segmentsFromTree(text: string): { line: number; text: string }[] {
  const index = new LineIndex(text);
  const out: { line: number; text: string }[] = [];
  const visit = (node: Nodes) => {
    if (OPAQUE_TYPES.has(node.type)) return;
    if (SEGMENT_TYPES.has(node.type)) {
      let from = node.position!.start.offset!;
      let raw = text.slice(from, node.position!.end.offset);
      if (node.type === "tableCell") {
        if (raw.startsWith("|")) (raw = raw.slice(1)), from++;
        if (raw.endsWith("|") && !raw.endsWith("\\|")) raw = raw.slice(0, -1);
      }
      const lead = raw.length - raw.trimStart().length;
      out.push({ line: index.position(from + lead).line + 1, text: raw.trim() });
      return;
    }
    for (const child of ((node as Parents).children ?? []) as Nodes[]) visit(child);
  };
  visit(markdown.parse(text) as Root);
  return out;
}

const FRONTMATTER = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n";
const LINES = [
  "", "", "", "Plain text.", "Coded #gp-buy-in here.", "#shared-learning at the start", "- a list item", "- item #x-y",
  "> quoted", "> quoted #q", "- [ ] task", "- [x] done #done", "```", "code #no", "<!-- c #h -->", "| a #cell | b |", "|---|---|",
  "| c | d |", "## Heading", "## Heading #h2", "Setext", "===", "`span #x` then", "[ref][r]", "[r]: http://x.org/#d", "[^1]: note #fn",
];
const body = fc.array(fc.constantFrom(...LINES), { maxLength: 25 }).map((ls) => ls.join("\n") + "\n");

describe("units", () => {
  it("every segment, in document order, as the syntax tree has them; coded ones as the index has them", () => {
    fc.assert(
      fc.property(body, (b) => {
        const text = FRONTMATTER + b;
        const all = unitSegments(Buffer.from(text));
        expect(all.map((s) => ({ line: s.line, text: s.text }))).toEqual(segmentsFromTree(text));
        expect(all.filter((s) => s.codes.length).map((s) => ({ line: s.line, text: s.text, codes: s.codes }))).toEqual(parseNoteText(text).segments);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("the unit key drops the segment's tags and collapses whitespace, nothing else", () => {
    expect(unitKey("The team  met #gp-buy-in today. #x", ["gp-buy-in", "x"])).toBe("The team met today.");
    expect(unitKey("Issue #3 and `#code` and a#b stay #done", ["done"])).toBe("Issue #3 and `#code` and a#b stay");
  }, 120_000);

  it("matches the k-th segment with a text in A to the k-th in B; the rest unmatched", () => {
    const seg = (line: number, text: string, codes: string[] = []) => ({ line, text, key: unitKey(text, codes), codes });
    const a = [seg(7, "Same. #x", ["x"]), seg(9, "Same."), seg(11, "Only in A."), seg(13, "#x", ["x"])];
    const b = [seg(7, "Same."), seg(9, "New in B."), seg(11, "Same. #y", ["y"])];
    const m = matchUnits("n.md", a, b);
    expect(m.units.map((u) => [u.a.line, u.b.line])).toEqual([[7, 7], [9, 11]]);
    expect(m.unmatched).toEqual([{ file: "n.md", line: 11, side: "a" }, { file: "n.md", line: 9, side: "b" }]);
  }, 120_000);
});
