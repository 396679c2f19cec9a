// Diagnostics for every note of every study (opened or not), fieldnotes.yaml and the codebook.
// Push (`textDocument/publishDiagnostics`) for clients without pull support. Pull clients
// (`textDocument/diagnostic`, `workspace/diagnostic`) get pulled reports for what they ask for; until a
// pull client asks for workspace diagnostics, files that are not open are still pushed (VS Code's
// client pulls only open documents by default), and a file's push is cleared when it is opened.
// Only files whose diagnostics changed are re-sent (compared as JSON).
import {
  DiagnosticSeverity,
  DiagnosticTag,
  DocumentDiagnosticReportKind,
  type CancellationToken,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentDiagnosticReport,
  type PreviousResultId,
  type WorkspaceDocumentDiagnosticReport,
} from "vscode-languageserver";
import { join } from "node:path";
import { CONFIG_FILE, type Diagnostic, type Study } from "../core/index.js";
import { uriToPath, type FileKind, type Located, type StudyHandle, type Workspace } from "./workspace.js";
import { CANCELLED } from "./references.js";

export interface Settings {
  scope: "workspace" | "openFiles";
  identifiers: boolean;
}

export const DEFAULT_SETTINGS: Settings = { scope: "workspace", identifiers: true };

/** Reads `fieldnotes.*` settings from a configuration object (`{diagnostics: {scope}, identifiers: {enabled}}` or flat dotted keys). */
export function readSettings(raw: unknown): Settings {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const nested = (a: string, b: string) => {
    const v = o[a];
    if (v && typeof v === "object" && b in (v as object)) return (v as Record<string, unknown>)[b];
    return o[`${a}.${b}`];
  };
  const scope = nested("diagnostics", "scope");
  const identifiers = nested("identifiers", "enabled");
  return {
    scope: scope === "openFiles" ? "openFiles" : "workspace",
    identifiers: typeof identifiers === "boolean" ? identifiers : true,
  };
}

const SEVERITY: Record<Diagnostic["severity"], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.rule, source: "fieldnotes", message: d.message };
  if (d.data) out.data = d.data;
  if (d.rule === "code-deprecated") out.tags = [DiagnosticTag.Deprecated];
  return out;
}

export function coreDiagnosticsFor(study: Study, rel: string, kind: FileKind): Diagnostic[] {
  if (kind === "config") return study.configFileDiagnostics;
  if (kind === "codebook") return study.codebookDiagnostics;
  return study.notes.get(rel)?.diagnostics ?? [];
}

export function coreDiagnosticsOf(loc: Located): Diagnostic[] {
  return coreDiagnosticsFor(loc.study, loc.rel, loc.kind);
}

export function lspDiagnosticsFor(study: Study, rel: string, kind: FileKind, settings: Settings): LspDiagnostic[] {
  let ds = coreDiagnosticsFor(study, rel, kind);
  if (!settings.identifiers) ds = ds.filter((d) => d.rule !== "identifier-suspected");
  return ds.map(toLspDiagnostic);
}

/** Every file of a study that can carry diagnostics. */
export function studyFiles(study: Study): { rel: string; kind: FileKind }[] {
  const files: { rel: string; kind: FileKind }[] = [{ rel: CONFIG_FILE, kind: "config" }, { rel: study.codebookPath, kind: "codebook" }];
  for (const rel of study.notes.keys()) files.push({ rel, kind: "note" });
  return files;
}

export class DiagnosticsManager {
  /**
   * Pushed diagnostics by the file they name (its normalised path; the URI itself for others), with
   * the URI they were sent under, their JSON and the study root they belong to. One file has one
   * entry whatever the spelling of its URI (`%28` or `(`, `%c3%a9` or `%C3%A9`, a raw space): when
   * the spelling changes (the client opened it under its own), the old spelling is cleared.
   */
  private readonly pushed = new Map<string, { uri: string; root: string; json: string }>();
  /** Pull result ids by URI. */
  private readonly pulled = new Map<string, { json: string; id: string }>();
  private nextResultId = 1;
  private readonly settings = new Map<string, Settings>();
  /** The files of the last workspace report, so those that disappear can be cleared in the next. */
  private workspaceReported = new Set<string>();
  /** Set once a pull client asks for workspace diagnostics: from then on nothing is pushed. */
  workspacePullSeen = false;

  constructor(
    private readonly connection: Connection,
    private readonly ws: Workspace,
    readonly pull: boolean,
    private readonly refreshSupport: boolean,
  ) {}

  settingsFor(root: string): Settings {
    return this.settings.get(root) ?? this.settings.get("") ?? DEFAULT_SETTINGS;
  }

  setSettings(root: string, s: Settings): void {
    this.settings.set(root, s);
  }

  /** Does the configured scope cover this file? (With `openFiles`, only open notes are checked.) */
  private inScope(study: Study, rel: string, kind: FileKind): boolean {
    return kind !== "note" || this.settingsFor(study.root).scope !== "openFiles" || this.ws.isOpen(study, rel);
  }

  private shouldPush(study: Study, rel: string, kind: FileKind): boolean {
    if (!this.inScope(study, rel, kind)) return false;
    if (!this.pull) return true;
    return !this.ws.isOpen(study, rel) && !this.workspacePullSeen;
  }

