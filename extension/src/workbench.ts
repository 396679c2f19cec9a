// The qualitative-analysis workbench in the editor: the Fieldnotes view container (Codebook,
// Practices, Segments), coded-segment marks in notes, the current note's practice and date in the
// status bar, and the commands for retrieval, REFI-QDA exchange, agreement, changes and as-of
// summaries. Every view refreshes when the language server's index changes (its diagnostics are
// published after every change, saved or not), debounced and without rebuilding unchanged trees.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { Study } from "./studies";
import type { SummaryService } from "./summary";
import { openEvidence, showReportPanel } from "./summary";
import { CodebookView, type CodebookNode } from "./views/codebookView";
import { PracticesView } from "./views/practicesView";
import { SegmentsView } from "./views/segmentsView";
import { WorkbenchData, type Filters } from "./views/data";
import { SegmentMarks } from "./segmentMarks";
import { exportName, revisions, tempReport, withCli } from "./cliCommands";

export interface WorkbenchDeps {
  context: vscode.ExtensionContext;
  client: () => LanguageClient | undefined;
  studies: () => Study[];
  pickStudy: (arg: string | vscode.Uri | undefined, placeHolder: string) => Promise<Study | undefined>;
  summary: SummaryService;
  cliPath: string;
  output: vscode.OutputChannel;
}

