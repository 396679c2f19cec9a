// Plain prose: a body chunk whose every line is either blank or a line of words and simple punctuation
// starting at column 0 with a letter or an opening quote. Such a chunk is a run of paragraphs and
// nothing else in CommonMark and GFM: no line can open a block (headings, lists, quotes, code, HTML,
// tables, setext underlines all need another first character or indentation), and no character can
// start an inline construct (emphasis, code, links, footnotes, wikilinks, HTML, escapes, entities,
// autolinks: `* _ ~ \` [ ] < & \\ | @`, `www.` and `://` are not allowed). Its codes and segments are
// therefore read without micromark, in one pass, with the same tag rule, giving exactly what
// scanMarkdown gives (test/core/properties.test.ts compares both with a remark walk). Field notes are
// mostly such prose, so a long ordinary note costs a scan, not a parse (bench/hostile-cli.mjs).
// Likewise a chunk that is one fenced code block opened at column 0 and closed, then blank lines, holds
// nothing to read (code is never body text), so a run of fences costs a scan too.
import type { LineIndex } from "./text.js";
import { closesFence, findTags, type BodyScan } from "./markdown.js";

/** A plain line: a letter or opening quote at column 0, then words, digits, spaces and simple punctuation. */
const PLAIN_LINE = /^[\p{L}"'(\u2018\u201C][\p{L}\p{M}\p{N} .,;:?!'"()/#%+=$\u2018\u2019\u201C\u201D\u2013\u2014\u2026-]*$/u;
/** Blank: spaces and tabs only (a paragraph ends there). */
const BLANK_LINE = /^[ \t]*$/;
/** Whether a line could be part of plain prose (see scanPlainProse): the test runs of chunks use. */
export const isPlainOrBlankLine = (line: string): boolean => PLAIN_LINE.test(line) || BLANK_LINE.test(line);
/** GFM literal autolinks (micromark-extension-gfm-autolink-literal 2: www., http://, https://). */
const AUTOLINK = /www\.|:\/\//i;

/** A fence opened at column 0: its marker, and an info string (no backtick after a backtick fence). */
const FENCE_AT_0 = /^(`{3,})[^`]*$|^(~{3,})/;

/** Is the chunk one closed fenced code block opened at column 0, and nothing else but blank lines? */
function closedFenceOnly(index: LineIndex): boolean {
  const open = FENCE_AT_0.exec(index.lineText(0));
  if (!open) return false;
  const marker = open[1] ?? open[2];
  let line = 1;
  while (line < index.lineCount && !closesFence(index.lineText(line), marker)) line++;
  if (line >= index.lineCount) return false;
  for (line++; line < index.lineCount; line++) if (!BLANK_LINE.test(index.lineText(line))) return false;
  return true;
}

/**
 * The codes and segments of a plain-prose chunk, or of a chunk that is one closed fence (none) (see
 * above), or undefined when the chunk is neither and must be parsed. `index` indexes `text`. Ranges and segment lines are relative to `text`,
 * as scanMarkdown's are; only coded segments are listed, in document order. Linear in the text.
 */
export function scanPlainProse(text: string, index: LineIndex): BodyScan | undefined {
  if (closedFenceOnly(index)) return { codes: [], segments: [], open: false, declared: { links: [], footnotes: [] }, cost: 0 };
  if (AUTOLINK.test(text)) return undefined;
  for (let line = 0; line < index.lineCount; line++) if (!isPlainOrBlankLine(index.lineText(line))) return undefined;
  const out: BodyScan = { codes: [], segments: [], open: false, declared: { links: [], footnotes: [] }, cost: 0 };
  for (let line = 0; line < index.lineCount; ) {
    if (BLANK_LINE.test(index.lineText(line))) {
      line++;
      continue;
    }
    // A paragraph: this line and the non-blank lines after it.
    let last = line;
    while (last + 1 < index.lineCount && !BLANK_LINE.test(index.lineText(last + 1))) last++;
    const from = index.starts[line];
    const to = index.starts[last] + index.lineText(last).length;
    let segment = -1;
    // The segment's distinct codes, in order: looked up in the list while it is short, in a set once a
    // paragraph holds many tags (a set per paragraph costs more than the paragraph's codes).
    let ids: Set<string> | undefined;
    findTags(text, from, to, (hash, id) => {
      if (segment === -1) {
        segment = out.segments.length;
        out.segments.push({ line: line + 1, text: text.slice(from, to).trim(), codes: [] });
      }
      const codes = out.segments[segment].codes;
      if (!ids && codes.length > 16) ids = new Set(codes);
      if (ids ? !ids.has(id) : !codes.includes(id)) {
        ids?.add(id);
        codes.push(id);
      }
      // A tag never spans lines: its three positions are on one line, found once (the ends shared).
      const at = index.position(hash);
      const idStart = { line: at.line, character: at.character + 1 };
      const tagEnd = { line: at.line, character: at.character + 1 + id.length };
      out.codes.push({ id, range: { start: at, end: tagEnd }, idRange: { start: idStart, end: tagEnd }, inline: true, segment });
    });
    line = last + 1;
  }
  return out;
}
