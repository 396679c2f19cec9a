// The editor's commands for what the command line does (SPEC sections 13-15): each runs the bundled
// CLI (one implementation), shows progress while it works, and reports a failure as a notification
// carrying the CLI's own plain message.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Study } from "./studies";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node cli.js ARGS` in `cwd`; never rejects (a failure is a non-zero code with stderr). */
export function runCli(cliPath: string, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" }, maxBuffer: 256 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 2) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** The CLI's message for a failed run: its first non-empty line of standard error, prefixes kept short. */
export function failureMessage(r: CliResult): string {
  const line = r.stderr.split(/\r?\n/).find((l) => l.trim()) ?? `exited with code ${r.code}`;
  return line.replace(/^fieldnotes( \w+)?: /, "");
}

/** Runs the CLI under a progress notification; throws an Error with the CLI's message on failure. */
export async function withCli(cliPath: string, title: string, args: string[], cwd: string): Promise<CliResult> {
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Fieldnotes: ${title}` }, () => runCli(cliPath, args, cwd));
  if (r.code !== 0) throw new Error(failureMessage(r));
  return r;
}

/** Branches and recent commits of the study's repository, for a quick pick (empty outside git). */
export async function revisions(root: string): Promise<vscode.QuickPickItem[]> {
  const git = (args: string[]) =>
    new Promise<string>((resolve) => execFile("git", args, { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (err, out) => resolve(err ? "" : String(out))));
  const branches = (await git(["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags"]))
    .split("\n")
    .filter((b) => b && !b.endsWith("/HEAD"));
  const commits = (await git(["log", "-n", "30", "--format=%h%x09%ad%x09%s", "--date=short"]))
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"));
  return [
    ...branches.map((b) => ({ label: b, description: "branch or tag" })),
    ...commits.map(([sha, date, subject]) => ({ label: sha, description: date, detail: subject })),
  ];
}

/** A temporary file path for a report the CLI writes. */
export function tempReport(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldnotes-"));
  return path.join(dir, name);
}

/** Default file name for an export: the study folder's name. */
export function exportName(study: Study, ext: string): string {
  return `${path.basename(study.root)}.${ext}`;
}
