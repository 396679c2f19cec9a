// Wiring: capabilities, document sync, the feature providers, file watching, settings, and error
// safety (every handler answers with a ResponseError and a log line on failure; no note text is ever
// logged; a failing handler never takes the server down).
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type ClientCapabilities,
  type DocumentDiagnosticParams,
  type WorkspaceDiagnosticParams,
  type Connection,
  type FileEvent,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { basename, dirname } from "node:path";
import { CONFIG_FILE, type OpenOptions } from "../core/index.js";
import { Workspace, uriToPath, type StudyHandle } from "./workspace.js";
import { DiagnosticsManager, readSettings } from "./diagnostics.js";
import { DocumentSync } from "./documents.js";
import { completion, resolveCompletion } from "./completion.js";
import { hover } from "./hover.js";
import { definition } from "./definition.js";
import { references } from "./references.js";
import { prepareRename, rename } from "./rename.js";
import { codeActions } from "./codeActions.js";
import { workspaceSymbols } from "./symbols.js";
import { collectGarbage } from "./memory.js";
import { codeLenses } from "./codeLens.js";
import { CODES_REQUEST, NOTE_SEGMENTS_REQUEST, SEGMENTS_REQUEST, SUMMARY_REQUEST, codesRequest, noteSegmentsRequest, segmentsRequest, studyOfParam, summaryRequest } from "./requests.js";

/** Above this many watcher events at once, a full refresh of the study is cheaper than one by one. */
const MANY_EVENTS = 200;

export interface ServerOptions {
  study?: OpenOptions;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace({ get: (uri) => documents.get(uri) }, options.study ?? {});
  let capabilities: ClientCapabilities = {};
  let diagnostics!: DiagnosticsManager;
  let sync!: DocumentSync;
  let hasConfiguration = false;
  let initialSettings: unknown;
  let folders: string[] = [];
  let shuttingDown = false;
  let initializedDone = false;
  let discovered!: () => void;
  /** Resolves once the studies under the workspace folders are known (their loading may go on). */
  const discovery = new Promise<void>((r) => (discovered = r));

  const log = (message: string) => {
    try {
      connection.console.log(message);
    } catch {
      // the connection is gone
    }
  };
  ws.onLog = log;

  /** Wraps a request handler: errors become ResponseErrors and a log line (names only, never text). */
  function safe<P, R>(name: string, fn: (params: P, token: CancellationToken) => R | Promise<R>) {
    return async (params: P, token: CancellationToken): Promise<R | ResponseError<void>> => {
      try {
        if (shuttingDown) return new ResponseError(ErrorCodes.InvalidRequest, "The server is shutting down.");
        return await fn(params, token);
      } catch (err) {
        if (err instanceof ResponseError) {
          if (err.code !== LSPErrorCodes.RequestCancelled) log(`[${name}] ${err.message}`);
          return err as ResponseError<void>;
        }
        log(`[${name}] internal error: ${describeError(err)}`);
        return new ResponseError(ErrorCodes.InternalError, `fieldnotes: ${name} failed (${err instanceof Error ? err.name : "error"}). See the Fieldnotes output for details.`);
      }
    };
  }