/** What the workbench exposes to the end-to-end tests through the extension's API. */
export interface WorkbenchApi {
  codebook: CodebookView;
  practices: PracticesView;
  segments: SegmentsView;
  marks: SegmentMarks;
  noteStatusText(): string;
  refresh(): Promise<void>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function registerWorkbench(deps: WorkbenchDeps): WorkbenchApi {
  const { context } = deps;
  const data = new WorkbenchData(deps.client);
  const codebook = new CodebookView(data, deps.studies);
  const practices = new PracticesView(data, deps.studies);
  const segments = new SegmentsView(data);
  const marks = new SegmentMarks(data, (f) => vscode.Uri.file(context.asAbsolutePath(path.join("extension", "media", f))));
  const codebookTree = vscode.window.createTreeView("fieldnotes.codebook", { treeDataProvider: codebook, showCollapseAll: true });
  const practicesTree = vscode.window.createTreeView("fieldnotes.practices", { treeDataProvider: practices, showCollapseAll: true });
  segments.view = vscode.window.createTreeView("fieldnotes.segments", { treeDataProvider: segments, showCollapseAll: true });
  const noteStatus = vscode.window.createStatusBarItem("fieldnotes.note", vscode.StatusBarAlignment.Left, 9);
  noteStatus.name = "Fieldnotes: current note";
  context.subscriptions.push(codebookTree, practicesTree, segments.view, marks, noteStatus);

  let timer: NodeJS.Timeout | undefined;
  const refreshAll = async () => {
    await Promise.all([codebook.refresh(), practices.refresh(), segments.refresh()]).catch((e) => deps.output.appendLine(`[views] ${String(e)}`));
    await marks.updateAll();
  };
  const schedule = (ms = 400) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refreshAll(), ms);
  };
  context.subscriptions.push({ dispose: () => timer && clearTimeout(timer) });

  const updateNoteStatus = () => {
    const ed = vscode.window.activeTextEditor;
    const info = ed && ed.document.languageId === "markdown" ? noteHeader(ed.document.getText()) : undefined;
    if (!info || !deps.studies().some((s) => isUnder(ed!.document.uri.fsPath, s.root))) {
      noteStatus.hide();
      return;
    }
    noteStatus.text = `$(note) ${[info.practice, info.date].filter(Boolean).join(" · ")}`;
    noteStatus.tooltip = "Fieldnotes: this note's practice and date";
    noteStatus.show();
  };

  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => schedule()),
    vscode.window.onDidChangeActiveTextEditor(() => {
      updateNoteStatus();
      marks.schedule(50);
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => marks.schedule(50)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) updateNoteStatus();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("fieldnotes.segments.highlight")) void marks.updateAll();
    }),
  );
  updateNoteStatus();

  const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  const fail = (what: string, e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    deps.output.appendLine(`[${what}] ${message}`);
    void vscode.window.showErrorMessage(`Fieldnotes: ${message}`);
    return undefined;
  };

  /** Shows a retrieval in the Segments view and reveals it. */
  const showSegments = async (arg?: { root?: string; code?: string; filters?: Filters } | CodebookNode) => {
    let root: string | undefined;
    let filters: Filters | undefined;
    if (arg && "kind" in arg) {
      if (arg.kind !== "code") return;
      root = arg.study.root;
      filters = { code: [arg.code.id] };
    } else if (arg) {
      root = arg.root;
      filters = arg.filters ?? (arg.code ? { code: [arg.code] } : undefined);
    }
    if (!root) root = (await deps.pickStudy(undefined, "Study"))?.root;
    if (!root || !filters) return;
    await segments.show(root, filters);
    await vscode.commands.executeCommand("fieldnotes.segments.focus");
    return segments.result;
  };
  reg("fieldnotes.showSegments", showSegments);
  reg("fieldnotes.findSegments", async (arg?: { root?: string; filters?: Filters }) => {
    if (arg?.filters) return showSegments(arg);
    const study = await deps.pickStudy(undefined, "Study to search");
    if (!study) return;
    const filters = await buildFilters(study, codebook);
    if (filters) return showSegments({ root: study.root, filters });
  });
  reg("fieldnotes.openSegment", async (root: string, file: string, line: number, text?: string) => {
    const ed = await openEvidence(root, file, line);
    if (text) {
      // Select the segment: from its first line to where its text ends.
      const start = new vscode.Position(line - 1, 0);
      const lines = text.split(/\r\n|\r|\n/).length;
      const lastLine = Math.min(ed.document.lineCount - 1, line - 2 + lines);
      const end = ed.document.lineAt(lastLine).range.end;
      ed.selection = new vscode.Selection(start, end);
      ed.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    return ed;
  });
  reg("fieldnotes.openNoteAt", (root: string, file: string, line?: number) => openEvidence(root, file, line));
  reg("fieldnotes.codebook.showUnused", () => codebook.setUnusedOnly(true));
  reg("fieldnotes.codebook.showAll", () => codebook.setUnusedOnly(false));
  reg("fieldnotes.refreshViews", () => refreshAll());

  /** The codebook.yaml location of a code (through the language server's workspace symbols). */
  const codeLocation = async (node: CodebookNode): Promise<vscode.Location | undefined> => {
    if (node.kind !== "code") return undefined;
    const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>("vscode.executeWorkspaceSymbolProvider", node.code.id)) ?? [];
    return symbols.find((s) => s.name === node.code.id && isUnder(s.location.uri.fsPath, node.study.root))?.location;
  };
  reg("fieldnotes.code.goToDefinition", async (node: CodebookNode) => {
    const loc = await codeLocation(node);
    if (loc) return vscode.window.showTextDocument(loc.uri, { selection: loc.range });
  });
  reg("fieldnotes.code.findReferences", async (node: CodebookNode) => {
    const loc = await codeLocation(node);
    if (!loc) return;
    const refs = (await vscode.commands.executeCommand<vscode.Location[]>("vscode.executeReferenceProvider", loc.uri, loc.range.start)) ?? [];
    await vscode.commands.executeCommand("editor.action.showReferences", loc.uri, loc.range.start, refs);
    return refs;
  });
  reg("fieldnotes.code.rename", async (node: CodebookNode) => {
    const loc = await codeLocation(node);
    if (!loc) return;
    await vscode.window.showTextDocument(loc.uri, { selection: loc.range });
    await vscode.commands.executeCommand("editor.action.rename");
  });

  reg("fieldnotes.exportRefi", async (arg?: { study?: string; out?: string; format?: "qdpx" | "qdc" }) => {
    try {
      const study = await deps.pickStudy(arg?.study, "Study to export");
      if (!study) return;
      let out = arg?.out;
      if (!out) {
        const uri = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(path.dirname(study.root), exportName(study, arg?.format ?? "qdpx"))),
          filters: { "REFI-QDA project": ["qdpx"], "REFI-QDA codebook": ["qdc"] },
          title: "Export Study as REFI-QDA",
        });
        if (!uri) return;
        out = uri.fsPath;
      }
      // The whole study, or the codebook alone when the researcher chose a .qdc.
      const chosen = arg?.format ?? (out.toLowerCase().endsWith(".qdc") ? "qdc" : "qdpx");
      // The save dialog has already asked about replacing an existing file.
      await withCli(deps.cliPath, `exporting ${study.name}`, ["export", study.root, "--format", chosen, "--out", out, "--force"], study.root);
      void vscode.window.showInformationMessage(`Fieldnotes: exported ${study.name} to ${out}`);
      return out;
    } catch (e) {
      return fail("export", e);
    }
  });
  reg("fieldnotes.importRefi", async (arg?: { file?: string; dir?: string }) => {
    try {
      let file = arg?.file;
      if (!file) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { "REFI-QDA": ["qdpx", "qde", "qdc"] }, title: "Import REFI-QDA Project" });
        if (!picked?.[0]) return;
        file = picked[0].fsPath;
      }
      let dir = arg?.dir;
      if (!dir) {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(file);
        const uri = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(base, path.basename(file).replace(/\.(qdpx|qde|qdc)$/i, ""))),
          title: "Folder for the new study (must not exist yet)",
          saveLabel: "Create Study",
        });
        if (!uri) return;
        dir = uri.fsPath;
      }
      const r = await withCli(deps.cliPath, `importing ${path.basename(file)}`, ["import", file, dir], path.dirname(file));
      deps.output.appendLine(`[import] ${r.stdout.trim()}`);
      const choice = arg?.dir ? undefined : await vscode.window.showInformationMessage(`Fieldnotes: imported into ${dir}.`, "Open Folder", "Show Report");
      if (choice === "Open Folder") await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(dir), { forceNewWindow: true });
      else if (choice === "Show Report") deps.output.show(true);
      return dir;
    } catch (e) {
      return fail("import", e);
    }
  });
  reg("fieldnotes.compareCoding", async (arg?: { study?: string; a?: string; b?: string }) => {
    try {
      const study = await deps.pickStudy(arg?.study, "Study whose coding to compare");
      if (!study) return;
      let b = arg?.b;
      if (!b) {
        const pick = await vscode.window.showQuickPick(revisions(study.root), { placeHolder: "Compare this study's coding with the coding on branch…" });
        if (!pick) return;
        b = pick.label;
      }
      const a = arg?.a ?? study.root;
      const out = tempReport("agreement.html");
      await withCli(deps.cliPath, `comparing coding with ${b}`, ["agree", a, b, study.root, "--format", "html", "--out", out], study.root);
      showReportPanel(study.root, `Coding agreement: ${b}`, fs.readFileSync(out, "utf8"), context);
      return out;
    } catch (e) {
      return fail("agree", e);
    }
  });
  reg("fieldnotes.showChanges", async (arg?: { study?: string; rev?: string }) => {
    try {
      const study = await deps.pickStudy(arg?.study, "Study");
      if (!study) return;
      let rev = arg?.rev;
      if (!rev) {
        const pick = await vscode.window.showQuickPick(revisions(study.root), { placeHolder: "Show what changed in the findings since…" });
        if (!pick) return;
        rev = pick.label;
      }
      const r = await withCli(deps.cliPath, `changes since ${rev}`, ["diff", rev, study.root, "--format", "md"], study.root);
      const doc = await vscode.workspace.openTextDocument({ language: "markdown", content: r.stdout });
      await vscode.commands.executeCommand("markdown.showPreview", doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
      return r.stdout;
    } catch (e) {
      return fail("diff", e);
    }
  });
  reg("fieldnotes.openSummaryAsOf", async (arg?: { study?: string; date?: string }) => {
    try {
      const study = await deps.pickStudy(arg?.study, "Study to summarise");
      if (!study) return;
      const date =
        arg?.date ??
        (await vscode.window.showInputBox({
          prompt: "Integration summary as of (YYYY-MM-DD): only notes dated on or before it count",
          placeHolder: "2016-06-30",
          validateInput: (v) => (DATE.test(v.trim()) ? undefined : "Write a date as YYYY-MM-DD"),
        }));
      if (!date) return;
      const shown = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "Fieldnotes: building the summary" }, () =>
        deps.summary.show(study, context, date.trim()),
      );
      return shown.url;
    } catch (e) {
      return fail("summary", e);
    }
  });

  void refreshAll();
  return { codebook, practices, segments, marks, noteStatusText: () => (noteStatus.text ? noteStatus.text : ""), refresh: refreshAll };
}

