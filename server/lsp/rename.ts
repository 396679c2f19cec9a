// Rename a code: its key in the codebook, every parent/replacedBy naming it, every frontmatter list
// item and inline tag in every note. An invalid or existing new id is refused with a ResponseError.
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Position,
  type Range,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver";
import { CODE_ID } from "../core/index.js";
import { targetAt } from "./position.js";
import { codeOccurrences } from "./references.js";
import type { Located, Workspace } from "./workspace.js";

export function prepareRename(loc: Located, pos: Position): { range: Range; placeholder: string } | null {
  const t = targetAt(loc, pos);
  if (!t || t.kind !== "code") return null;
  return { range: t.range, placeholder: t.id };
}

export function rename(
  ws: Workspace,
  loc: Located,
  pos: Position,
  newName: string,
  options: { documentChanges?: boolean; token?: CancellationToken } = {},
): WorkspaceEdit | null {
  const t = targetAt(loc, pos);
  if (!t || t.kind !== "code") {
    throw new ResponseError(LSPErrorCodes.RequestFailed, "Only a code can be renamed: place the cursor on a code id.");
  }
  const study = loc.study;
  const to = newName.trim().replace(/^#/, "");
  if (!CODE_ID.test(to)) {
    throw new ResponseError(LSPErrorCodes.RequestFailed, `'${newName}' is not a valid code id: use lower-case words joined by hyphens, e.g. 'gp-buy-in'.`);
  }
  if (to === t.id) return { changes: {} };
  if (study.codebook.codes.has(to)) {
    throw new ResponseError(LSPErrorCodes.RequestFailed, `The codebook already has a code '${to}'. Choose another id (or merge the codes by hand).`);
  }
  const byRel = new Map<string, TextEdit[]>();
  for (const o of codeOccurrences(study, t.id, options.token)) {
    let edits = byRel.get(o.rel);
    if (!edits) byRel.set(o.rel, (edits = []));
    edits.push({ range: o.range, newText: to });
  }
  if (options.documentChanges) {
    const documentChanges: TextDocumentEdit[] = [...byRel].map(([rel, edits]) => ({
      textDocument: { uri: ws.uriOf(study, rel), version: ws.versionOf(study, rel) },
      edits,
    }));
    return { documentChanges };
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const [rel, edits] of byRel) changes[ws.uriOf(study, rel)] = edits;
  return { changes };
}
