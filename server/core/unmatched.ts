// file-unmatched (SPEC section 6): Markdown under the study root that no `notes` glob takes and no
// `ignore` glob (nor an always-ignored place) leaves out, one information each on fieldnotes.yaml, so
// nothing is left unchecked without a word. The files come from the same walk that finds the notes.
import { existsSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import type { Diagnostic, Range } from "./types.js";
import { CONFIG_FILE } from "./config.js";

const MARKDOWN = /\.(?:md|markdown)$/i;
const ALWAYS_IGNORED_FOLDERS = new Set(["templates", "node_modules"]);

/**
 * Which of `paths` (root-relative, `/`-separated, files that are not notes) are unmatched Markdown: a
 * `.md` or `.markdown` name, not README.md, not in an always-ignored folder (templates/,
 * node_modules/, a folder whose name starts with "."), not taken by `ignore`, and not inside a nested
 * study (a folder below `root` with its own fieldnotes.yaml: its notes are that study's). Sorted.
 */
export function unmatchedMarkdown(paths: readonly string[], ignore: readonly string[], root: string): string[] {
  const ignored = ignore.length ? picomatch([...ignore], { dot: true }) : () => false;
  const studyFolder = new Map<string, boolean>();
  const nested = (folders: string[]) =>
    folders.some((_, i) => {
      const folder = folders.slice(0, i + 1).join("/");
      let is = studyFolder.get(folder);
      if (is === undefined) studyFolder.set(folder, (is = existsSync(join(root, folder, CONFIG_FILE))));
      return is;
    });
  return paths
    .filter((rel) => {
      if (!MARKDOWN.test(rel) || ignored(rel)) return false;
      const parts = rel.split("/");
      const folders = parts.slice(0, -1);
      if (parts[parts.length - 1] === "README.md" || folders.some((f) => f.startsWith(".") || ALWAYS_IGNORED_FOLDERS.has(f))) return false;
      return !nested(folders);
    })
    .sort();
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
