// Go to definition: a code to its key in the codebook, a practice to its id in fieldnotes.yaml.
import type { Location, Position } from "vscode-languageserver";
import { CONFIG_FILE } from "../core/index.js";
import { targetAt, unquote } from "./position.js";
import type { Located, Workspace } from "./workspace.js";

export function definition(ws: Workspace, loc: Located, pos: Position): Location | null {
  const t = targetAt(loc, pos);
  if (!t) return null;
  const study = loc.study;
  if (t.kind === "code") {
    const entry = study.codebook.codes.get(t.id);
    return entry ? { uri: ws.uriOf(study, study.codebookPath), range: unquote(entry.range, entry.id) } : null;
  }
  if (t.kind === "practice") {
    const p = study.config?.practices.find((x) => x.id === t.id);
    return p ? { uri: ws.uriOf(study, CONFIG_FILE), range: unquote(p.range, p.id) } : null;
  }
  return null;
}
