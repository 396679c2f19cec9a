// Positions in REFI-QDA texts. The standard counts Unicode code points from 0, end exclusive; NVivo
// counts UTF-16 code units (measured on NVivo 12 and 15 exports; SPEC section 13). JavaScript strings
// are UTF-16, so every position is turned into a string offset here, and back.
import { LineIndex } from "../text.js";

/**
 * A note body as exported: `text.slice(from)` with every line end (CRLF or a lone CR) made LF, and
 * the given UTF-16 offsets of `text` (each ≥ from, none inside a CRLF pair) turned into code point
 * positions in that body. `positions[i]` answers `offsets[i]`.
 */
export function exportBody(text: string, from: number, offsets: number[]): { body: string; positions: number[] } {
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
  const positions = new Array<number>(offsets.length);
  let k = 0;
  let cp = 0;
  for (let i = from; i <= text.length; i++) {
    while (k < order.length && offsets[order[k]] <= i) positions[order[k++]] = cp;
    if (i === text.length || k === order.length) break;
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue; // CR of a CRLF: dropped
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++; // a surrogate pair is one code point
    }
    cp++;
  }
  while (k < order.length) positions[order[k++]] = cp;
  const body = text.slice(from).replace(/\r\n?/g, "\n");
  return { body, positions };
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * UTF-16 offsets in `text` of code point positions (a position past the end gives -1). Positions
 * need not be sorted; the walk is linear in the text plus the sorting of the positions.
 */
export function codePointsToOffsets(text: string, positions: number[]): number[] {
  // Without a surrogate every code point is one UTF-16 unit: the positions are the offsets.
  if (!SURROGATE.test(text)) return positions.map((p) => (p >= 0 && p <= text.length ? p : -1));
  const order = positions.map((_, i) => i).sort((a, b) => positions[a] - positions[b]);
  const out = new Array<number>(positions.length).fill(-1);
  let k = 0;
  // Negative positions (sorted first) stay -1; left in the order they would hold back every other one.
  while (k < order.length && positions[order[k]] < 0) k++;
  let cp = 0;
  for (let i = 0; i <= text.length; ) {
    while (k < order.length && positions[order[k]] === cp) out[order[k++]] = i;
    if (k === order.length || i === text.length) break;
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    cp++;
  }
  return out;
}

/**
 * Where a note's coded segments stand in its text (the BOM-less text the note was parsed from): for each
 * segment (1-based `line`, trimmed source `text`), the UTF-16 offsets [start, end) of that text, found
 * from the start of its line on; undefined when it cannot be found (never expected).
 */
export function locateSegments(text: string, segments: { line: number; text: string }[]): ([number, number] | undefined)[] {
  const index = new LineIndex(text);
  let cursor = 0;
  return segments.map((seg) => {
    const lineStart = index.starts[Math.min(Math.max(seg.line - 1, 0), index.starts.length - 1)];
    // Segments come in document order and never overlap: start after the last one (two table cells
    // with the same text on one line), else from the line's start.
    const onLine = (at: number) => at !== -1 && index.position(at).line === seg.line - 1;
    let at = text.indexOf(seg.text, Math.max(lineStart, cursor));
    if (!onLine(at)) {
      const first = text.indexOf(seg.text, lineStart);
      if (onLine(first) || at === -1) at = first;
    }
    if (at === -1) return undefined;
    cursor = at + seg.text.length;
    return [at, at + seg.text.length];
  });
}
