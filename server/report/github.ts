// `fieldnotes check --format github`: one GitHub Actions workflow command per diagnostic, so that a
// workflow run annotates the pull request's files at the offending lines.
import type { DiagnosticsReport, Severity } from "../core/types.js";

const COMMAND: Record<Severity, string> = { error: "error", warning: "warning", information: "notice" };

/**
 * Escapes a workflow command's message as GitHub's toolkit does (@actions/core `escapeData`):
 * `%` -> `%25`, CR -> `%0D`, LF -> `%0A`.
 * Source: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
 */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value (`escapeProperty`): as escapeData, and also `:` -> `%3A`, `,` -> `%2C`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * The report as workflow commands, one line each:
 * `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::MESSAGE` (`::warning`, `::notice`
 * for warnings and information). Lines and columns are 1-based; `endColumn` is the column just after
 * the range (LSP ends are exclusive). `path(file)` turns a study-relative path into the path GitHub
 * should see (relative to the workspace the job runs in).
 */
export function githubAnnotations(report: DiagnosticsReport, path: (file: string) => string): string {
  const lines: string[] = [];
  for (const f of report.files) {
    const file = escapeProperty(path(f.file));
    for (const d of f.diagnostics) {
      const { start, end } = d.range;
      const props = [
        `file=${file}`,
        `line=${start.line + 1}`,
        `col=${start.character + 1}`,
        `endLine=${end.line + 1}`,
        `endColumn=${end.character + 1}`,
        `title=${escapeProperty(d.rule)}`,
      ];
      lines.push(`::${COMMAND[d.severity]} ${props.join(",")}::${escapeData(d.message)}`);
    }
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}
