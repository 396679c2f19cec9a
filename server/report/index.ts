// Report rendering: one entry point for the CLI and the HTTP server.
import type { Study } from "../core/study.js";
import { renderMarkdown } from "./markdown.js";
import { renderHtml, servedHref, type NoteHref } from "./html.js";
import { themes } from "./themes.js";
import { matrixCsv, segmentsCsv, matrixCsvFor, cooccurrenceCsv } from "./csv.js";
import { parseMatrixParams } from "../core/analysis/matrix.js";
import { cooccurrence, parseCooccurrenceFilters } from "../core/analysis/cooccurrence.js";

export { renderMarkdown, renderHtml, matrixCsv, segmentsCsv, servedHref, themes, type NoteHref };

export const REPORT_FORMATS = ["json", "md", "html", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const MATRIX_BY = ["construct", "code", "level", "assessment"] as const;
export type MatrixBy = (typeof MATRIX_BY)[number];

/**
 * `--by` of the CLI: a matrix dimension, `segment` for one CSV row per coded segment and code, or
 * `cooccurrence` for the code co-occurrence matrix (SPEC 12.4).
 */
export const REPORT_BY = [...MATRIX_BY, "segment", "cooccurrence"] as const;
export type ReportBy = (typeof REPORT_BY)[number];

export interface ReportOptions {
  format: ReportFormat;
  by?: ReportBy;
  presence?: boolean;
  /**
   * The matrix parameters of SPEC 12.3 (`rows`, `count`, `rollup`) and the filters of 12.1, as
   * name/value pairs; with none, the CSV is exactly section 8's. Bad values throw AnalysisUsageError.
   */
  analysis?: [string, string][];
  /** Links to notes in the md and html reports (default: root-relative paths; SPEC 12.5). */
  href?: NoteHref;
}

export async function renderReport(study: Study, options: ReportOptions): Promise<string> {
  switch (options.format) {
    case "json":
      return JSON.stringify(study.summary(), null, 2) + "\n";
    case "md":
      return renderMarkdown(study.summary(), study.codebook, { themes: themes(study), href: options.href });
    case "html":
      return renderHtml(study, { href: options.href });
    case "csv":
      if (options.by === "segment") return segmentsCsv(study);
      if (options.by === "cooccurrence") return cooccurrenceCsv(cooccurrence(study, parseCooccurrenceFilters(options.analysis ?? [], study)));
      if (!options.analysis?.length) return matrixCsv(study.summary(), study.codebook, options.by ?? "construct", !!options.presence);
      return matrixCsvFor(
        study,
        parseMatrixParams([["by", options.by ?? "construct"], ...(options.presence ? [["presence", "1"] as [string, string]] : []), ...options.analysis], study.config!, study.codebook),
      );
    default:
      throw new Error(`Unknown report format '${String(options.format)}'.`);
  }
}
