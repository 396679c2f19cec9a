// How the codebook is used: per code, in codebook order, how many included notes and coded segments
// carry it. The data of the editor's Codebook view and of the CodeLens in codebook.yaml.
import type { Study } from "./study.js";
import { segmentConstructs } from "./summary.js";

/** One code of the codebook with its use (SPEC section 10, `fieldnotes/codes`). */
export interface CodeUsage {
  id: string;
  label: string | null;
  parent: string | null;
  deprecated: boolean;
  npt: string | null;
  /** Included notes where the code appears (frontmatter or inline), as the Summary's `codes[id].notes` summed over practices. */
  notes: number;
  /** Segments carrying the code inline (once per segment), summed over practices. */
  segments: number;
}

/**
 * Every code of the study's codebook, in codebook order, with its use over the included notes.
 * Counts are the Summary's per-practice `codes` (SPEC section 9) summed over practices, so the
 * editor's views and the reports never disagree. Reflects the index as it stands (unsaved editor
 * text included when the language server has applied it).
 */
export function codeUsage(study: Study): CodeUsage[] {
  const totals = new Map<string, { notes: number; segments: number }>();
  // An invalid fieldnotes.yaml has no Summary: the codebook is still listed, unused.
  for (const p of study.config ? study.summary().practices : []) {
    for (const [id, c] of Object.entries(p.codes)) {
      const t = totals.get(id) ?? { notes: 0, segments: 0 };
      t.notes += c.notes;
      t.segments += c.segments;
      totals.set(id, t);
    }
  }
  return study.codebook.order.map((id) => {
    const e = study.codebook.codes.get(id)!;
    const t = totals.get(id);
    return {
      id,
      label: e.label ?? null,
      parent: e.parent ?? null,
      deprecated: e.deprecated,
      npt: e.npt ?? null,
      notes: t?.notes ?? 0,
      segments: t?.segments ?? 0,
    };
  });
}

/** One segment of a note for the editor's margin marks: 1-based first and last line, codes, constructs. */
export interface NoteSegmentMark {
  line: number;
  endLine: number;
  codes: string[];
  constructs: string[];
}

/**
 * The coded segments of one note (by root-relative path), with the core NPT constructs their codes
 * map to (section 4 order): what the editor marks in the gutter. Empty for a note that is not in the
 * index; an excluded note still shows its segments, since the researcher is editing it.
 */
export function noteSegmentMarks(study: Study, rel: string): NoteSegmentMark[] {
  const record = study.notes.get(rel);
  if (!record) return [];
  return record.facts.segments.map((s) => ({
    line: s.line,
    endLine: s.line + lineBreaks(s.text),
    codes: s.codes,
    constructs: segmentConstructs(s.codes, study.codebook),
  }));
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}
