// Text handling: bytes to text (BOM, invalid UTF-8, binary detection) and offset <-> LSP position.
import type { Position, Range } from "./types.js";

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface DecodedText {
  text: string;
  /** True when the bytes held invalid UTF-8 (replaced by U+FFFD). */
  invalidUtf8: boolean;
  binary: boolean;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** Decodes file bytes; the decoder drops a leading BOM, so offset 0 is the character after it. */
export function decodeBytes(bytes: Uint8Array): DecodedText {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { text: "", invalidUtf8: false, binary: true };
  try {
    return { text: strictDecoder.decode(bytes), invalidUtf8: false, binary: false };
  } catch {
    return { text: lenientDecoder.decode(bytes), invalidUtf8: true, binary: false };
  }
}

/**
 * Maps UTF-16 offsets of a text to LSP positions. Lines end at LF, CRLF or a lone CR (SPEC section 5,
 * as LSP and CommonMark count them); the line break is not part of the line's content.
 */
export class LineIndex {
  /** Offset where each line starts (0-based line numbers index it). */
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    let character = o - this.starts[lo];
    // A position inside a CRLF pair is the end of the line's content.
    const lineEnd = this.lineEnd(lo);
    if (o > lineEnd) character = lineEnd - this.starts[lo];
    return { line: lo, character };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[pos.line];
    return Math.min(start + Math.max(0, pos.character), this.lineEnd(pos.line));
  }

  /** Offset just past the line's content (before its \r\n, \n or \r). */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1];
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 && next - 2 >= this.starts[line] ? next - 2 : next - 1;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line], this.lineEnd(line));
  }
}

export function lineRange(index: LineIndex, line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: index.lineEnd(line) - index.starts[line] } };
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function containsPosition(range: Range, pos: Position): boolean {
  const afterStart = pos.line > range.start.line || (pos.line === range.start.line && pos.character >= range.start.character);
  const beforeEnd = pos.line < range.end.line || (pos.line === range.end.line && pos.character <= range.end.character);
  return afterStart && beforeEnd;
}

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}
