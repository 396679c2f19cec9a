// `fieldnotes check --format sarif`: SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format),
// the format GitHub code scanning and other review tools read.
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import type { DiagnosticsReport, Severity } from "../core/types.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", information: "note" };

/** Every rule of SPEC section 6 (and the config and codebook rules): its default severity and what it means. */
export const RULES: Record<string, { severity: Severity; text: string }> = {
  "config-invalid": { severity: "error", text: "fieldnotes.yaml is invalid, or the codebook file is missing." },
  "codebook-invalid": { severity: "error", text: "The codebook has a YAML error, a duplicate id, a missing label or a bad id." },
  "codebook-reference": { severity: "error", text: "A codebook parent or replacedBy names an unknown code, or parents form a cycle." },
  "file-too-large": { severity: "error", text: "The note is over 10 MB and was not read." },
  "file-binary": { severity: "error", text: "The note holds a NUL byte: it looks binary and was not parsed." },
  "file-skipped": { severity: "error", text: "The note was not read: a symbolic link, or Markdown the parser cannot take in bounded time." },
  "encoding-invalid": { severity: "warning", text: "The note holds bytes that are not valid UTF-8." },
  "frontmatter-missing": { severity: "error", text: "The note has no frontmatter block at the top, or it is not closed." },
  "yaml-syntax": { severity: "error", text: "The frontmatter is not valid YAML." },
  "field-missing": { severity: "error", text: "practice, date or npt is absent or empty." },
  "field-type": { severity: "error", text: "A frontmatter field has the wrong type." },
  "field-unknown": { severity: "information", text: "A frontmatter key that fieldnotes does not know." },
  "practice-unknown": { severity: "error", text: "The practice is not in fieldnotes.yaml." },
  "date-invalid": { severity: "error", text: "The date is not YYYY-MM-DD or no such day." },
  "date-outside-period": { severity: "warning", text: "The date is outside the study period." },
  "date-future": { severity: "warning", text: "The date is after today." },
  "npt-unknown": { severity: "error", text: "Not an NPT construct or sub-construct id." },
  "npt-spelling": { severity: "warning", text: "American spelling of an NPT sub-construct." },
  "type-unknown": { severity: "error", text: "The note type is not one of the study's types." },
  "level-unknown": { severity: "error", text: "A level that is not patient, practice or community." },
  "assessment-invalid": { severity: "error", text: "An assessment key that is not a core construct, or a value not full, partial or absent." },
  "code-unknown": { severity: "error", text: "A code that is not in the codebook." },
  "code-deprecated": { severity: "warning", text: "A deprecated code." },
  "identifier-suspected": { severity: "warning", text: "Text that looks like a personal identifier (NHS or CHI number, e-mail, phone, postcode, name after a title, address, date of birth)." },
  "body-empty": { severity: "warning", text: "Nothing after the frontmatter: an unedited template." },
  "participant-unknown": { severity: "error", text: "A participant that is not in the study's participant registry." },
  "practice-folder-mismatch": { severity: "warning", text: "The note sits in another practice's folder." },
  "file-unmatched": { severity: "information", text: "A Markdown file that neither the notes nor the ignore globs take." },
};

/** A study path (`/`-separated) as a relative URI reference: each segment percent-encoded. */
function uriOf(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * The report as a SARIF 2.1.0 log: one run, the rules under `tool.driver.rules` (every rule fieldnotes
 * has, plus any other id met), one `result` per diagnostic with `ruleId`, `ruleIndex`, `level`
 * (error, warning, note), `message.text` and a physical location whose region has 1-based lines and
 * columns (`endColumn` just after the range, as SARIF defines it). `path(file)` maps study-relative
 * paths to the URIs the consumer expects (relative to the repository checkout).
 */
export function sarifLog(report: DiagnosticsReport, path: (file: string) => string, version: string): object {
  const ids = Object.keys(RULES);
  for (const f of report.files) for (const d of f.diagnostics) if (!ids.includes(d.rule)) ids.push(d.rule);
  const rules = ids.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULES[id]?.text ?? id },
    defaultConfiguration: { level: LEVEL[RULES[id]?.severity ?? "warning"] },
    helpUri: "https://github.com/fieldnotes/fieldnotes#checks",
  }));
  const results = report.files.flatMap((f) =>
    f.diagnostics.map((d) => ({
      ruleId: d.rule,
      ruleIndex: ids.indexOf(d.rule),
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uriOf(path(f.file)) },
            region: {
              startLine: d.range.start.line + 1,
              startColumn: d.range.start.character + 1,
              endLine: d.range.end.line + 1,
              endColumn: d.range.end.character + 1,
            },
          },
        },
      ],
    })),
  );
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "fieldnotes", version, informationUri: "https://github.com/fieldnotes/fieldnotes", rules } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}
