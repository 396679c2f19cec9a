// Report rendering: one entry point for the CLI and the HTTP server.
import type { Study } from "../core/study.js";

export const REPORT_FORMATS = ["json", "md", "html", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const MATRIX_BY = ["construct", "code", "level", "assessment"] as const;
export type MatrixBy = (typeof MATRIX_BY)[number];

export interface ReportOptions {
  format: ReportFormat;
  by?: MatrixBy;
  presence?: boolean;
}

export async function renderReport(study: Study, options: ReportOptions): Promise<string> {
  switch (options.format) {
    case "json":
      return JSON.stringify(study.summary(), null, 2) + "\n";
    default:
      throw new Error(`The ${options.format} report is not available yet.`);
  }
}
