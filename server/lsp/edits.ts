// What the server may edit, and how: edits are computed only against text just read (the editor's
// text for an open document, the file re-read from disk for a closed one), only for files whose real
// path lies inside the study's real root, and sent as versioned document edits where the client
// takes them (an open document's version, `null` for a closed file: "the disk's text is the master").
import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { TextDocumentEdit, TextEdit, WorkspaceEdit } from "vscode-languageserver";
import type { Study } from "../core/index.js";
import type { Workspace } from "./workspace.js";

/** A file's text as it is now, and the version to edit it under (null: closed, read from disk just now). */
export interface CurrentText {
  text: string;
  version: number | null;
  /** The file's bytes when read from disk (closed files), for comparing with the index's content hash. */
  bytes?: Buffer;
}

/**
 * The text of a study file now: the open document's, else the file's bytes read at this moment
 * (UTF-8, a leading BOM dropped, as editors show it). undefined when it cannot be read.
 */
export function currentText(ws: Workspace, study: Study, rel: string): CurrentText | undefined {
  const uri = ws.uriOf(study, rel);
  const doc = ws.documents.get(uri);
  if (doc) return { text: doc.getText(), version: doc.version };
  try {
    const bytes = readFileSync(join(study.root, rel));
    return { text: bytes.toString("utf8").replace(/^\uFEFF/, ""), version: null, bytes };
  } catch {
    return undefined;
  }
}

/**
 * Why a write to this study file would land outside the study's real root (a symbolic link, or a
 * folder on the way that is one), or undefined when it is inside. A file that does not exist yet is
 * judged by its folder.
 */
export function outsideStudy(study: Study, rel: string): string | undefined {
  let root: string;
  try {
    root = realpathSync(study.root);
  } catch {
    return "the study folder cannot be resolved";
  }
  const abs = join(study.root, rel);
  try {
    if (lstatSync(abs).isSymbolicLink()) return `${rel} is a symbolic link`;
  } catch {
    // not there (yet)
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return undefined;
  }
  const inside = real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
  return inside ? undefined : `${rel} lies outside the study (through a symbolic link)`;
}

/** A workspace edit over study files: versioned document edits when the client takes them, else plain changes. */
export function studyEdit(ws: Workspace, study: Study, byRel: Map<string, { edits: TextEdit[]; version: number | null }>, documentChanges: boolean): WorkspaceEdit {
  if (documentChanges) {
    const changes: TextDocumentEdit[] = [...byRel].map(([rel, e]) => ({ textDocument: { uri: ws.uriOf(study, rel), version: e.version }, edits: e.edits }));
    return { documentChanges: changes };
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const [rel, e] of byRel) changes[ws.uriOf(study, rel)] = e.edits;
  return { changes };
}
