// The Fieldnotes VS Code extension: a language client for the bundled fieldnotes language server,
// plus commands (new note, integration summary, check study), a status bar item and settings.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { createNote } from "../../server/core/newnote.js";
import { findStudies, resolveStudyArg, studyOf, type Study } from "./studies";
import { openEvidence, SummaryService } from "./summary";
import { exportRefi, importRefi } from "./refi";

const SOURCE = "fieldnotes";
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let studies: Study[] = [];
let statusItem: vscode.StatusBarItem;
let summary: SummaryService;
let ctx: vscode.ExtensionContext;
let errorHandler: RestartingErrorHandler | undefined;

export interface NewNoteArgs {
  study?: string;
  practice?: string;
  type?: string;
  date?: string;
  observer?: string;
}

/** What `activate` returns: used by the end-to-end tests, stable enough for other extensions. */
export interface FieldnotesApi {
  client(): LanguageClient | undefined;
  studies(): Study[];
  statusBarText(): string;
  openEvidence(root: string, file: string, line?: number | string): Promise<vscode.TextEditor>;
  summaryUrl(study: string): Promise<string>;
  /** Unexpected language server stops since the last (re)start by command, and messages shown about them. */
  serverStops(): { stops: number; messages: number };
}

export async function activate(context: vscode.ExtensionContext): Promise<FieldnotesApi> {
  ctx = context;
  output = vscode.window.createOutputChannel("Fieldnotes");
  context.subscriptions.push(output);
  summary = new SummaryService(context.asAbsolutePath(path.join("extension", "dist", "cli.js")), output);
  context.subscriptions.push(summary);

  statusItem = vscode.window.createStatusBarItem("fieldnotes.status", vscode.StatusBarAlignment.Left, 10);
  statusItem.name = "Fieldnotes";
  statusItem.command = "workbench.actions.view.problems";
  context.subscriptions.push(statusItem);

  const reg = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg("fieldnotes.newNote", (arg?: NewNoteArgs | vscode.Uri) => newNote(arg));
  reg("fieldnotes.openSummary", (arg?: string | vscode.Uri) => openSummary(arg, false));
  reg("fieldnotes.openSummaryInBrowser", (arg?: string | vscode.Uri) => openSummary(arg, true));
  reg("fieldnotes.checkStudy", () => checkStudy());
  reg("fieldnotes.restartServer", () => restartServer());
  reg("fieldnotes.showOutput", () => output.show(true));
  reg("fieldnotes.exportRefi", (arg?: string | vscode.Uri) => exportRefi(context.asAbsolutePath(path.join("extension", "dist", "cli.js")), output, () => pickStudy(arg, "Study to export")));
  reg("fieldnotes.importRefi", () => importRefi(context.asAbsolutePath(path.join("extension", "dist", "cli.js")), output));

  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void refreshStudies()),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme === "file") summary.refreshStudyOf(doc.uri.fsPath);
      if (path.basename(doc.uri.fsPath) === "fieldnotes.yaml") void refreshStudies();
    }),
  );
  const watcher = vscode.workspace.createFileSystemWatcher("**/fieldnotes.yaml");
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(() => void refreshStudies()),
    watcher.onDidDelete(() => void refreshStudies()),
  );

  await refreshStudies();
  await startClient();

  return {
    client: () => client,
    studies: () => studies,
    statusBarText: () => statusItem.text,
    serverStops: () => ({ stops: errorHandler?.stops ?? 0, messages: errorHandler?.messages ?? 0 }),
    openEvidence,
    summaryUrl: async (s: string) => {
      const study = resolveStudyArg(studies, s);
      if (!study) throw new Error(`No study at ${s}`);
      return summary.ensureServer(study);
    },
  };
}

