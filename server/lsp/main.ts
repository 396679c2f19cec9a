// Entry of the fieldnotes language server.
//
// - `fieldnotes lsp --stdio` (the CLI) imports this module and calls runLanguageServer().
// - The VS Code extension bundles this module with esbuild (extension/src/server-entry.ts imports it,
//   so the extension's server.js is the bundle of server/lsp/main.ts) and runs it with `--node-ipc`.
//   Loading the module then starts the server by itself: it auto-starts when the process was given a
//   transport flag (`--node-ipc`, `--stdio`, `--socket=N`, `--pipe=NAME`) — exactly the flags that
//   createConnection() reads from process.argv. When the CLI imports it (argv also holds `--stdio`),
//   the module has already started the server and the CLI's runLanguageServer() call is a no-op:
//   runLanguageServer() is idempotent, so both paths are safe in any order.
// - Importing the module without a transport flag (tests, tools) starts nothing.
import lsp from "vscode-languageserver/node.js";
import { startServer } from "./server.js";

let started = false;

export function runLanguageServer(): void {
  if (started) return;
  started = true;
  const connection = lsp.createConnection(lsp.ProposedFeatures.all);
  startServer(connection);
}

const TRANSPORT_FLAG = /^--(node-ipc|stdio|socket(=.*)?|pipe(=.*)?)$/;
if (process.argv.slice(2).some((a) => TRANSPORT_FLAG.test(a))) runLanguageServer();