  /** `key` is the file's absolute path when the caller knows it (cheaper than parsing the URI). */
  private send(uri: string, root: string, diagnostics: LspDiagnostic[], key = uriToPath(uri) ?? uri): void {
    if (!diagnostics.length && !this.pushed.size) return;
    const json = JSON.stringify(diagnostics);
    let old = this.pushed.get(key);
    if (old && old.uri !== uri) {
      void this.connection.sendDiagnostics({ uri: old.uri, diagnostics: [] });
      this.pushed.delete(key);
      old = undefined;
    }
    if (old ? old.json === json : diagnostics.length === 0) return;
    if (diagnostics.length) this.pushed.set(key, { uri, root, json });
    else this.pushed.delete(key);
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  /** Re-sends the given files of a study (deleted or out-of-scope files are cleared). */
  publish(study: Study, rels: Iterable<string>): void {
    const settings = this.settingsFor(study.root);
    for (const rel of rels) {
      const kind = this.ws.kindOf(study, rel);
      const uri = this.ws.uriOf(study, rel);
      const exists = kind === "note" ? study.notes.has(rel) : kind !== undefined;
      const key = join(study.root, rel);
      if (!kind || !exists || !this.shouldPush(study, rel, kind)) this.send(uri, study.root, [], key);
      else this.send(uri, study.root, lspDiagnosticsFor(study, rel, kind, settings), key);
    }
  }

  /** Re-sends every file of a study and clears pushed files it no longer has. */
  publishStudy(study: Study): void {
    const files = studyFiles(study);
    const uris = new Set<string>();
    const settings = this.settingsFor(study.root);
    for (const f of files) {
      const uri = this.ws.uriOf(study, f.rel);
      uris.add(uri);
      this.send(uri, study.root, this.shouldPush(study, f.rel, f.kind) ? lspDiagnosticsFor(study, f.rel, f.kind, settings) : [], join(study.root, f.rel));
    }
    for (const [key, p] of [...this.pushed]) if (p.root === study.root && !uris.has(p.uri)) this.send(p.uri, study.root, [], key);
  }

  clearStudy(root: string): void {
    for (const [key, p] of [...this.pushed]) if (p.root === root) this.send(p.uri, root, [], key);
  }

  publishAll(): void {
    for (const h of this.ws.handles()) if (h.loaded) this.publishStudy(h.study);
  }

  /** Asks a pull client to pull again (after a change it cannot see: codebook, disk, settings). */
  refresh(): void {
    if (!this.pull || !this.refreshSupport) return;
    const p = this.connection.languages.diagnostics.refresh() as unknown;
    if (p instanceof Promise) p.catch(() => undefined);
  }

  private report(uri: string, diagnostics: LspDiagnostic[], previousResultId?: string): DocumentDiagnosticReport {
    const json = JSON.stringify(diagnostics);
    let state = this.pulled.get(uri);
    if (!state || state.json !== json) this.pulled.set(uri, (state = { json, id: String(this.nextResultId++) }));
    if (previousResultId === state.id) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: state.id };
    return { kind: DocumentDiagnosticReportKind.Full, resultId: state.id, items: diagnostics };
  }

  /** `textDocument/diagnostic` for a located file (undefined: not a study file, an empty report). */
  documentReport(uri: string, loc: Located | undefined, previousResultId?: string): DocumentDiagnosticReport {
    if (!loc) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    return this.report(uri, lspDiagnosticsFor(loc.study, loc.rel, loc.kind, this.settingsFor(loc.study.root)), previousResultId);
  }

  /** `workspace/diagnostic`: every file of every loaded study (notes within the configured scope). */
  async workspaceReport(previous: PreviousResultId[], token?: CancellationToken): Promise<WorkspaceDocumentDiagnosticReport[]> {
    if (!this.workspacePullSeen) {
      this.workspacePullSeen = true;
      for (const [key, p] of [...this.pushed]) this.send(p.uri, p.root, [], key);
    }
    const prev = new Map(previous.map((p) => [p.uri, p.value]));
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    const reported = new Set<string>();
    let n = 0;
    for (const h of this.ws.handles()) {
      await h.ready;
      const study = h.study;
      const settings = this.settingsFor(study.root);
      for (const f of studyFiles(study)) {
        if (++n % 2000 === 0) {
          await new Promise((r) => setImmediate(r));
          if (token?.isCancellationRequested) throw CANCELLED();
        }
        // A note out of scope gets an empty report, not none: a file left out keeps its old diagnostics.
        const uri = this.ws.uriOf(study, f.rel);
        const r = this.report(uri, this.inScope(study, f.rel, f.kind) ? lspDiagnosticsFor(study, f.rel, f.kind, settings) : [], prev.get(uri));
        items.push({ ...r, uri, version: this.ws.versionOf(study, f.rel) } as WorkspaceDocumentDiagnosticReport);
        reported.add(uri);
      }
    }
    // Files reported before that are gone now (deleted, or their study removed): cleared once.
    for (const uri of new Set([...prev.keys(), ...this.workspaceReported])) {
      if (reported.has(uri)) continue;
      this.pulled.delete(uri);
      items.push({ kind: DocumentDiagnosticReportKind.Full, uri, items: [], version: null });
    }
    this.workspaceReported = reported;
    return items;
  }

  /** After open/close in pull mode the push for that file changes hands. */
  documentOpened(study: Study, rel: string): void {
    if (this.pull) this.publish(study, [rel]);
  }

  handleFor(root: string): StudyHandle | undefined {
    return this.ws.studies.get(root);
  }
}
