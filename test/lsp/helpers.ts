// Shared helpers for the language server tests: tiny studies in a tmp folder, and a real LSP client
// (vscode-jsonrpc over the stdio of `node bin/fieldnotes.js lsp --stdio`).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { spawn, type ChildProcess } from "node:child_process";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";
import type { Diagnostic, PublishDiagnosticsParams } from "vscode-languageserver-protocol";
import { TextDocument } from "vscode-languageserver-textdocument";

export const REPO = resolve(import.meta.dirname, "../..");

export const CONFIG = `study: Test study
period: { start: 2015-01-01, end: 2016-12-31 }
notes: ["notes/**/*.md"]
practices:
  - id: Magenta
    name: Practice Magenta
    listSize: 5130
  - id: Cobalt
    name: Practice Cobalt
`;

export const CODEBOOK = `codes:
  gp-buy-in:
    label: GP buy-in
    description: GPs actively support the programme.
    npt: cognitive-participation/initiation
  shared-learning:
    label: Shared learning
    parent: gp-buy-in
  old-code:
    label: Old code
    deprecated: true
    replacedBy: shared-learning
`;

export const GOOD_NOTE = `---
practice: Magenta
date: 2016-03-14
npt: [coherence, cognitive-participation/enrolment]
codes: [gp-buy-in]
---

The partners agreed to protect a weekly afternoon. #shared-learning #gp-buy-in
`;

export function note(front: string, body = "Some text.\n"): string {
  return `---\n${front.trimEnd()}\n---\n\n${body}`;
}

export interface TmpStudy {
  root: string;
  uri(rel: string): string;
  write(rel: string, text: string): void;
  cleanup(): void;
}

export function makeStudy(files: Record<string, string>, opts: { config?: string; codebook?: string; base?: string } = {}): TmpStudy {
  const root = opts.base ?? mkdtempSync(join(tmpdir(), "fieldnotes-lsp-"));
  const write = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  write("fieldnotes.yaml", opts.config ?? CONFIG);
  write("codebook.yaml", opts.codebook ?? CODEBOOK);
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return {
    root,
    uri: (rel: string) => pathToFileURL(join(root, rel)).href,
    write,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Client {
  conn: MessageConnection;
  child: ChildProcess;
  /** Latest published diagnostics by URI, and how many publishes each URI got. */
  published: Map<string, Diagnostic[]>;
  publishCount: Map<string, number>;
  logs: string[];
  registrations: unknown[];
  refreshes: number;
  stderr: string[];
  open(uri: string, text: string, languageId?: string): void;
  change(uri: string, version: number, changes: unknown[]): void;
  close(uri: string): void;
  stop(): Promise<number | null>;
  /** The `fieldnotes` section answered to workspace/configuration (change it, then notify the server). */
  configuration?: Record<string, unknown>;
}

export interface ClientOptions {
  pull?: boolean;
  folders?: string[];
  configuration?: Record<string, unknown>;
  rootUri?: string;
  /** Extra environment for the server process. */
  env?: Record<string, string>;
}

/** Spawns the real server over stdio and initializes it as a generic LSP client (like Neovim's). */
export async function startClient(opts: ClientOptions = {}): Promise<Client> {
  const child = spawn(process.execPath, [join(REPO, "bin/fieldnotes.js"), "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client: Client = {
    configuration: opts.configuration,
    conn,
    child,
    published: new Map(),
    publishCount: new Map(),
    logs: [],
    registrations: [],
    refreshes: 0,
    stderr: [],
    open: (uri, text, languageId = uri.endsWith(".md") ? "markdown" : "yaml") =>
      void conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } }),
    change: (uri, version, changes) => void conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes }),
    close: (uri) => void conn.sendNotification("textDocument/didClose", { textDocument: { uri } }),
    stop: async () => {
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      if (child.exitCode !== null) return child.exitCode;
      await conn.sendRequest("shutdown");
      void conn.sendNotification("exit");
      const code = await exited;
      conn.dispose();
      return code;
    },
  };
  child.stderr!.on("data", (d) => client.stderr.push(String(d)));
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    client.published.set(p.uri, p.diagnostics);
    client.publishCount.set(p.uri, (client.publishCount.get(p.uri) ?? 0) + 1);
  });
  conn.onNotification("window/logMessage", (p: { message: string }) => client.logs.push(p.message));
  conn.onRequest("client/registerCapability", (p: { registrations: unknown[] }) => {
    client.registrations.push(...p.registrations);
    return null;
  });
  conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) => p.items.map(() => client.configuration ?? null));
  conn.onRequest("workspace/diagnostic/refresh", () => {
    client.refreshes++;
    return null;
  });
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.listen();
  const folders = opts.folders ?? [];
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: opts.rootUri ?? (folders[0] ? pathToFileURL(folders[0]).href : null),
    workspaceFolders: folders.map((f, i) => ({ uri: pathToFileURL(f).href, name: `f${i}` })),
    initializationOptions: opts.configuration ? { settings: { fieldnotes: opts.configuration } } : undefined,
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true },
        ...(opts.pull ? { diagnostics: { refreshSupport: true } } : {}),
      },
      textDocument: {
        synchronization: { dynamicRegistration: false },
        completion: { completionItem: { snippetSupport: false } },
        hover: { contentFormat: ["markdown", "plaintext"] },
        rename: { prepareSupport: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
        publishDiagnostics: { relatedInformation: false },
        ...(opts.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
      },
    },
  });
  void conn.sendNotification("initialized", {});
  return client;
}

/** Applies LSP text edits to a text (the protocol library's own implementation, not ours). */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  return TextDocument.applyEdits(TextDocument.create("file:///x", "plaintext", 0, text), edits);
}
