// Find references of a code: every use in every note (frontmatter and inline), the codebook entries
// naming it as parent or replacedBy, and its declaration when asked.
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Location, type Position, type Range } from "vscode-languageserver";
import { compareRanges, type Study } from "../core/index.js";
import { idRangeOf, targetAt, unquote } from "./position.js";
import type { Located, Workspace } from "./workspace.js";

export const CANCELLED = () => new ResponseError(LSPErrorCodes.RequestCancelled, "Request cancelled.");
export { ErrorCodes };

export interface CodeOccurrence {
  rel: string;
  range: Range;
  where: "declaration" | "reference" | "note";
}

/** Every place naming a code: declaration, parent/replacedBy values, note uses (open notes use the editor's facts). */
export function codeOccurrences(study: Study, id: string, token?: CancellationToken): CodeOccurrence[] {
  const out: CodeOccurrence[] = [];
  const entry = study.codebook.codes.get(id);
  if (entry) out.push({ rel: study.codebookPath, range: unquote(entry.range, id), where: "declaration" });
  for (const e of study.codebook.codes.values()) {
    for (const ref of e.references) if (ref.id === id) out.push({ rel: study.codebookPath, range: unquote(ref.range, id), where: "reference" });
  }
  let n = 0;
  const rels = [...study.notes.keys()].sort();
  for (const rel of rels) {
    if (++n % 1000 === 0 && token?.isCancellationRequested) throw CANCELLED();
    const facts = study.notes.get(rel)!.facts;
    for (const use of facts.codes) if (use.id === id) out.push({ rel, range: idRangeOf(use), where: "note" });
  }
  return out;
}

export function references(ws: Workspace, loc: Located, pos: Position, includeDeclaration: boolean, token?: CancellationToken): Location[] | null {
  const t = targetAt(loc, pos);
  if (!t || t.kind !== "code") return null;
  const occ = codeOccurrences(loc.study, t.id, token).filter((o) => includeDeclaration || o.where !== "declaration");
  occ.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : compareRanges(a.range, b.range)));
  return occ.map((o) => ({ uri: ws.uriOf(loc.study, o.rel), range: o.range }));
}