/** Practice and date from a note's frontmatter, read lightly for the status bar. */
export function noteHeader(text: string): { practice?: string; date?: string } | undefined {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) return undefined;
  const field = (key: string) => new RegExp(`^${key}:[ \\t]*["']?([^"'#\\r\\n]*?)["']?[ \\t]*(?:#.*)?$`, "m").exec(m[1])?.[1] || undefined;
  const info = { practice: field("practice"), date: field("date") };
  return info.practice || info.date ? info : undefined;
}

function isUnder(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** Builds a retrieval with quick picks: which filter, then its value(s); repeat until done. */
async function buildFilters(study: Study, codebook: CodebookView): Promise<Filters | undefined> {
  const filters: Filters = {};
  const kinds: (vscode.QuickPickItem & { key: string })[] = [
    { key: "code", label: "Code", description: "segments carrying a code" },
    { key: "under", label: "Code and the codes below it", description: "a branch of the code hierarchy" },
    { key: "construct", label: "NPT construct", description: "segments whose codes map to a construct" },
    { key: "practice", label: "Practice" },
    { key: "participant", label: "Participant" },
    { key: "type", label: "Note type" },
    { key: "text", label: "Words in the segment" },
    { key: "from", label: "From date" },
    { key: "to", label: "To date" },
  ];
  for (;;) {
    const chosen = Object.keys(filters).length;
    const pick = await vscode.window.showQuickPick(
      [...(chosen ? [{ key: "done", label: "$(search) Find segments", description: describe(filters) }] : []), ...kinds],
      { placeHolder: chosen ? "Add another filter, or find the segments" : "Find segments by…" },
    );
    if (!pick) return undefined;
    if (pick.key === "done") return filters;
    let values: string[] | undefined;
    const many = (items: vscode.QuickPickItem[]) => vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: pick.label }).then((p) => p?.map((i) => i.label));
    switch (pick.key) {
      case "code":
      case "under":
        values = await many(codebook.codesOf(study.root).map((c) => ({ label: c.id, description: c.label ?? undefined, detail: `${c.segments} segments` })));
        break;
      case "construct":
        values = await many(["coherence", "cognitive-participation", "collective-action", "reflexive-monitoring"].map((label) => ({ label })));
        break;
      case "practice":
        values = await many(study.practices.map((p) => ({ label: p.id, description: p.name })));
        break;
      case "participant":
        values = study.participants.length
          ? await many(study.participants.map((p) => ({ label: p.id, description: Object.values(p.attributes).join(" · ") })))
          : await vscode.window.showInputBox({ prompt: "Participant (as written in notes)" }).then((v) => (v ? [v] : undefined));
        break;
      case "type":
        values = await many([...study.types, "unspecified"].map((label) => ({ label })));
        break;
      default: {
        const v = await vscode.window.showInputBox({
          prompt: pick.label,
          validateInput: (s) => (pick.key === "from" || pick.key === "to") && !DATE.test(s.trim()) ? "Write a date as YYYY-MM-DD" : undefined,
        });
        values = v ? [v.trim()] : undefined;
      }
    }
    if (values?.length) filters[pick.key] = values;
  }
}

function describe(filters: Filters): string {
  return Object.entries(filters).map(([k, v]) => `${k}=${v.join("|")}`).join(", ");
}
