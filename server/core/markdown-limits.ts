// What micromark cannot parse in bounded time, found by one linear pass over a note's body before
// it is parsed. Measured (bench/hostile.mjs, micromark 4 with GFM), micromark's time grows faster
// than the text only in these places:
// - list and block-quote nesting: every line pays for every open container, and (before
//   micromark-linear.ts) every container closing copied the document's events;
// - one paragraph's inline text: merging its text runs splices the paragraph's event list once per
//   line (resolveAllText), a lazy continuation line scans the paragraph back to its start, and
//   emphasis and link markers are matched against each other (`*a` 16,000 times: 5 s);
// Indentation, blank lines of spaces, and anything inside fenced code or HTML blocks cost nothing
// of the kind, so they are never counted; a table's rows are separate inline texts, so a long table
// is counted row by row.
import type { LineIndex } from "./text.js";
import { closesFence, fenceOpened, unclosedHtmlBlock } from "./markdown.js";

/** SPEC section 6: lists or block quotes nested beyond this many levels are not parsed. */
export const MAX_MARKDOWN_DEPTH = 32;
/** At most this many open containers summed over the lines (each line pays for each, every parse). */
export const NESTING_BUDGET = 2_000_000;
/** One paragraph (or table row): at most this many lines, characters and emphasis/link markers. */
export const BLOCK_MAX_LINES = 4000;
export const BLOCK_MAX_CHARS = 512 * 1024;
export const BLOCK_MAX_MARKERS = 4000;
/**
 * The parser's work for one note, in parseCost units (markdown.ts: events plus a sixteenth of the
 * characters), summed chunk by chunk. At 10-17 µs a unit on the shared 2-core test machine under the
 * load of eight sessions (bench/hostile-cli.mjs), this keeps any note of up to 10 MB, with the linear
 * scans around the parse (about 1.5 s of CPU at 10 MB), within issue 9's budget of 5 s. Plain prose
 * and closed fences cost nothing here (markdown-plain.ts); prose with links and emphasis costs about
 * 200,000 units a MB, dense lists or footnotes 1 to 2 million, so only a note of hundreds of KB of
 * markup (thousands of list items, footnotes or definitions) reaches it.
 */
export const PARSE_BUDGET = 250_000;
/** The squares of paragraphs' lines and of their markers, summed over the note, are bounded too. */
const SQUARES_BUDGET = 2 * BLOCK_MAX_LINES ** 2;

export interface TooHeavy {
  /** Offset of the line to point at. */
  offset: number;
  kind: "nesting" | "block" | "table";
  why: string;
}

type Container = { quote: true } | { quote: false; width: number };

const THEMATIC = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_MARKER = /^([-*+]|\d{1,9}[.)])(?=[ \t]|$)/;
const ATX = /^#{1,6}(?:[ \t]|$)/;
/** A link reference or footnote definition: micromark reads a run of them in linear time. */
const DEFINITION = /^\[(?:[^\]\\\r\n]|\\.)+\]:/;
const DELIMITER_ROW = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** Width of the spaces and tabs at the start of `s` from column `col` (tabs stop every 4 columns). */
function indentOf(s: string, col: number): { chars: number; width: number } {
  let i = 0;
  let c = col;
  for (; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 32) c++;
    else if (ch === 9) c += 4 - (c % 4);
    else break;
  }
  return { chars: i, width: c - col };
}

/**
 * The first place in the body (from `bodyStart`) that micromark could not parse in bounded time,
 * with why, or undefined. Follows CommonMark's container rules (block quotes, list items, lazy
 * continuation lines) closely enough to know each line's real nesting; lines inside fenced code and
 * HTML blocks of kinds 1-5 are not looked into.
 */
