// Output formats of `fieldnotes check` beyond text and json: GitHub workflow commands and SARIF.
import type { DiagnosticsReport } from "../core/types.js";
import { githubAnnotations } from "../report/github.js";
import { sarifLog } from "../report/sarif.js";

export const CHECK_FORMATS = ["text", "json", "github", "sarif"] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** The report in `github` or `sarif` form; `path` maps study-relative paths to what the reader sees. */
export function renderCheckFormat(format: "github" | "sarif", report: DiagnosticsReport, path: (file: string) => string, version: string): string {
  if (format === "github") return githubAnnotations(report, path);
  return JSON.stringify(sarifLog(report, path, version), null, 2) + "\n";
}
