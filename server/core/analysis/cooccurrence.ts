// Code co-occurrence (SPEC 12.4): how many coded segments carry each pair of codes inline.
import type { Study } from "../study.js";
import { AnalysisUsageError, noteMatcher, parseFilters, segmentFilterNames, type Filters } from "./filters.js";
import { studySegments } from "./segments.js";

/** Note-level filters for co-occurrence; a segment-level filter is a usage error. */
export function parseCooccurrenceFilters(pairs: [string, string][], study: Study): Filters {
  const filters = parseFilters(pairs, { config: study.config!, codebook: study.codebook });
  const segmentLevel = segmentFilterNames(filters);
  if (segmentLevel.length) {
    throw new AnalysisUsageError(`'${segmentLevel[0]}' is a segment filter; co-occurrence counts segments of the notes you choose and takes only note filters (practice, participant, type, from, to, practice.ATTR, participant.ATTR).`);
  }
  return filters;
}

/**
 * A square matrix over the codebook's codes (codebook order): cell [i][j] counts the coded segments of
 * the included notes passing `filters` that carry both code i and code j inline; the diagonal counts the
 * segments carrying the code. Returns the code ids and the counts.
 */
export function cooccurrence(study: Study, filters: Filters): { codes: string[]; counts: number[][] } {
  const codes = [...study.codebook.order];
  const index = new Map(codes.map((c, i) => [c, i]));
  const counts = codes.map(() => new Array<number>(codes.length).fill(0));
  const match = noteMatcher(filters, study.config!);
  for (const s of studySegments(study)) {
    if (!match(s)) continue;
    const ids = s.codes.map((c) => index.get(c)).filter((i): i is number => i !== undefined);
    for (const i of ids) for (const j of ids) counts[i][j]++;
  }
  return { codes, counts };
}
