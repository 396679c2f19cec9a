// Retrieval (SPEC 12.2): the coded segments that pass the filters, in the study's retrieval order.
import type { CodedSegment } from "../types.js";
import type { Study } from "../study.js";
import { noteSegments, notesByDate, studySegments } from "./segments.js";
import { noteMatcher, segmentMatcher, type Filters } from "./filters.js";

export interface QueryOptions {
  /**
   * Build (or reuse) every coded segment of the study once and filter that list: right for a server
   * answering many different queries. Without it (a one-shot CLI query) only the notes and segments
   * that can match are turned into coded segments.
   */
  memoise?: boolean;
}

/**
 * Every coded segment of the included notes that passes `filters` (note-level and segment-level),
 * sorted by date, then file (JavaScript string order), then line. With `memoise`, the objects are
 * shared with the index's memo: callers must not modify them.
 */
export function querySegments(study: Study, filters: Filters, options: QueryOptions = {}): CodedSegment[] {
  const config = study.config;
  if (!config) return [];
  const note = noteMatcher(filters, config);
  const segment = segmentMatcher(filters);
  if (options.memoise) return studySegments(study).filter((s) => note(s) && segment(s));
  // Cheap tests first: the note's metadata, then a segment's inline codes, before building anything.
  const wanted = filters.code || filters.under ? new Set([...(filters.code ?? []), ...(filters.under ?? [])]) : undefined;
  const out: CodedSegment[] = [];
  for (const r of notesByDate(study)) {
    const n = r.reading!;
    if (!note({ practice: n.practice, date: n.date, type: n.type ?? null, participants: n.participants })) continue;
    if (wanted && !r.facts.segments.some((s) => s.codes.some((c) => wanted.has(c)))) continue;
    for (const s of noteSegments(r, study.codebook)) if (segment(s)) out.push(s);
  }
  return out;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10000;
