// CodeLens in codebook.yaml: above each code, how much it is used ("3 notes · 5 segments"); the lens
// runs the client command `fieldnotes.showSegments` with the study root and the code id.
import type { CodeLens } from "vscode-languageserver";
import { codeUsage } from "../core/codeusage.js";
import { plural } from "../core/plural.js";
import type { Located } from "./workspace.js";

export const SHOW_SEGMENTS_COMMAND = "fieldnotes.showSegments";

/** One lens per code of the codebook file at `loc` (none for other files). */
export function codeLenses(loc: Located): CodeLens[] {
  if (loc.kind !== "codebook") return [];
  const entries = loc.study.codebook.codes;
  return codeUsage(loc.study).map((c) => ({
    range: entries.get(c.id)!.range,
    command: {
      title: `${plural(c.notes, "note")} · ${plural(c.segments, "segment")}`,
      command: SHOW_SEGMENTS_COMMAND,
      arguments: [{ root: loc.study.root, code: c.id }],
    },
  }));
}
