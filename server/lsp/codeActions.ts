// Quick fixes: every "did you mean" suggestion (code-unknown, practice-unknown, npt-unknown,
// field-unknown, npt-spelling, type/level/assessment), a comma string → a list (field-type),
// code-deprecated → replacedBy, and
// "Add `x` to the codebook" for an unknown code.
//
// Edits are versioned (the open document's version) where the client takes document changes; the
// codebook edit is computed from the codebook's text read just now (see edits.ts, codebookEdit.ts).
import { CodeActionKind, type CodeAction, type Range } from "vscode-languageserver";
import { CODE_ID, type Diagnostic, type Study } from "../core/index.js";
import { coreDiagnosticsOf, toLspDiagnostic } from "./diagnostics.js";
import { addCodeEdit } from "./codebookEdit.js";
import { currentText, outsideStudy, studyEdit } from "./edits.js";
import type { Located, Workspace } from "./workspace.js";

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export interface CodeActionOptions {
  /** The client takes versioned document changes (workspace.workspaceEdit.documentChanges). */
  documentChanges?: boolean;
}

export function codeActions(ws: Workspace, loc: Located, range: Range, only?: string[], options: CodeActionOptions = {}): CodeAction[] {
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + ".") || k === "")) return [];
  const study = loc.study;
  const diagnostics = coreDiagnosticsOf(loc).filter((d) => overlaps(d.range, range));
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    const lsp = toLspDiagnostic(d);
    const suggestions = d.data?.suggestions ?? [];
    suggestions.forEach((s, i) => {
      const title = d.data?.title && suggestions.length === 1 ? d.data.title : d.rule === "code-deprecated" ? `Replace with '${s}'` : `Change to '${s}'`;
      const edits = [{ range: d.data?.replaceRange ?? d.range, newText: s }];
      const edit = studyEdit(ws, study, new Map([[loc.rel, { edits, version: ws.versionOf(study, loc.rel) }]]), !!options.documentChanges);
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [lsp], isPreferred: i === 0 && suggestions.length === 1, edit });
    });
    if (d.rule === "code-unknown" && d.data?.code) addToCodebook(ws, study, d, lsp, actions, options);
  }
  return actions;
}

function addToCodebook(ws: Workspace, study: Study, d: Diagnostic, lsp: ReturnType<typeof toLspDiagnostic>, actions: CodeAction[], options: CodeActionOptions): void {
  const id = d.data!.code!;
  // Only a valid id can become a code; `#GP-buy-in` gets its suggestion instead.
  if (!CODE_ID.test(id) || study.codebook.codes.has(id)) return;
  const rel = study.codebookPath;
  if (outsideStudy(study, rel)) return; // never read or write outside the study
  const now = currentText(ws, study, rel);
  if (!now) return;
  const e = addCodeEdit(now.text, id);
  if (!e) return;
  actions.push({
    title: `Add '${id}' to the codebook`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [lsp],
    edit: studyEdit(ws, study, new Map([[rel, { edits: [e], version: now.version }]]), !!options.documentChanges),
  });
}
