// Report rendering: one entry point for the CLI and the HTTP server.
import type { Study } from "../core/study.js";
import { renderMarkdown } from "./markdown.js";
import { renderHtml } from "./html.js";
import { matrixCsv, segmentsCsv } from "./csv.js";

export { renderMarkdown, renderHtml, matrixCsv, segmentsCsv };

export const REPORT_FORMATS = ["json", "md", "html", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const MATRIX_BY = ["construct", "code", "level", "assessment"] as const;
export type MatrixBy = (typeof MATRIX_BY)[number];

/** `--by` of the CLI: a matrix dimension, or `segment` for one CSV row per coded segment and code. */
export const REPORT_BY = [...MATRIX_BY, "segment"] as const;
export type ReportBy = (typeof REPORT_BY)[number];

export interface ReportOptions {
  format: ReportFormat;
  by?: ReportBy;
  presence?: boolean;
}

export async function renderReport(study: Study, options: ReportOptions): Promise<string> {
  switch (options.format) {
    case "json":
      return JSON.stringify(study.summary(), null, 2) + "\n";
    case "md":
      return renderMarkdown(study.summary(), study.codebook);
    case "html":
      return renderHtml(study);
    case "csv":
      if (options.by === "segment") return segmentsCsv(study);
      return matrixCsv(study.summary(), study.codebook, options.by ?? "construct", !!options.presence);
    default:
      throw new Error(`Unknown report format '${String(options.format)}'.`);
  }
}
