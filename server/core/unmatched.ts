// file-unmatched (SPEC section 6): Markdown under the study root that no `notes` glob takes and no
// `ignore` glob (nor an always-ignored place) leaves out, one information each on fieldnotes.yaml, so
// nothing is left unchecked without a word. The files come from the same walk that finds the notes.
import picomatch from "picomatch";
import type { Diagnostic, Range } from "./types.js";

const MARKDOWN = /\.(?:md|markdown)$/i;

/**
 * Which of `others` (root-relative paths the note walk met and did not take as notes, outside pruned
 * folders) are unmatched Markdown: a `.md` or `.markdown` name, not ignored by `ignore`, not a
 * README.md (always ignored). Sorted.
 */
export function unmatchedMarkdown(others: readonly string[], ignore: readonly string[]): string[] {
  const ignored = ignore.length ? picomatch([...ignore], { dot: true }) : () => false;
  return others.filter((rel) => MARKDOWN.test(rel) && !rel.split("/").includes("README.md") && !ignored(rel)).sort();
}

/** Is this root-relative path a candidate for file-unmatched (Markdown by its name)? */
export function isMarkdownName(rel: string): boolean {
  return MARKDOWN.test(rel);
}

/** One file-unmatched information per file, on `range` of fieldnotes.yaml (its `notes` setting, else line 0). */
export function unmatchedDiagnostics(files: readonly string[], range: Range): Diagnostic[] {
  return files.map((file) => ({
    rule: "file-unmatched",
    severity: "information",
    message: `'${file}' is Markdown in the study that no \`notes\` glob takes, so it is not checked. Add a glob for it to \`notes\`, or to \`ignore\` if it is not a note.`,
    range,
  }));
}
