// REFI-QDA in VS Code: *Export Study as REFI-QDA…* and *Import REFI-QDA Project…*, with save/open
// dialogs, running the bundled CLI (`fieldnotes export` / `fieldnotes import`) so that the extension
// writes exactly what the command line writes.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Study } from "./studies";

function runCli(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 2) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Asks where to save, then exports the study as .qdpx or .qdc (by the chosen file's extension). */
export async function exportRefi(cli: string, output: vscode.OutputChannel, pick: () => Promise<Study | undefined>): Promise<string | undefined> {
  const study = await pick();
  if (!study) return undefined;
  const target = await vscode.window.showSaveDialog({
    title: "Export Study as REFI-QDA",
    defaultUri: vscode.Uri.file(path.join(path.dirname(study.root), `${path.basename(study.root)}.qdpx`)),
    filters: { "REFI-QDA project": ["qdpx"], "REFI-QDA codebook": ["qdc"] },
  });
  if (!target) return undefined;
  const format = target.fsPath.toLowerCase().endsWith(".qdc") ? "qdc" : "qdpx";
  // The save dialog has already asked before replacing a file.
  const r = await runCli(cli, ["export", study.root, "--format", format, "--out", target.fsPath, "--force"]);
  output.appendLine(`[export] ${r.stderr.trim()}`);
  const last = r.stderr.trim().split("\n").pop() ?? "";
  if (r.code !== 0) {
    void vscode.window.showErrorMessage(`Fieldnotes: ${last.replace(/^fieldnotes( export)?: /, "")}`);
    return undefined;
  }
  const excluded = (r.stderr.match(/not exported \(errors/g) ?? []).length;
  void vscode.window.showInformationMessage(`Fieldnotes: exported ${study.name} to ${path.basename(target.fsPath)}${excluded ? `; ${excluded} notes with errors were left out (see Output)` : ""}.`);
  return target.fsPath;
}

/** Asks for a .qdpx, .qde or .qdc and a new folder, imports it there and offers to open the new study. */
export async function importRefi(cli: string, output: vscode.OutputChannel): Promise<string | undefined> {
  const files = await vscode.window.showOpenDialog({
    title: "Import REFI-QDA Project",
    canSelectMany: false,
    filters: { "REFI-QDA project or codebook": ["qdpx", "qde", "qdc"] },
  });
  if (!files?.length) return undefined;
  const file = files[0].fsPath;
  const parents = await vscode.window.showOpenDialog({ title: "Folder to create the new study in", canSelectFolders: true, canSelectFiles: false, openLabel: "Create Study Here" });
  if (!parents?.length) return undefined;
  const name = await vscode.window.showInputBox({
    title: "Name of the new study's folder",
    value: path.basename(file).replace(/\.(qdpx|qde|qdc)$/i, ""),
    validateInput: (v) => (!v.trim() || /[\\/]/.test(v) ? "A folder name, without slashes." : fs.existsSync(path.join(parents[0].fsPath, v)) && fs.readdirSync(path.join(parents[0].fsPath, v)).length ? "That folder exists and is not empty." : undefined),
  });
  if (!name) return undefined;
  const dir = path.join(parents[0].fsPath, name.trim());
  const r = await runCli(cli, ["import", file, dir]);
  output.appendLine(`[import] ${r.stdout.trim()}${r.stderr.trim() ? `\n${r.stderr.trim()}` : ""}`);
  if (r.code !== 0) {
    void vscode.window.showErrorMessage(`Fieldnotes: ${r.stderr.trim().split("\n").pop()?.replace(/^fieldnotes import: /, "") ?? "the import failed"}`);
    return undefined;
  }
  output.show(true);
  const choice = await vscode.window.showInformationMessage(`Fieldnotes: imported into ${name} (the report is in the Output panel).`, "Open Folder", "Add to Workspace");
  if (choice === "Open Folder") await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(dir), { forceNewWindow: true });
  if (choice === "Add to Workspace") vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri: vscode.Uri.file(dir) });
  return dir;
}