export function tooHeavyForParser(index: LineIndex, bodyStart: number): TooHeavy | undefined {
  const stack: Container[] = [];
  let fence: { marker: string; depth: number } | undefined;
  let html: { end: RegExp; depth: number } | undefined;
  let paragraph = false;
  let table = false;
  let nesting = 0;
  let tableStart = 0;
  let tableChars = 0;
  let squares = 0;
  // The inline text being read (a paragraph, or one table row).
  let unitStart = -1;
  let unitLines = 0;
  let unitChars = 0;
  let unitMarkers = 0;
  const endUnit = () => {
    unitStart = -1;
    unitLines = unitChars = unitMarkers = 0;
  };

  for (let line = index.position(bodyStart).line; line < index.lineCount; line++) {
    const lineStart = index.starts[line];
    const text = index.lineText(line);
    let pos = 0;
    let col = 0;
    // Continue the open containers.
    let matched = 0;
    for (; matched < stack.length; matched++) {
      const c = stack[matched];
      const ind = indentOf(text.slice(pos), col);
      const rest = text.slice(pos + ind.chars);
      if (c.quote) {
        if (ind.width > 3 || rest[0] !== ">") break;
        pos += ind.chars + 1;
        col += ind.width + 1;
        if (text[pos] === " " || text[pos] === "\t") (pos++, col++);
      } else if (rest === "") {
        pos = text.length;
      } else if (ind.width >= c.width) {
        // Consume the item's width; what is left of the indentation stays with the content.
        let need = c.width;
        while (need > 0 && pos < text.length) {
          const w = text[pos] === "\t" ? 4 - (col % 4) : 1;
          if (w > need) break;
          need -= w;
          col += w;
          pos++;
        }
      } else break;
    }
    let rest = text.slice(pos);
    const blank = rest.trim() === "";
    if (fence || html) {
      const depth = fence ? fence.depth : html!.depth;
      if (matched >= depth) {
        if (fence ? closesFence(rest, fence.marker) : html!.end.test(rest)) fence = html = undefined;
        continue;
      }
      // A container the block was in has ended, and the block with it.
      fence = html = undefined;
      stack.length = matched;
    }
    if (blank) {
      stack.length = matched;
      paragraph = table = false;
      endUnit();
      continue;
    }
    // Open new containers.
    const opened: Container[] = [];
    for (;;) {
      const ind = indentOf(rest, col);
      if (ind.width >= 4) break;
      const r = rest.slice(ind.chars);
      if (r[0] === ">") {
        opened.push({ quote: true });
        let take = ind.chars + 1;
        if (r[1] === " " || r[1] === "\t") take++;
        col += ind.width + (take - ind.chars);
        rest = rest.slice(take);
        continue;
      }
      if (THEMATIC.test(r)) break;
      const m = LIST_MARKER.exec(r);
      if (!m) break;
      const after = r.slice(m[0].length);
      const sp = indentOf(after, col + ind.width + m[0].length);
      const contentBlank = after.trim() === "";
      const spaces = contentBlank || sp.width > 4 ? 1 : sp.width;
      opened.push({ quote: false, width: m[0].length + spaces });
      col += ind.width + m[0].length + (contentBlank || sp.width > 4 ? Math.min(1, sp.width) : sp.width);
      rest = contentBlank ? "" : sp.width > 4 ? after.slice(1) : after.slice(sp.chars);
    }
    if (opened.length) {
      stack.length = matched;
      stack.push(...opened);
      paragraph = table = false;
      endUnit();
    } else if (matched < stack.length && !paragraph) {
      stack.length = matched;
    }
    // (A line that continues a paragraph lazily keeps the containers it did not repeat.)
    if (stack.length > MAX_MARKDOWN_DEPTH) {
      return { offset: lineStart, kind: "nesting", why: `lists or block quotes nest more than ${MAX_MARKDOWN_DEPTH} levels here` };
    }
    if ((nesting += stack.length) > NESTING_BUDGET) {
      return { offset: lineStart, kind: "nesting", why: "the note holds too many lines inside nested lists or block quotes, up to here" };
    }
    // The leaf block this line holds.
    const leaf = rest.slice(indentOf(rest, col).chars);
    const codeIndent = indentOf(rest, col).width >= 4 && !paragraph;
    if (codeIndent || rest.trim() === "") {
      paragraph = table = false;
      endUnit();
      continue;
    }
    const marker = fenceOpened(rest);
    if (marker) {
      fence = { marker, depth: stack.length };
      paragraph = table = false;
      endUnit();
      continue;
    }
    const htmlEnd = unclosedHtmlBlock(rest);
    if (htmlEnd) {
      html = { end: htmlEnd, depth: stack.length };
      paragraph = table = false;
      endUnit();
      continue;
    }
    if (ATX.test(leaf) || (!paragraph && THEMATIC.test(leaf))) {
      paragraph = table = false;
      endUnit();
      // A heading is one line of inline text.
      if (ATX.test(leaf)) {
        const why = unitTooLarge(1, leaf.length, countMarkers(leaf));
        if (why) return { offset: lineStart, kind: "block", why };
      }
      continue;
    }
    // Paragraph text, or a table: a delimiter row under a one-line paragraph with a pipe makes the
    // paragraph a table, and from then on each row is its own inline text.
    if (paragraph && !table && unitLines === 1 && DELIMITER_ROW.test(leaf) && leaf.includes("-") && (leaf.includes("|") || index.lineText(line - 1).includes("|"))) {
      table = true;
    }
    if (table) {
      endUnit();
      // A table cannot be cut into parts: it is one parse, bounded like a paragraph's size.
      if ((tableChars += leaf.length + 1) > BLOCK_MAX_CHARS) return { offset: tableStart, kind: "table", why: `it is more than ${BLOCK_MAX_CHARS / 1024} KB` };
    } else {
      tableStart = unitStart === -1 ? lineStart : unitStart;
      tableChars = unitChars + leaf.length + 1;
    }
    paragraph = true;
    // Definitions before any paragraph text are not inline text.
    if (unitStart === -1 && !table && DEFINITION.test(leaf)) continue;
    if (unitStart === -1) unitStart = lineStart;
    squares += 2 * unitLines + 1;
    unitLines++;
    unitChars += leaf.length + 1;
    const markers = countMarkers(leaf);
    squares += markers * (2 * unitMarkers + markers);
    unitMarkers += markers;
    const why = unitTooLarge(unitLines, unitChars, unitMarkers) ?? (squares > 2 * SQUARES_BUDGET ? "the note has too many large paragraphs, up to here" : undefined);
    if (why) return { offset: unitStart, kind: "block", why };
  }
  return undefined;
}

function countMarkers(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 42 || c === 95 || c === 126 || c === 91) n++; // * _ ~ [
  }
  return n;
}

function unitTooLarge(lines: number, chars: number, markers: number): string | undefined {
  return lines > BLOCK_MAX_LINES ? `it has more than ${BLOCK_MAX_LINES} lines`
    : chars > BLOCK_MAX_CHARS ? `it is more than ${BLOCK_MAX_CHARS / 1024} KB`
    : markers > BLOCK_MAX_MARKERS ? `it has more than ${BLOCK_MAX_MARKERS} emphasis and link markers (* _ ~ [)`
    : undefined;
}
