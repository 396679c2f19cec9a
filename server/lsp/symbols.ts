// Workspace symbols: the codes and practices of every study, fuzzy-matched on the query.
import { SymbolKind, type CancellationToken, type WorkspaceSymbol } from "vscode-languageserver";
import { CONFIG_FILE } from "../core/index.js";
import { unquote } from "./position.js";
import type { Workspace } from "./workspace.js";

const MAX_SYMBOLS = 1000;

/** Case-insensitive subsequence match; empty query matches everything. */
export function fuzzyMatch(query: string, text: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  let i = 0;
  for (let j = 0; j < t.length && i < q.length; j++) if (t[j] === q[i]) i++;
  return i === q.length;
}

export function workspaceSymbols(ws: Workspace, query: string, token?: CancellationToken): WorkspaceSymbol[] {
  const out: WorkspaceSymbol[] = [];
  for (const h of ws.handles()) {
    if (token?.isCancellationRequested) break;
    const study = h.study;
    const codebookUri = ws.uriOf(study, study.codebookPath);
    for (const id of study.codebook.order) {
      const e = study.codebook.codes.get(id)!;
      if (!fuzzyMatch(query, id) && !(e.label && fuzzyMatch(query, e.label))) continue;
      out.push({
        name: id,
        kind: SymbolKind.Constant,
        containerName: e.label ? `${e.label} (code)` : "code",
        location: { uri: codebookUri, range: unquote(e.range, id) },
        ...(e.deprecated ? { tags: [1] } : {}),
      });
      if (out.length >= MAX_SYMBOLS) return out;
    }
    const configUri = ws.uriOf(study, CONFIG_FILE);
    for (const p of study.config?.practices ?? []) {
      if (!fuzzyMatch(query, p.id) && !(p.name && fuzzyMatch(query, p.name))) continue;
      out.push({ name: p.id, kind: SymbolKind.Module, containerName: p.name ? `${p.name} (practice)` : "practice", location: { uri: configUri, range: unquote(p.range, p.id) } });
      if (out.length >= MAX_SYMBOLS) return out;
    }
  }
  return out;
}