  function safeNotification<P>(name: string, fn: (params: P) => void | Promise<void>) {
    return (params: P) => {
      try {
        const r = fn(params);
        if (r instanceof Promise) r.catch((err) => log(`[${name}] internal error: ${describeError(err)}`));
      } catch (err) {
        log(`[${name}] internal error: ${describeError(err)}`);
      }
    };
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    capabilities = params.capabilities;
    initialSettings = (params.initializationOptions as { settings?: unknown } | undefined)?.settings ?? params.initializationOptions;
    hasConfiguration = !!capabilities.workspace?.configuration;
    const pull = !!capabilities.textDocument?.diagnostic;
    diagnostics = new DiagnosticsManager(connection, ws, pull, !!capabilities.workspace?.diagnostics?.refreshSupport);
    sync = new DocumentSync(ws, diagnostics, (uri) => documents.get(uri));
    sync.onLog = log;
    sync.openUris = () => documents.keys();
    diagnostics.setSettings("", readSettings(fieldnotesSection(initialSettings)));
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (!folders.length) {
      const root = params.rootUri ? uriToPath(params.rootUri) : params.rootPath ?? undefined;
      if (root) folders = [root];
    }
    const td = capabilities.textDocument;
    return {
      capabilities: {
        positionEncoding: "utf-16",
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ["#", "/", " ", "[", ","], resolveProvider: true },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: td?.rename?.prepareSupport ? { prepareProvider: true } : true,
        codeActionProvider: td?.codeAction?.codeActionLiteralSupport ? { codeActionKinds: [CodeActionKind.QuickFix] } : true,
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        ...(pull ? { diagnosticProvider: { identifier: "fieldnotes", interFileDependencies: true, workspaceDiagnostics: true } } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "fieldnotes" },
    };
  });

  connection.onInitialized(
    safeNotification("initialized", async () => {
      if (capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          safeNotification("workspaceFolders", async (e) => {
            for (const f of e.removed) {
              const p = uriToPath(f.uri);
              if (p) for (const h of ws.removeFolder(p)) diagnostics.clearStudy(h.root);
            }
            for (const f of e.added) {
              const p = uriToPath(f.uri);
              if (p) for (const h of ws.addFolder(p)) await loadStudy(h);
            }
          }),
        );
      }
      initializedDone = true;
      const started = performance.now();
      const handles = folders.flatMap((f) => ws.addFolder(f));
      // Documents opened before `initialized` may belong to studies found upwards.
      for (const uri of documents.keys()) ws.locate(uri, true);
      discovered();
      if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client
          .register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: "**/*.md" }, { globPattern: "**/*.markdown" }, { globPattern: `**/${CONFIG_FILE}` }, { globPattern: "**/*.{yaml,yml}" }],
          })
          .catch(() => log("[initialized] the client refused the file watcher registration"));
      }
      await Promise.all(ws.handles().map((h) => loadStudy(h)));
      collectGarbage();
      const notes = ws.handles().reduce((n, h) => n + h.study.notes.size, 0);
      log(`[workspace] ${handles.length} ${handles.length === 1 ? "study" : "studies"}, ${notes} notes indexed in ${Math.round(performance.now() - started)} ms`);
    }),
  );

  const loading = new Map<StudyHandle, Promise<void>>();
  /** Waits for a study's load, applies open editors, reads its settings and publishes its diagnostics. */
  function loadStudy(h: StudyHandle): Promise<void> {
    let p = loading.get(h);
    if (p) return p;
    p = (async () => {
      await h.ready;
      await fetchSettings(h.root);
      if (!ws.studies.has(h.root)) return;
      sync.applyOpen(h);
      diagnostics.publishStudy(h.study);
      diagnostics.refresh();
    })();
    loading.set(h, p);
    return p;
  }

  async function fetchSettings(root: string): Promise<void> {
    if (!hasConfiguration) return;
    try {
      const [value] = await connection.workspace.getConfiguration([{ scopeUri: ws.uriOf(ws.studies.get(root)!.study, ""), section: "fieldnotes" }]);
      diagnostics.setSettings(root, readSettings(value));
    } catch {
      // keep the defaults
    }
  }

  connection.onDidChangeConfiguration(
    safeNotification("configuration", async (params) => {
      const section = fieldnotesSection(params.settings);
      if (section !== undefined) diagnostics.setSettings("", readSettings(section));
      for (const h of ws.handles()) {
        if (hasConfiguration) await fetchSettings(h.root);
        else diagnostics.setSettings(h.root, diagnostics.settingsFor(""));
        if (h.loaded) diagnostics.publishStudy(h.study);
      }
      diagnostics.refresh();
    }),
  );

  documents.onDidOpen(
    safeNotification("didOpen", async (e) => {
      sync.opened(e.document.uri);
      const h = ws.locate(e.document.uri)?.handle;
      if (h && initializedDone) await loadStudy(h);
    }),
  );
  documents.onDidChangeContent(safeNotification("didChange", (e) => sync.changed(e.document.uri)));
  documents.onDidClose(safeNotification("didClose", (e) => sync.closed(e.document.uri)));

  connection.onDidChangeWatchedFiles(safeNotification("watchedFiles", async (params) => onFileEvents(params.changes)));

  async function onFileEvents(events: FileEvent[]): Promise<void> {
    const byStudy = new Map<StudyHandle, string[]>();
    const newRoots = new Set<string>();
    const goneRoots = new Set<string>();
    for (const e of events) {
      const path = uriToPath(e.uri);
      if (!path) continue;
      if (basename(path) === CONFIG_FILE) {
        const dir = dirname(path);
        if (e.type === FileChangeType.Created && !ws.studies.has(dir) && [...ws.folders].some((f) => dir.startsWith(f))) newRoots.add(dir);
        if (e.type === FileChangeType.Deleted && ws.studies.has(dir)) {
          goneRoots.add(dir);
          ws.removeStudy(dir);
          diagnostics.clearStudy(dir);
          continue;
        }
      }
      const h = ws.studyFor(path);
      if (!h || !h.loaded) continue;
      const rel = h.study.relative(path);
      if (rel === undefined) continue;
      let list = byStudy.get(h);
      if (!list) byStudy.set(h, (list = []));
      list.push(rel);
    }
    for (const [h, rels] of byStudy) {
      const study = h.study;
      const configEvent = rels.includes(CONFIG_FILE) || rels.includes(study.codebookPath);
      if (configEvent || rels.length > MANY_EVENTS) {
        if (configEvent) study.reloadConfig();
        await study.refresh();
        if (rels.length > MANY_EVENTS) collectGarbage();
        if (configEvent) sync.reapplyConfigOverlays(h);
        diagnostics.publishStudy(study);
      } else {
        const changed = study.changeFiles(rels);
        diagnostics.publish(study, new Set([...changed, ...rels.filter((r) => study.isNote(r) || !study.notes.has(r))]));
      }
      diagnostics.refresh();
    }
    // A study appearing inside another (or leaving it) takes its notes from it (or gives them back):
    // the enclosing study is read again first, so that the nearest study publishes last.
    for (const root of [...newRoots, ...goneRoots]) {
      const outer = ws.studyFor(dirname(root));
      if (outer?.loaded) await catchUpWithDisk(outer);
    }
    for (const root of newRoots) await loadStudy(ws.addStudy(root));
  }

  /** Re-reads what changed on disk in a study (by size and mtime), keeping open editors' text, and publishes it. */
  async function catchUpWithDisk(h: StudyHandle): Promise<void> {
    const changed = await h.study.refresh();
    if (!changed.length) return;
    sync.reapplyConfigOverlays(h);
    diagnostics.publish(h.study, [CONFIG_FILE, h.study.codebookPath, ...changed]);
    diagnostics.refresh();
  }

  const docPos = async (uri: string) => {
    await discovery;
    return sync.ready(uri);
  };

  connection.onCompletion(
    safe("completion", async (params) => {
      // Completion reads the editor's text, not the index: no need to apply pending edits first.
      await discovery;
      const first = ws.locate(params.textDocument.uri, true);
      if (first) await first.handle.ready;
      const loc = ws.locate(params.textDocument.uri);
      const doc = documents.get(params.textDocument.uri);
      if (!loc || !doc) return null;
      const item = capabilities.textDocument?.completion?.completionItem;
      return completion(loc, doc.getText(), params.position, {
        lazyDocumentation: !!item?.resolveSupport?.properties.includes("documentation"),
        editRangeDefault: !!capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes("editRange"),
        studyNo: loc.handle.no,
        dataDefault: !!capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes("data"),
      });
    }),
  );
  connection.onCompletionResolve(safe("completionResolve", (item) => resolveCompletion(item, (no) => ws.byNo(no)?.study)));
  connection.onHover(
    safe("hover", async (params) => {
      const loc = await docPos(params.textDocument.uri);
      return loc ? hover(loc, params.position) : null;
    }),
  );
  connection.onDefinition(
    safe("definition", async (params) => {
      const loc = await docPos(params.textDocument.uri);
      return loc ? definition(ws, loc, params.position) : null;
    }),
  );
  connection.onReferences(
    safe("references", async (params, token) => {
      const loc = await docPos(params.textDocument.uri);
      return loc ? references(ws, loc, params.position, params.context.includeDeclaration, token) : null;
    }),
  );
  connection.onPrepareRename(
    safe("prepareRename", async (params) => {
      const loc = await docPos(params.textDocument.uri);
      return loc ? prepareRename(loc, params.position) : null;
    }),
  );
  connection.onRenameRequest(
    safe("rename", async (params, token) => {
      let loc = await docPos(params.textDocument.uri);
      if (!loc) return null;
      for (const uri of documents.keys()) sync.flush(uri);
      // Files may have changed on disk with no event yet (or from a client that sends none).
      await catchUpWithDisk(loc.handle);
      loc = ws.locate(params.textDocument.uri);
      if (!loc) return null;
      return rename(ws, loc, params.position, params.newName, { documentChanges: !!capabilities.workspace?.workspaceEdit?.documentChanges, token });
    }),
  );
  connection.onCodeAction(
    safe("codeAction", async (params) => {
      let loc = await docPos(params.textDocument.uri);
      if (!loc) return null;
      // A closed file's diagnostics (and their ranges) must match its text now.
      if (!ws.isOpen(loc.study, loc.rel) && loc.kind === "note") {
        const changed = loc.study.changeFiles([loc.rel]);
        if (changed.length) diagnostics.publish(loc.study, changed);
        loc = ws.locate(params.textDocument.uri);
        if (!loc) return null;
      }
      return codeActions(ws, loc, params.range, params.context.only, { documentChanges: !!capabilities.workspace?.workspaceEdit?.documentChanges });
    }),
  );
  connection.onWorkspaceSymbol(
    safe("workspaceSymbol", async (params, token) => {
      await discovery;
      await Promise.all(ws.handles().map((h) => h.ready));
      return workspaceSymbols(ws, params.query, token);
    }),
  );
  connection.onCodeLens(
    safe("codeLens", async (params) => {
      const loc = await docPos(params.textDocument.uri);
      return loc ? codeLenses(loc) : null;
    }),
  );

  /** The study a custom request names, with every open editor's pending text applied. */
  async function requestStudy(params: unknown) {
    await discovery;
    const handle = await studyOfParam(ws, params);
    for (const uri of documents.keys()) sync.flush(uri);
    return handle;
  }
  connection.onRequest(CODES_REQUEST, safe("codes", async (params: unknown) => codesRequest(await requestStudy(params))));
  connection.onRequest(SEGMENTS_REQUEST, safe("segments", async (params: unknown) => segmentsRequest(await requestStudy(params), params)));
  connection.onRequest(SUMMARY_REQUEST, safe("summary", async (params: unknown) => summaryRequest(await requestStudy(params), params)));
  connection.onRequest(
    NOTE_SEGMENTS_REQUEST,
    safe("noteSegments", async (params: unknown) => noteSegmentsRequest(await requestStudy(params), (params as { uri: string }).uri)),
  );

  connection.languages.diagnostics.on(
    safe("diagnostic", async (params: DocumentDiagnosticParams) => {
      const loc = await docPos(params.textDocument.uri);
      return diagnostics.documentReport(params.textDocument.uri, loc, params.previousResultId);
    }) as never,
  );
  connection.languages.diagnostics.onWorkspace(
    safe("workspaceDiagnostic", async (params: WorkspaceDiagnosticParams, token) => {
      await discovery;
      for (const uri of documents.keys()) sync.flush(uri);
      return { items: await diagnostics.workspaceReport(params.previousResultIds, token) };
    }) as never,
  );

  if (process.env.FIELDNOTES_LSP_DEBUG === "1") {
    // Tests only: the heap after a full collection, to check that editing does not grow what is kept.
    connection.onRequest("fieldnotes/debug/heap", () => {
      collectGarbage();
      collectGarbage();
      return { heapUsed: process.memoryUsage().heapUsed };
    });
  }

  connection.onShutdown(() => {
    shuttingDown = true;
  });

  documents.listen(connection);
  connection.listen();
}

function fieldnotesSection(settings: unknown): unknown {
  if (!settings || typeof settings !== "object") return undefined;
  const s = settings as Record<string, unknown>;
  if ("fieldnotes" in s) return s.fieldnotes;
  return undefined;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  // The stack without the message line: messages could quote note text.
  const frames = (err.stack ?? "").split("\n").slice(1, 6).join("\n");
  return `${err.name}\n${frames}`;
}
