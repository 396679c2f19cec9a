// Retrieval (SPEC 12.2): the coded segments that pass the filters, in the study's retrieval order.
import type { CodedSegment } from "../types.js";
import type { Study } from "../study.js";
import { studySegments } from "./segments.js";
import { noteMatcher, segmentMatcher, type Filters } from "./filters.js";

/**
 * Every coded segment of the included notes that passes `filters` (note-level and segment-level),
 * sorted by date, then file (JavaScript string order), then line. The objects are shared with the
 * index's memo: callers must not modify them.
 */
export function querySegments(study: Study, filters: Filters): CodedSegment[] {
  const config = study.config;
  if (!config) return [];
  const note = noteMatcher(filters, config);
  const segment = segmentMatcher(filters);
  return studySegments(study).filter((s) => note(s) && segment(s));
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10000;
