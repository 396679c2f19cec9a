// Units of inter-coder agreement (SPEC section 14): every segment of a note (coded or not), its text
// with the inline codes removed and whitespace runs made one space, matched between two codings of
// the same note by that text (the k-th occurrence in A with the k-th in B).
import { LineIndex, decodeBytes } from "../text.js";
import { findFrontmatter } from "../note.js";
import { precedesTag, scanMarkdown } from "../markdown.js";

export interface Segment {
  /** 1-based line in the note. */
  line: number;
  /** Source text, trimmed, inline codes kept. */
  text: string;
  /** The unit key: text without inline codes, whitespace runs as one space; "" is no unit. */
  key: string;
  /** Distinct inline codes. */
  codes: string[];
}

const TAG = /#([A-Za-z0-9][A-Za-z0-9-]*)/g;

/** A segment's text without its inline codes (only the tags the parser found in it), whitespace normalised. */
export function unitKey(text: string, codes: string[]): string {
  const ids = new Set(codes);
  const stripped = text.replace(TAG, (m, id: string, offset: number) => (ids.has(id) && precedesTag(text, offset) ? "" : m));
  return stripped.replace(/\s+/gu, " ").trim();
}

/**
 * Every segment (paragraph, heading, table cell) of a note's body, in document order, read from its
 * bytes as the core reads notes (BOM dropped, invalid UTF-8 as U+FFFD). Binary files give none.
 */
export function unitSegments(bytes: Uint8Array): Segment[] {
  const decoded = decodeBytes(bytes);
  if (decoded.binary) return [];
  const text = decoded.text;
  const index = new LineIndex(text);
  const fm = findFrontmatter(index);
  const bodyStart = fm === undefined ? 0 : fm === "unclosed" ? text.length : fm.bodyStart;
  if (bodyStart >= text.length) return [];
  const body = text.slice(bodyStart);
  const shift = index.position(bodyStart).line;
  const scanned = scanMarkdown(body, new LineIndex(body), undefined, true);
  return scanned.segments.map((s) => ({ line: s.line + shift, text: s.text, key: unitKey(s.text, s.codes), codes: s.codes }));
}

export interface Unit {
  file: string;
  a: Segment;
  b: Segment;
}

/**
 * Matches the segments of one note in A and B by unit key: the k-th segment with a key in A matches
 * the k-th with that key in B. Segments with an empty key are not units; the rest without a partner
 * are returned as unmatched.
 */
export function matchUnits(file: string, a: Segment[], b: Segment[]): { units: Unit[]; unmatched: { file: string; line: number; side: "a" | "b" }[] } {
  const pending = new Map<string, Segment[]>();
  for (const s of b) {
    if (!s.key) continue;
    const list = pending.get(s.key);
    if (list) list.push(s);
    else pending.set(s.key, [s]);
  }
  const units: Unit[] = [];
  const unmatched: { file: string; line: number; side: "a" | "b" }[] = [];
  const used = new Set<Segment>();
  for (const s of a) {
    if (!s.key) continue;
    const partner = pending.get(s.key)?.shift();
    if (partner) {
      units.push({ file, a: s, b: partner });
      used.add(partner);
    } else unmatched.push({ file, line: s.line, side: "a" });
  }
  for (const s of b) if (s.key && !used.has(s)) unmatched.push({ file, line: s.line, side: "b" });
  return { units, unmatched };
}
