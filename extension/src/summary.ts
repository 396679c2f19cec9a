// "Open Integration Summary": runs the bundled CLI's `serve` for a study on 127.0.0.1, fetches the
// HTML report and shows it in a webview whose evidence links open the note at the right line.
import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as net from "node:net";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Study } from "./studies";

interface Running {
  root: string;
  url: string;
  proc: ChildProcess;
}

export class SummaryService implements vscode.Disposable {
  private servers = new Map<string, Running>();
  private starting = new Map<string, Promise<Running>>();
  private panels = new Map<string, vscode.WebviewPanel>();
  /** The as-of date (SPEC section 15) each open summary panel shows, when not today. */
  private asOf = new Map<string, string>();

  constructor(
    private readonly cliPath: string,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** Starts (or reuses) the study's HTTP server and returns its base URL, ending in "/". */
  async ensureServer(study: Study): Promise<string> {
    const running = this.servers.get(study.root);
    if (running && running.proc.exitCode === null && !running.proc.killed) return running.url;
    let pending = this.starting.get(study.root);
    if (!pending) {
      pending = this.start(study).finally(() => this.starting.delete(study.root));
      this.starting.set(study.root, pending);
    }
    return (await pending).url;
  }

  private async start(study: Study): Promise<Running> {
    const configured = vscode.workspace.getConfiguration("fieldnotes").get<number>("server.port", 0) ?? 0;
    const port = configured > 0 ? configured : await freePort();
    const args = [this.cliPath, "serve", study.root, "--port", String(port), "--host", "127.0.0.1"];
    this.output.appendLine(`[summary] starting: ${path.basename(process.execPath)} ${args.join(" ")}`);
    const proc = spawn(process.execPath, args, {
      cwd: study.root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => {
        reject(new Error(`the summary server did not start within 20 s${err ? `: ${err.trim()}` : ""}`));
        proc.kill();
      }, 20_000);
      proc.stdout!.setEncoding("utf8");
      proc.stderr!.setEncoding("utf8");
      proc.stdout!.on("data", (chunk: string) => {
        out += chunk;
        this.output.append(`[summary] ${chunk}`);
        const m = /https?:\/\/[^\s"']+/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0].endsWith("/") ? m[0] : `${m[0]}/`);
        }
      });
      proc.stderr!.on("data", (chunk: string) => {
        err += chunk;
        this.output.append(`[summary] ${chunk}`);
      });
      proc.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the summary server exited with code ${code}${err ? `: ${err.trim()}` : ""}`));
      });
    });
    proc.on("exit", (code) => {
      this.output.appendLine(`[summary] server for ${study.root} exited (${code})`);
      if (this.servers.get(study.root)?.proc === proc) this.servers.delete(study.root);
    });
    const running = { root: study.root, url, proc };
    this.servers.set(study.root, running);
    return running;
  }

  async show(study: Study, context: vscode.ExtensionContext, asOf?: string): Promise<{ url: string; panel: vscode.WebviewPanel }> {
    const url = await this.ensureServer(study);
    if (asOf) this.asOf.set(study.root, asOf);
    else this.asOf.delete(study.root);
    let panel = this.panels.get(study.root);
    if (!panel) {
      panel = vscode.window.createWebviewPanel(
        "fieldnotes.summary",
        `Integration Summary: ${study.name}`,
        vscode.ViewColumn.Active,
        { enableScripts: true, enableFindWidget: true, retainContextWhenHidden: false, localResourceRoots: [] },
      );
      panel.iconPath = vscode.Uri.file(path.join(context.extensionPath, "extension", "icon.png"));
      const p = panel;
      this.panels.set(study.root, p);
      p.onDidDispose(() => {
        this.panels.delete(study.root);
        this.asOf.delete(study.root);
      });
      p.webview.onDidReceiveMessage((msg: unknown) => this.onMessage(study, url, msg));
    } else {
      panel.reveal();
    }
    panel.title = `Integration Summary: ${study.name}${asOf ? ` as of ${asOf}` : ""}`;
    await this.refresh(study.root);
    return { url, panel };
  }

  /** Re-fetches the report of a study whose panel is open (after a note was saved, for instance). */
  async refresh(root: string): Promise<void> {
    const panel = this.panels.get(root);
    const running = this.servers.get(root);
    if (!panel || !running) return;
    try {
      const asOf = this.asOf.get(root);
      const res = await fetch(asOf ? `${running.url}?asOf=${encodeURIComponent(asOf)}` : running.url, { headers: { accept: "text/html" } });
      const html = await res.text();
      panel.webview.html = res.ok ? wrapReport(html, panel.webview.cspSource) : errorPage(`HTTP ${res.status}`, html);
    } catch (e) {
      panel.webview.html = errorPage("The summary server did not answer", String(e));
    }
  }

  refreshStudyOf(file: string): void {
    for (const root of this.panels.keys()) {
      const rel = path.relative(root, file);
      if (!rel.startsWith("..") && !path.isAbsolute(rel)) void this.refresh(root);
    }
  }

  private async onMessage(study: Study, baseUrl: string, msg: unknown): Promise<void> {
    if (!msg || typeof msg !== "object") return;
    const m = msg as { type?: string; file?: string; line?: number | string; href?: string };
    if (m.type === "open" && typeof m.file === "string") {
      await openEvidence(study.root, m.file, m.line);
    } else if (m.type === "external" && typeof m.href === "string") {
      let target: URL;
      try {
        target = new URL(m.href, baseUrl);
      } catch {
        return;
      }
      if (target.protocol === "http:" || target.protocol === "https:" || target.protocol === "mailto:") {
        await vscode.env.openExternal(vscode.Uri.parse(target.href));
      }
    }
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    for (const s of this.servers.values()) s.proc.kill();
    this.servers.clear();
  }
}

/**
 * Shows a self-contained HTML report made by the CLI (agreement, changes) in an editor tab; its note
 * links (`data-file`/`data-line`, or file: URLs) open the note at the line, as in the summary.
 */
export function showReportPanel(root: string, title: string, html: string, context: vscode.ExtensionContext): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel("fieldnotes.report", title, vscode.ViewColumn.Active, {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [],
  });
  panel.iconPath = vscode.Uri.file(path.join(context.extensionPath, "extension", "icon.png"));
  panel.webview.onDidReceiveMessage(async (msg: unknown) => {
    const m = (msg ?? {}) as { type?: string; file?: string; line?: number | string };
    if (m.type === "open" && typeof m.file === "string") await openEvidence(root, m.file, m.line);
  });
  panel.webview.html = wrapReport(html, panel.webview.cspSource);
  return panel;
}

/**
 * Opens evidence: `file` is a study-relative path ("notes/x.md"), an absolute path or a file:// URL
 * (with an optional `#L12` / `#12` fragment); `line` is 1-based.
 */
export async function openEvidence(root: string, file: string, line?: number | string): Promise<vscode.TextEditor> {
  let fsPath: string;
  let lineNo = line === undefined || line === "" ? NaN : Number(line);
  if (/^file:/i.test(file)) {
    const uri = vscode.Uri.parse(file);
    fsPath = uri.fsPath;
    const frag = /^L?(\d+)/.exec(uri.fragment);
    if (frag && Number.isNaN(lineNo)) lineNo = Number(frag[1]);
  } else {
    const hash = /#L?(\d+)$/.exec(file);
    if (hash) {
      if (Number.isNaN(lineNo)) lineNo = Number(hash[1]);
      file = file.slice(0, hash.index);
    }
    fsPath = path.isAbsolute(file) ? file : path.join(root, ...file.split("/"));
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(fsPath));
  const l = Number.isFinite(lineNo) && lineNo >= 1 ? Math.min(lineNo - 1, doc.lineCount - 1) : 0;
  const pos = new vscode.Position(l, 0);
  return vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    selection: new vscode.Range(pos, pos),
    preview: true,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Puts the report in a webview: a strict CSP (no remote anything) and a script that turns link clicks into messages. */
export function wrapReport(html: string, cspSource: string): string {
  const nonce = crypto.randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  const head = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  const script = `<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', function (ev) {
    const el = ev.target && ev.target.closest ? ev.target.closest('[data-file], a[href]') : null;
    if (!el) return;
    const file = el.getAttribute('data-file');
    const href = el.getAttribute('href') || '';
    if (file) {
      ev.preventDefault();
      vscode.postMessage({ type: 'open', file: file, line: el.getAttribute('data-line') || undefined });
    } else if (/^file:/i.test(href)) {
      ev.preventDefault();
      vscode.postMessage({ type: 'open', file: href, line: el.getAttribute('data-line') || undefined });
    } else if (href && href.charAt(0) !== '#') {
      ev.preventDefault();
      vscode.postMessage({ type: 'external', href: href });
    }
  }, true);
})();
</script>`;
  // Drop any script or CSP the report carries: the webview runs only ours.
  let out = html
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<meta[^>]+http-equiv=["']?content-security-policy["']?[^>]*>/gi, "");
  if (/<head[^>]*>/i.test(out)) out = out.replace(/<head[^>]*>/i, (m) => `${m}\n${head}`);
  else out = `<!DOCTYPE html><html><head>${head}</head><body>${out}</body></html>`;
  if (/<\/body\s*>/i.test(out)) out = out.replace(/<\/body\s*>/i, `${script}</body>`);
  else out += script;
  return out;
}

function errorPage(title: string, detail: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head><body><h2>${esc(title)}</h2><pre>${esc(detail.slice(0, 4000))}</pre></body></html>`;
}
