// Rename a code: its key in the codebook, every parent/replacedBy naming it, every frontmatter list
// item and inline tag in every note. An invalid or existing new id is refused with a ResponseError.
//
// Every edit is computed against text read just now (see edits.ts): the editor's text for open
// documents (sent with their version), the file re-read for closed ones (a note whose bytes differ
// from the index's is parsed again from what was read). A rename reaches every use or is refused:
// a note that mentions the code but could not be read completely (a YAML error in its frontmatter, a
// skipped or unreadable note) is named in the refusal, and so is any file the edit would write
// outside the study's real root.
import { isDeepStrictEqual } from "node:util";
import { LSPErrorCodes, ResponseError, type CancellationToken, type Position, type Range, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import { parseDocument } from "yaml";
import { CODE_ID, parseCodebook, parseNoteBytes, type NoteFacts } from "../core/index.js";
import { contentHash } from "../core/cache.js";
import { idRangeOf, targetAt, unquote } from "./position.js";
import { CANCELLED } from "./references.js";
import { currentText, outsideStudy, studyEdit } from "./edits.js";
import type { Located, Workspace } from "./workspace.js";

export function prepareRename(loc: Located, pos: Position): { range: Range; placeholder: string } | null {
  const t = targetAt(loc, pos);
  if (!t || t.kind !== "code") return null;
  return { range: t.range, placeholder: t.id };
}

const refuse = (message: string) => new ResponseError(LSPErrorCodes.RequestFailed, message);

/** Does the text mention the id as a word of its own (as a tag, a list item, a key)? */
function mentions(text: string, id: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_-])${id.replace(/[-]/g, "\\-")}(?![A-Za-z0-9_-])`).test(text);
}

/** Why these facts do not hold every use of a code written in the note, or undefined when they do. */
function incompleteReading(facts: NoteFacts, text: string): string | undefined {
  if (facts.fatal) return `it was not read (${facts.diagnostics.find((d) => d.rule.startsWith("file-"))?.rule ?? "skipped"})`;
  if (facts.hasFrontmatter && facts.fields === undefined) return "its frontmatter has an error";
  if (!facts.hasFrontmatter && /^---[ \t]*\r?$/m.test(text.split("\n", 1)[0])) return "its frontmatter is not closed";
  return undefined;
}

function listFiles(items: string[]): string {
  const shown = items.slice(0, 5).join("; ");
  return items.length > 5 ? `${shown}; and ${items.length - 5} more` : shown;
}

/**
 * The workspace edit renaming the code under the cursor. Throws a ResponseError (a plain sentence)
 * for an invalid or existing id, a file it cannot read or edit, or a file outside the study.
 */
export function rename(
  ws: Workspace,
  loc: Located,
  pos: Position,
  newName: string,
  options: { documentChanges?: boolean; token?: CancellationToken } = {},
): WorkspaceEdit | null {
  const t = targetAt(loc, pos);
  if (!t || t.kind !== "code") throw refuse("Only a code can be renamed: place the cursor on a code id.");
  const study = loc.study;
  const from = t.id;
  const to = newName.trim().replace(/^#/, "");
  if (!CODE_ID.test(to)) throw refuse(`'${newName}' is not a valid code id: use lower-case words joined by hyphens, e.g. 'gp-buy-in'.`);
  if (to === from) return { changes: {} };

  const edits = new Map<string, { edits: TextEdit[]; version: number | null }>();
  const unreadable: string[] = [];
  const add = (rel: string, version: number | null, range: Range) => {
    let e = edits.get(rel);
    if (!e) edits.set(rel, (e = { edits: [], version }));
    e.edits.push({ range, newText: to });
  };

  // The codebook, as it is now.
  const cbRel = study.codebookPath;
  const cbOutside = outsideStudy(study, cbRel);
  if (cbOutside) throw refuse(`Cannot rename '${from}': ${cbOutside}, and fieldnotes writes only inside the study.`);
  const cb = currentText(ws, study, cbRel);
  if (cb) {
    const parsed = parseCodebook(cb.text);
    if (parsed.codebook.codes.has(to)) throw refuse(`The codebook already has a code '${to}'. Choose another id (or merge the codes by hand).`);
    let yamlBroken = false;
    try {
      yamlBroken = parseDocument(cb.text).errors.length > 0;
    } catch {
      yamlBroken = true;
    }
    if (yamlBroken && mentions(cb.text, from)) unreadable.push(`${cbRel} (it has a YAML error)`);
    const entry = parsed.codebook.codes.get(from);
    if (entry) add(cbRel, cb.version, unquote(entry.range, from));
    for (const e of parsed.codebook.codes.values()) for (const ref of e.references) if (ref.id === from) add(cbRel, cb.version, unquote(ref.range, from));
  } else if (study.codebook.codes.has(from)) unreadable.push(`${cbRel} (it cannot be read)`);

  // Every note: open ones from the editor's text, closed ones checked against their bytes now.
  let n = 0;
  for (const rel of [...study.notes.keys()].sort()) {
    if (++n % 1000 === 0 && options.token?.isCancellationRequested) throw CANCELLED();
    const record = study.notes.get(rel)!;
    let facts = record.facts;
    const usesIt = facts.codes.some((u) => u.id === from);
    const open = ws.isOpen(study, rel);
    const partial = facts.fatal || (facts.hasFrontmatter && facts.fields === undefined) || !facts.hasFrontmatter;
    if (!usesIt && !partial) continue;
    if (record.hash === "" && !open && facts.fatal && facts.diagnostics.some((d) => /symbolic link/.test(d.message))) continue; // never read
    const now = currentText(ws, study, rel);
    if (!now) {
      if (usesIt) unreadable.push(`${rel} (it cannot be read)`);
      continue;
    }
    if (now.bytes && contentHash(now.bytes) !== record.hash) facts = parseNoteBytes(now.bytes);
    const why = incompleteReading(facts, now.text);
    if (why) {
      if (mentions(now.text, from)) unreadable.push(`${rel} (${why})`);
      continue;
    }
    for (const use of facts.codes) if (use.id === from) add(rel, now.version, idRangeOf(use));
  }
  if (unreadable.length) {
    throw refuse(`Cannot rename '${from}': these files mention it but could not be read completely, so the rename would miss uses: ${listFiles(unreadable)}. Fix them first, then rename again.`);
  }
  const outside = [...edits.keys()].map((rel) => outsideStudy(study, rel)).filter((w): w is string => !!w);
  if (outside.length) throw refuse(`Cannot rename '${from}': ${listFiles(outside)}, and fieldnotes writes only inside the study.`);
  for (const e of edits.values()) e.edits = dedupe(e.edits);
  return studyEdit(ws, study, edits, !!options.documentChanges);
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) if (!out.some((o) => isDeepStrictEqual(o.range, e.range))) out.push(e);
  return out;
}
