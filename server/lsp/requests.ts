// Custom requests (SPEC section 10): the data of the editor's Codebook, Practices and Segments views,
// so that every LSP client can offer the same views as VS Code. Each answers from the index with the
// open editors' unsaved text applied first.
import { ErrorCodes, LSPErrorCodes, ResponseError } from "vscode-languageserver";
import { findStudyRoot } from "../core/index.js";
import { codeUsage, noteSegmentMarks, type CodeUsage, type NoteSegmentMark } from "../core/codeusage.js";
import type { CodedSegment, Summary } from "../core/index.js";
import { AnalysisUsageError, parseFilters } from "../core/analysis/filters.js";
import { DEFAULT_LIMIT, MAX_LIMIT, querySegments } from "../core/analysis/retrieval.js";
import { asOfProblem, studyAsOf } from "../core/history.js";
import { uriToPath, type StudyHandle, type Workspace } from "./workspace.js";

export const CODES_REQUEST = "fieldnotes/codes";
export const SUMMARY_REQUEST = "fieldnotes/summary";
export const NOTE_SEGMENTS_REQUEST = "fieldnotes/noteSegments";
export const SEGMENTS_REQUEST = "fieldnotes/segments";

/** A ResponseError of kind InvalidParams (-32602) whose message names the bad value. */
export function invalidParams(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/**
 * The study a request's `uri` names: a study's folder or any file in it (the nearest study above it).
 * Throws InvalidParams naming the value when it is missing, not a file URI, or in no study.
 */
export async function studyOfParam(ws: Workspace, params: unknown): Promise<StudyHandle> {
  const uri = params && typeof params === "object" ? (params as { uri?: unknown }).uri : undefined;
  if (typeof uri !== "string" || !uri) throw invalidParams("fieldnotes: the request needs 'uri', the URI of a study folder or of a file in it.");
  const path = uriToPath(uri);
  if (!path) throw invalidParams(`fieldnotes: '${uri}' is not a file: URI.`);
  let handle = ws.studyFor(path);
  if (!handle) {
    const root = findStudyRoot(path);
    if (root) handle = ws.addStudy(root);
  }
  if (!handle) throw invalidParams(`fieldnotes: '${uri}' is not in a study (no fieldnotes.yaml at or above it).`);
  await handle.ready;
  return handle;
}

/** `fieldnotes/codes` {uri} → {codes: CodeUsage[]} in codebook order. */
export function codesRequest(handle: StudyHandle): { codes: CodeUsage[] } {
  return { codes: codeUsage(handle.study) };
}

/** `fieldnotes/summary` {uri, asOf?} → the Summary (SPEC sections 9, 15), as of `asOf` (YYYY-MM-DD) when given. */
export function summaryRequest(handle: StudyHandle, params: unknown): Summary {
  if (!handle.study.config) throw new ResponseError(LSPErrorCodes.RequestFailed, "fieldnotes: the study configuration is invalid; fix fieldnotes.yaml first.");
  const asOf = (params as { asOf?: unknown } | undefined)?.asOf;
  if (asOf === undefined || asOf === null) return handle.study.summary();
  const problem = typeof asOf === "string" ? asOfProblem(asOf) : "asOf must be a date YYYY-MM-DD";
  if (problem) throw invalidParams(`fieldnotes: ${problem}`);
  return studyAsOf(handle.study, asOf as string).summary();
}

/**
 * `fieldnotes/segments` {uri, filters, limit?, offset?} → {total, segments}, exactly as GET /api/segments
 * (SPEC 10, 12.2): `filters` maps the filter names of 12.1 to lists of strings. A bad filter name or
 * value, or a bad limit/offset, is InvalidParams with the same message as the HTTP 400.
 */
export function segmentsRequest(handle: StudyHandle, params: unknown): { total: number; segments: CodedSegment[] } {
  const study = handle.study;
  if (!study.config) throw new ResponseError(LSPErrorCodes.RequestFailed, "fieldnotes: the study configuration is invalid; fix fieldnotes.yaml first.");
  const p = (params ?? {}) as { filters?: unknown; limit?: unknown; offset?: unknown };
  const whole = (name: string, v: unknown, fallback: number, max: number): number => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw invalidParams(`fieldnotes: '${name}' must be a whole number from 0 to ${max}, not '${String(v)}'.`);
    return v;
  };
  const limit = whole("limit", p.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const offset = whole("offset", p.offset, 0, Number.MAX_SAFE_INTEGER);
  const pairs: [string, string][] = [];
  if (p.filters !== undefined && p.filters !== null) {
    if (typeof p.filters !== "object" || Array.isArray(p.filters)) throw invalidParams("fieldnotes: 'filters' must be an object of filter names to lists of strings.");
    for (const [name, values] of Object.entries(p.filters as Record<string, unknown>)) {
      const list = typeof values === "string" ? [values] : values;
      if (!Array.isArray(list) || list.some((v) => typeof v !== "string")) throw invalidParams(`fieldnotes: filter '${name}' must be a list of strings.`);
      for (const v of list as string[]) pairs.push([name, v]);
    }
  }
  let filters;
  try {
    filters = parseFilters(pairs, { config: study.config, codebook: study.codebook });
  } catch (err) {
    if (err instanceof AnalysisUsageError) throw invalidParams(`fieldnotes: ${err.message}`);
    throw err;
  }
  const all = querySegments(study, filters, { memoise: true });
  return { total: all.length, segments: all.slice(offset, offset + limit) };
}

/** `fieldnotes/noteSegments` {uri of a note} → {segments: NoteSegmentMark[]}: the editor's margin marks. */
export function noteSegmentsRequest(handle: StudyHandle, uri: string): { segments: NoteSegmentMark[] } {
  const path = uriToPath(uri);
  const rel = path ? handle.study.relative(path) : undefined;
  if (rel === undefined || !handle.study.isNote(rel)) throw invalidParams(`fieldnotes: '${uri}' is not a note of the study at ${handle.root}.`);
  return { segments: noteSegmentMarks(handle.study, rel) };
}
