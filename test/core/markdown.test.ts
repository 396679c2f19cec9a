// The index reads micromark's events instead of building a syntax tree. This checks that reading
// against the obvious way: walk the mdast tree from unified + remark-parse + remark-gfm (text nodes
// inside paragraphs, headings and table cells; code, HTML, images, definitions and autolinks
// skipped) and find the same codes, with the same ranges, in the same segments.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import type { Nodes, Parents, Root } from "mdast";
import { LineIndex, parseNoteText } from "../../server/core/index.js";
import type { CodeUse, SegmentFact } from "../../server/core/types.js";

const markdown = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);
const TAG = /#([A-Za-z0-9][A-Za-z0-9-]*)/g;
const SEGMENT_TYPES = new Set(["paragraph", "heading", "tableCell"]);
const OPAQUE_TYPES = new Set(["code", "inlineCode", "html", "yaml", "definition", "image", "imageReference", "footnoteReference"]);

/** The reference: codes and segments of a whole note from an mdast walk. */
function fromTree(text: string): { codes: CodeUse[]; segments: SegmentFact[] } {
  const index = new LineIndex(text);
  const codes: CodeUse[] = [];
  const segments: SegmentFact[] = [];
  const ids = new Map<Nodes, number>();
  const root = markdown.parse(text) as Root;
  // SPEC section 5: nothing inside a wikilink [[…]] (on one line) is a code.
  const wikilinks = [...text.matchAll(/\[\[(?:(?!\]\])[^\r\n])*\]\]/g)].map((m) => [m.index!, m.index! + m[0].length]);
  const visit = (node: Nodes, segment: Nodes | undefined) => {
    if (OPAQUE_TYPES.has(node.type)) return;
    // mdast-util-gfm-autolink-literal makes links of bare URLs that micromark left as text (after an
    // unclosed `[`), without positions: a bare URL is never body text for codes.
    if (!node.position) return;
    const pos = node.position;
    if (SEGMENT_TYPES.has(node.type)) segment = node;
    if (node.type === "link" && text[pos.start.offset!] !== "[") return; // autolink or bare URL
    if (node.type === "text" && segment) {
      const slice = text.slice(pos.start.offset, pos.end.offset);
      for (const m of slice.matchAll(TAG)) {
        const hash = pos.start.offset! + m.index!;
        const before = text[hash - 1];
        if (!/[A-Za-z]/.test(m[1]) || (hash > 0 && !/[\p{White_Space}([{"']/u.test(before))) continue;
        if (wikilinks.some(([s, e]) => hash >= s && hash < e)) continue;
        let id = ids.get(segment);
        if (id === undefined) {
          ids.set(segment, (id = segments.length));
          let from = segment.position!.start.offset!;
          let raw = text.slice(from, segment.position!.end.offset);
          if (segment.type === "tableCell") {
            if (raw.startsWith("|")) (raw = raw.slice(1)), from++;
            if (raw.endsWith("|") && !raw.endsWith("\\|")) raw = raw.slice(0, -1);
          }
          const lead = raw.length - raw.trimStart().length;
          segments.push({ line: index.position(from + lead).line + 1, text: raw.trim(), codes: [] });
        }
        if (!segments[id].codes.includes(m[1])) segments[id].codes.push(m[1]);
        codes.push({ id: m[1], range: index.range(hash, hash + 1 + m[1].length), idRange: index.range(hash + 1, hash + 1 + m[1].length), inline: true, segment: id });
      }
      return;
    }
    for (const child of ((node as Parents).children ?? []) as Nodes[]) visit(child, segment);
  };
  visit(root, undefined);
  return { codes, segments };
}

const FRONTMATTER = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n";

// Lines with every inline and block construct near a tag.
const LINES = [
  "", "", "", "Plain text with #gp-buy-in and more.", "#shared-learning at the start", "  indented #team-dynamics",
  "- a list item #patient-support", "  - nested #leadership", "1. numbered #a1", "> quoted #quote-code", "> ",
  "- [ ] task #todo-code", "- [x] done #done-code", "* [ ]  #after-check", "```", "~~~", "    code #not-a-tag",
  "<!-- comment #hidden", "-->", "<div>#html</div>", "<span>#inline-html</span> #after-html",
  "| a #cell | b |", "|---|---|", "| c | #d-e |", "| esc \\| #pipe |", "## Heading #head", "# #only-tag", "## closing #x ##",
  "Setext #title", "===", "---", "`span #x` then #y", "*emph #em* and **strong #st** ~~gone #del~~ _#under_",
  "#ab*c* #ab**d** #ab~~e~~ #ab`f`", "[link #text](http://x.org/#frag) #after-link", "![image #alt](i.png) #after-image",
  "[ref #label][r] [^1] [^#fn-call]", "<http://x.org/#auto> www.example.com/#www https://x.org/#bare", "mail #ab-c@example.org",
  "\\#escaped &#35;ref #ok&amp;more #a\\-b", "hard break #one  ", "hard escape #two\\", "item #3", "#x-1 #-y #9z",
  "text after (#paren) [#bracket] {#brace} \"#dq\" '#sq'", "😀 #emoji-code", "中文 #cjk", "tab\t#tabbed",
  "[^1]: footnote #fn-def", "[r]: http://x.org/#def-dest", "![alt #img-ref][r] and [text #t][R] [r]", "> [r]: quoted.png",
  "- [^2]: in a list #fn-list", "see [[#Heading]] and [[note#Sec|alias #x]] #after-wiki", "[[no wikilink #wiki ] ]", "]] [[a]]#b [[c #d]]",
  "a\uFEFF#bom-before \u200B#zwsp \u00A0#nbsp \u3000#ideo \u0085#nel", "![alt #in-alt](i.png 'title #t')", "[^2] #call-two", "[R]:", "  http://x.org/#next-line", "<pre>", "</pre>", "   ```", "````",
];

/** More runs by hand: FIELDNOTES_FUZZ_RUNS=30000 npx vitest run test/core/markdown.test.ts */
const RUNS = Number(process.env.FIELDNOTES_FUZZ_RUNS ?? 1500);

const body = fc.array(fc.constantFrom(...LINES), { minLength: 0, maxLength: 30 }).map((ls) => ls.join("\n") + "\n");

describe("codes from micromark events", () => {
  it("equal those of an mdast walk, cold and with an editor's chunk cache (CRLF and lone CR too)", () => {
    fc.assert(
      fc.property(body, fc.constantFrom("\n", "\r\n", "\r"), (b, eol) => {
        const text = (FRONTMATTER + b).replace(/\n/g, eol);
        const expected = fromTree(text);
        const cold = parseNoteText(text);
        expect({ codes: cold.codes.filter((c) => c.inline), segments: cold.segments }).toEqual(expected);
        const edited = parseNoteText(text, false, new Map());
        expect({ codes: edited.codes.filter((c) => c.inline), segments: edited.segments }).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  }, 60_000 + RUNS * 40);

  it("equal those of an mdast walk in long notes of short paragraphs (runs of plain prose read at once)", () => {
    // Over 64 chunks, runs of plain-prose paragraphs are read together (note.ts collectBody): mostly
    // plain lines and blank lines, with any construct now and then so that some runs are not plain.
    const PLAIN = ["Plain text with #gp-buy-in and more.", "Said #t1x and more", "The team met, then left.", "“Quoted” words #q-2 (and #paren)", "", "", ""];
    const longBody = fc
      .array(fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...PLAIN) }, { weight: 1, arbitrary: fc.constantFrom(...LINES) }), { minLength: 150, maxLength: 600 })
      .map((ls) => ls.join("\n") + "\n");
    fc.assert(
      fc.property(longBody, fc.constantFrom("\n", "\r\n"), (b, eol) => {
        const text = (FRONTMATTER + b).replace(/\n/g, eol);
        const cold = parseNoteText(text);
        expect({ codes: cold.codes.filter((c) => c.inline), segments: cold.segments }).toEqual(fromTree(text));
        const edited = parseNoteText(text, false, new Map());
        expect({ codes: edited.codes.filter((c) => c.inline), segments: edited.segments }).toEqual({ codes: cold.codes.filter((c) => c.inline), segments: cold.segments });
      }),
      { numRuns: Math.max(100, Math.round(RUNS / 10)) },
    );
  }, 120_000);

  it("read a note without frontmatter the same way", () => {
    fc.assert(
      fc.property(body, (b) => {
        // A first line "---" opens frontmatter (then the note has no body to read): not this case.
        fc.pre(!b.startsWith("---"));
        const facts = parseNoteText(b);
        expect({ codes: facts.codes, segments: facts.segments }).toEqual(fromTree(b));
      }),
      { numRuns: 300 },
    );
  });
});
