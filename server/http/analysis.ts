// The analysis routes of SPEC sections 8 and 12: retrieval (GET /api/segments), the framework matrix
// with its parameters (GET /api/matrix.csv), co-occurrence (GET /api/cooccurrence.csv) and one note as
// read-only HTML (GET /notes/<path>). Usage errors are 400 `{"error"}` naming the bad value.
import type { Context, Hono } from "hono";
import type { Study } from "../core/study.js";
import { AnalysisUsageError, filtersKey, parseFilters } from "../core/analysis/filters.js";
import { querySegments, DEFAULT_LIMIT, MAX_LIMIT } from "../core/analysis/retrieval.js";
import { parseMatrixParams } from "../core/analysis/matrix.js";
import { cooccurrence, parseCooccurrenceFilters } from "../core/analysis/cooccurrence.js";
import { cooccurrenceCsv, matrixCsvFor } from "../report/csv.js";
import { renderNotePage } from "../report/notepage.js";
import { studyFor } from "./asof.js";

export const ANALYSIS_ROUTES = ["/api/segments", "/api/cooccurrence.csv", "/notes/*"] as const;

/** What the app lends these routes: its cached sender and its error answers. */
export interface RouteKit {
  send: (c: Context, key: string, type: "json" | "csv" | "html", render: () => string | { status: number; body: string }) => Response;
  jsonError: (c: Context, status: 400 | 404, error: string) => Response;
  configError: (c: Context) => Response;
}

/** The query string's name/value pairs, in order (a name given twice appears twice). */
function pairsOf(c: Context): [string, string][] {
  return [...new URL(c.req.url).searchParams.entries()];
}

function wholeNumber(c: Context, name: string, value: string | undefined, fallback: number, max: number): number | Response {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) > max) return c.json({ error: `'${name}' must be a whole number from 0 to ${max}, not '${value}'.` }, 400);
  return Number(value);
}

/** The matrix route (section 8, with the parameters of 12.3). */
export function matrixHandler(study: Study, kit: RouteKit) {
  return (c: Context) => {
    if (!study.config) return kit.configError(c);
    const v = studyFor(study, c);
    if ("error" in v) return kit.jsonError(c, 400, v.error);
    try {
      const params = parseMatrixParams(pairsOf(c).filter(([n]) => n !== "asOf"), study.config, study.codebook);
      const key = params.plain
        ? `matrix?by=${params.by}&presence=${params.presence ? 1 : 0}`
        : `matrix?by=${params.by}&presence=${params.presence ? 1 : 0}&rows=${params.rows}&count=${params.count}&rollup=${params.rollup ? 1 : 0}&f=${filtersKey(params.filters)}`;
      return kit.send(c, key + v.key, "csv", () => matrixCsvFor(v.study, params));
    } catch (err) {
      if (err instanceof AnalysisUsageError) return kit.jsonError(c, 400, err.message);
      throw err;
    }
  };
}

/** Registers /api/segments, /api/cooccurrence.csv and /notes/<path> on the app. */
export function registerAnalysisRoutes(app: Hono, study: Study, kit: RouteKit): void {
  app.get("/api/segments", (c) => {
    if (!study.config) return kit.configError(c);
    const pairs = pairsOf(c);
    const one = (name: string) => pairs.filter(([n]) => n === name).map(([, v]) => v).pop();
    const limit = wholeNumber(c, "limit", one("limit"), DEFAULT_LIMIT, MAX_LIMIT);
    if (limit instanceof Response) return limit;
    const offset = wholeNumber(c, "offset", one("offset"), 0, Number.MAX_SAFE_INTEGER);
    if (offset instanceof Response) return offset;
    try {
      const filters = parseFilters(pairs, { config: study.config, codebook: study.codebook }, ["limit", "offset"]);
      return kit.send(c, `segments?${filtersKey(filters)}&limit=${limit}&offset=${offset}`, "json", () => {
        const all = querySegments(study, filters, { memoise: true });
        return JSON.stringify({ total: all.length, segments: all.slice(offset, offset + limit) });
      });
    } catch (err) {
      if (err instanceof AnalysisUsageError) return kit.jsonError(c, 400, err.message);
      throw err;
    }
  });

  app.get("/api/cooccurrence.csv", (c) => {
    if (!study.config) return kit.configError(c);
    const v = studyFor(study, c);
    if ("error" in v) return kit.jsonError(c, 400, v.error);
    try {
      const filters = parseCooccurrenceFilters(pairsOf(c).filter(([n]) => n !== "asOf"), study);
      return kit.send(c, `cooccurrence?${filtersKey(filters)}${v.key}`, "csv", () => cooccurrenceCsv(cooccurrence(v.study, filters)));
    } catch (err) {
      if (err instanceof AnalysisUsageError) return kit.jsonError(c, 400, err.message);
      throw err;
    }
  });

  app.get("/notes/*", (c) => {
    // The raw path, decoded once: only an exact root-relative path of an indexed note is served.
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(c.req.url).pathname.slice("/notes/".length));
    } catch {
      return kit.jsonError(c, 404, "No such note.");
    }
    const record = study.notes.get(rel);
    if (!record || !study.isNote(rel)) return kit.jsonError(c, 404, "No such note in this study.");
    return kit.send(c, `note:${rel}`, "html", () => {
      const page = renderNotePage(study, rel);
      return page === undefined ? { status: 404, body: "<!doctype html><title>Not found</title><p>No such note in this study.</p>\n" } : page;
    });
  });
}
