// Coded segments with their note's metadata (SPEC section 12), built from the index's facts and
// readings without parsing any note again.
import type { Codebook, CodedSegment } from "../types.js";
import type { NoteRecord, Study } from "../study.js";
import { segmentConstructs } from "../summary.js";

/** JavaScript's default string order (UTF-16 code units), as the spec orders paths. */
export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The coded segments of one included note, in document order, each with the section 12 fields
 * (`type` and `observer` null when absent, `participants` [] when none). Excluded notes give [].
 */
export function noteSegments(record: NoteRecord, codebook: Codebook): CodedSegment[] {
  const n = record.reading;
  if (!n) return [];
  const out: CodedSegment[] = [];
  for (const seg of record.facts.segments) {
    if (!seg.codes.length) continue;
    out.push({
      file: record.file,
      line: seg.line,
      text: seg.text,
      codes: [...seg.codes],
      constructs: segmentConstructs(seg.codes, codebook),
      practice: n.practice,
      date: n.date,
      type: n.type ?? null,
      observer: n.observer,
      participants: [...n.participants],
    });
  }
  // Facts list segments in document order already; a stable sort by line keeps that promise explicit.
  return out.sort((a, b) => a.line - b.line);
}

/** Included notes (those with a reading), sorted by date, then path: the order of retrieval. */
export function notesByDate(study: Study): NoteRecord[] {
  return [...study.notes.values()]
    .filter((r) => !r.excluded && r.reading)
    .sort((a, b) => byString(a.reading!.date, b.reading!.date) || byString(a.file, b.file));
}

const memo = new WeakMap<Study, { version: number; key: unknown; segments: CodedSegment[] }>();

/**
 * Every coded segment of the study's included notes, sorted by date, then file, then line (SPEC 12.2).
 * Memoised per index version (and codebook), so repeated queries on a warm server do not rebuild them.
 * Callers must not modify the returned objects.
 */
export function studySegments(study: Study): CodedSegment[] {
  const m = memo.get(study);
  if (m && m.version === study.version && m.key === study.codebook) return m.segments;
  const segments: CodedSegment[] = [];
  for (const r of notesByDate(study)) for (const s of recordSegments(r, study.codebook)) segments.push(s);
  memo.set(study, { version: study.version, key: study.codebook, segments });
  return segments;
}

const byRecord = new WeakMap<NoteRecord, { codebook: Codebook; reading: unknown; segments: CodedSegment[] }>();

/**
 * A note's coded segments, kept while its record, reading and the codebook stay the same: after a
 * keystroke in the editor (a new index version) only the edited note's segments are built again.
 */
function recordSegments(record: NoteRecord, codebook: Codebook): CodedSegment[] {
  const reading = record.reading;
  const m = byRecord.get(record);
  if (m && m.codebook === codebook && m.reading === reading) return m.segments;
  const segments = noteSegments(record, codebook);
  byRecord.set(record, { codebook, reading, segments });
  return segments;
}