export async function deactivate(): Promise<void> {
  summary?.dispose();
  if (client) {
    const c = client;
    client = undefined;
    await c.stop().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Language client

function serverPath(): string {
  return ctx.asAbsolutePath(path.join("extension", "dist", "server.js"));
}

/** Restarts a crashed server a few times (telling the user once), then gives up with one message. */
class RestartingErrorHandler implements ErrorHandler {
  private restarts: number[] = [];
  private told = false;
  /** Unexpected stops and messages shown, for the tests. */
  stops = 0;
  messages = 0;

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    if (count !== undefined && count <= 3) return { action: ErrorAction.Continue, handled: true };
    return { action: ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    this.stops++;
    output.appendLine(`[client] the language server stopped unexpectedly (${this.restarts.length} time(s) in 3 minutes)`);
    if (this.restarts.length <= MAX_RESTARTS) {
      if (!this.told) {
        this.told = true;
        this.messages++;
        void vscode.window.showWarningMessage(
          "The Fieldnotes language server stopped unexpectedly and was restarted. See 'Fieldnotes: Show Output' for details.",
        );
      }
      return { action: CloseAction.Restart, handled: true };
    }
    this.messages++;
    void vscode.window
      .showErrorMessage(
        "The Fieldnotes language server keeps stopping and will not be restarted automatically.",
        "Restart Server",
        "Show Output",
      )
      .then((choice) => {
        if (choice === "Restart Server") void restartServer();
        else if (choice === "Show Output") output.show(true);
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

async function startClient(): Promise<void> {
  if (client) return;
  const module = serverPath();
  if (!fs.existsSync(module)) {
    output.appendLine(`[client] language server not found at ${module}; run 'npm run package' or 'node scripts/build-extension.mjs'`);
    return;
  }
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6011"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", pattern: "**/fieldnotes.yaml" },
      { scheme: "file", pattern: "**/codebook.yaml" },
    ],
    synchronize: {
      configurationSection: "fieldnotes",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{md,markdown,yaml,yml}"),
    },
    outputChannel: output,
    traceOutputChannel: output,
    errorHandler: (errorHandler = new RestartingErrorHandler()),
    initializationFailedHandler: (err) => {
      output.appendLine(`[client] initialization failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    },
  };
  // The id "fieldnotes" makes the client honour the `fieldnotes.trace.server` setting.
  const c = new LanguageClient("fieldnotes", "Fieldnotes Language Server", serverOptions, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    output.appendLine(`[client] state ${State[e.oldState]} -> ${State[e.newState]}`);
  });
  try {
    await c.start();
  } catch (e) {
    output.appendLine(`[client] could not start the language server: ${e instanceof Error ? e.message : String(e)}`);
    void vscode.window.showErrorMessage("Fieldnotes: the language server could not start. See 'Fieldnotes: Show Output'.");
  }
}

async function restartServer(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    try {
      await c.stop(5000);
    } catch (e) {
      output.appendLine(`[client] stop: ${e instanceof Error ? e.message : String(e)}`);
    }
    await c.dispose().catch(() => undefined);
  }
  await startClient();
}

// ---------------------------------------------------------------------------------------------
// Studies and status bar

async function refreshStudies(): Promise<void> {
  try {
    studies = await findStudies();
  } catch (e) {
    output.appendLine(`[studies] ${e instanceof Error ? e.message : String(e)}`);
    studies = [];
  }
  void vscode.commands.executeCommand("setContext", "fieldnotes.hasStudy", studies.length > 0);
  updateStatus();
}

function updateStatus(): void {
  if (!statusItem) return;
  if (studies.length === 0) {
    statusItem.hide();
    return;
  }
  let errors = 0;
  let warnings = 0;
  for (const [, diags] of vscode.languages.getDiagnostics()) {
    for (const d of diags) {
      if (d.source !== SOURCE) continue;
      if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
      else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
    }
  }
  const name = studies.length === 1 ? studies[0].name : `${studies.length} studies`;
  const shortName = name.length > 40 ? `${name.slice(0, 39)}…` : name;
  statusItem.text = `$(notebook) ${shortName}  $(error) ${errors}  $(warning) ${warnings}`;
  statusItem.tooltip = `Fieldnotes: ${studies.map((s) => s.name).join(", ")}\n${errors} error(s), ${warnings} warning(s). Click to open the Problems view.`;
  statusItem.show();
}

async function pickStudy(arg: string | vscode.Uri | undefined, placeHolder: string): Promise<Study | undefined> {
  if (studies.length === 0) await refreshStudies();
  if (arg instanceof vscode.Uri) arg = arg.fsPath;
  if (typeof arg === "string" && arg) {
    const s = resolveStudyArg(studies, arg) ?? studyOf(studies, arg);
    if (!s) throw new Error(`No study (folder with fieldnotes.yaml) at ${arg}.`);
    return s;
  }
  if (studies.length === 0) {
    void vscode.window.showWarningMessage("Fieldnotes: no fieldnotes.yaml in this workspace. Open a study folder first.");
    return undefined;
  }
  if (studies.length === 1) return studies[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const current = active?.scheme === "file" ? studyOf(studies, active.fsPath) : undefined;
  const items = studies.map((s) => ({
    label: s.name,
    description: vscode.workspace.asRelativePath(s.root),
    study: s,
  }));
  if (current) items.sort((a, b) => (a.study === current ? -1 : b.study === current ? 1 : 0));
  const pick = await vscode.window.showQuickPick(items, { placeHolder });
  return pick?.study;
}

// ---------------------------------------------------------------------------------------------
// Commands

async function newNote(arg?: NewNoteArgs | vscode.Uri): Promise<string | undefined> {
  const opts: NewNoteArgs = arg instanceof vscode.Uri ? { study: arg.fsPath } : { ...(arg ?? {}) };
  try {
    const study = await pickStudy(opts.study, "Study for the new note");
    if (!study) return undefined;
    if (arg instanceof vscode.Uri && !opts.practice) {
      // From the explorer on notes/<practice>/ (or a file in it): that practice.
      const parts = path.relative(study.root, arg.fsPath).split(path.sep);
      if (parts[0] === "notes" && study.practices.some((p) => p.id === parts[1])) opts.practice = parts[1];
    }
    let practice = opts.practice;
    if (!practice) {
      if (study.practices.length === 0) {
        void vscode.window.showErrorMessage(`Fieldnotes: ${study.name} has no practices in fieldnotes.yaml.`);
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        study.practices.map((p) => ({ label: p.id, description: p.name })),
        { placeHolder: "Practice", matchOnDescription: true },
      );
      if (!pick) return undefined;
      practice = pick.label;
    }
    let type = opts.type;
    if (!type) {
      const pick = await vscode.window.showQuickPick(study.types, { placeHolder: "Note type" });
      if (!pick) return undefined;
      type = pick;
    }
    const created = createNote({
      root: study.root,
      practice,
      type,
      date: opts.date,
      observer: opts.observer,
      templatesDir: ctx.asAbsolutePath("templates"),
      types: study.types,
    });
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(created.path));
    const line = Math.max(0, Math.min(created.line, doc.lineCount - 1));
    const pos = doc.lineAt(line).range.end;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: false });
    return created.path;
  } catch (e) {
    void vscode.window.showErrorMessage(`Fieldnotes: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

async function openSummary(arg: string | vscode.Uri | undefined, external: boolean): Promise<string | undefined> {
  try {
    const study = await pickStudy(arg, "Study to summarise");
    if (!study) return undefined;
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Fieldnotes: starting the summary server" },
      async () => {
        if (external) {
          const url = await summary.ensureServer(study);
          await vscode.env.openExternal(vscode.Uri.parse(url));
          return url;
        }
        return (await summary.show(study, ctx)).url;
      },
    );
  } catch (e) {
    output.appendLine(`[summary] ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    void vscode.window.showErrorMessage(`Fieldnotes: could not open the summary: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

async function checkStudy(): Promise<void> {
  const scope = vscode.workspace.getConfiguration("fieldnotes").get<string>("diagnostics.scope", "workspace");
  if (!client || client.state !== State.Running) await restartServer();
  await vscode.commands.executeCommand("workbench.actions.view.problems");
  if (scope === "openFiles") {
    const choice = await vscode.window.showInformationMessage(
      "Fieldnotes checks only open files (fieldnotes.diagnostics.scope is 'openFiles'). Check the whole workspace?",
      "Check Workspace",
    );
    if (choice === "Check Workspace") {
      await vscode.workspace
        .getConfiguration("fieldnotes")
        .update("diagnostics.scope", "workspace", vscode.ConfigurationTarget.Workspace);
    }
  }
}
