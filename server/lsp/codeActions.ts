// Quick fixes: every "did you mean" suggestion (code-unknown, practice-unknown, npt-unknown,
// field-unknown, npt-spelling, type/level/assessment), a comma string → a list (field-type),
// code-deprecated → replacedBy, and
// "Add `x` to the codebook" for an unknown code.
import { CodeActionKind, type CodeAction, type Range, type WorkspaceEdit } from "vscode-languageserver";
import { CODE_ID, LineIndex, type Diagnostic, type Study } from "../core/index.js";
import { coreDiagnosticsOf, toLspDiagnostic } from "./diagnostics.js";
import type { Located, Workspace } from "./workspace.js";

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function humanLabel(id: string): string {
  const words = id.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Where and what to insert to add a code at the end of the `codes:` mapping of the codebook text. */
export function addCodeEdit(study: Study, codebookText: string, id: string): { range: Range; newText: string } | undefined {
  const index = new LineIndex(codebookText);
  const order = study.codebook.order;
  const entry = `${humanLabel(id)}`;
  if (order.length) {
    const last = study.codebook.codes.get(order[order.length - 1])!;
    const indent = " ".repeat(last.range.start.character);
    // A block mapping's range may end at column 0 of the line after it.
    const end = last.entryRange.end;
    const endLine = end.character === 0 && end.line > last.entryRange.start.line ? end.line - 1 : end.line;
    const block = `${indent}${id}:\n${indent}  label: ${entry}\n`;
    if (endLine + 1 < index.lineCount) return { range: at(endLine + 1, 0), newText: block };
    const ch = index.lineEnd(endLine) - index.starts[endLine];
    return { range: at(endLine, ch), newText: `\n${block.replace(/\n$/, "")}` };
  }
  // No codes yet: after a `codes:` line, or a new mapping at the end.
  for (let line = 0; line < index.lineCount; line++) {
    const t = index.lineText(line);
    if (/^codes:\s*(#.*)?$/.test(t)) {
      const block = `  ${id}:\n    label: ${entry}\n`;
      if (line + 1 < index.lineCount) return { range: at(line + 1, 0), newText: block };
      return { range: at(line, t.length), newText: `\n${block.replace(/\n$/, "")}` };
    }
    if (/^codes:\s*\{\s*\}\s*$/.test(t)) {
      return { range: { start: { line, character: 0 }, end: { line, character: t.length } }, newText: `codes:\n  ${id}:\n    label: ${entry}` };
    }
  }
  if (/^codes\s*:/m.test(codebookText)) return undefined; // an unusual layout: do not guess
  const lastLine = index.lineCount - 1;
  const lastText = index.lineText(lastLine);
  const sep = lastText.length ? "\n" : "";
  return { range: at(lastLine, lastText.length), newText: `${sep}codes:\n  ${id}:\n    label: ${entry}\n` };
}

function at(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

export function codeActions(ws: Workspace, loc: Located, range: Range, only?: string[]): CodeAction[] {
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + ".") || k === "")) return [];
  const study = loc.study;
  const diagnostics = coreDiagnosticsOf(loc).filter((d) => overlaps(d.range, range));
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    const lsp = toLspDiagnostic(d);
    const suggestions = d.data?.suggestions ?? [];
    suggestions.forEach((s, i) => {
      const title = d.data?.title && suggestions.length === 1 ? d.data.title : d.rule === "code-deprecated" ? `Replace with '${s}'` : `Change to '${s}'`;
      const edit: WorkspaceEdit = { changes: { [loc.uri]: [{ range: d.data?.replaceRange ?? d.range, newText: s }] } };
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [lsp], isPreferred: i === 0 && suggestions.length === 1, edit });
    });
    if (d.rule === "code-unknown" && d.data?.code) addToCodebook(ws, study, d, lsp, actions);
  }
  return actions;
}

function addToCodebook(ws: Workspace, study: Study, d: Diagnostic, lsp: ReturnType<typeof toLspDiagnostic>, actions: CodeAction[]): void {
  const id = d.data!.code!;
  // Only a valid id can become a code; `#GP-buy-in` gets its suggestion instead.
  if (!CODE_ID.test(id) || study.codebook.codes.has(id)) return;
  const text = ws.textOf(study, study.codebookPath) ?? "";
  const e = addCodeEdit(study, text, id);
  if (!e) return;
  actions.push({
    title: `Add '${id}' to the codebook`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [lsp],
    edit: { changes: { [ws.uriOf(study, study.codebookPath)]: [e] } },
  });
}
