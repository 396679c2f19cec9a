// practice-folder-mismatch (SPEC section 6): a note whose path has a folder named after another
// practice and none named after its own `practice` (a note copied to the wrong place). It depends on
// the note's path, so it is added to the (content-keyed, cached) verdict by the study, not stored in it.
import type { Diagnostic, Range } from "./types.js";

/**
 * The warning for the note at root-relative `rel` (`/`-separated) whose `practice` is `practice` (its
 * value's range), or undefined. `practiceIds` are the study's practice ids (compared as written). The
 * quick fix offers the practice of the folder nearest the note.
 */
export function practiceFolderMismatch(rel: string, practice: { id: string; range: Range }, practiceIds: ReadonlySet<string>): Diagnostic | undefined {
  const folders = rel.split("/").slice(0, -1);
  if (folders.includes(practice.id)) return undefined;
  const other = [...folders].reverse().find((f) => f !== practice.id && practiceIds.has(f));
  if (!other) return undefined;
  return {
    rule: "practice-folder-mismatch",
    severity: "warning",
    message: `This note is in the folder of practice '${other}' but says \`practice: ${practice.id}\`. Change \`practice\` to '${other}', or move the note to a '${practice.id}' folder.`,
    range: practice.range,
    data: { suggestions: [other], replaceRange: practice.range },
  };
}
