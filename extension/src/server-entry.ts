// Entry of the bundled language server (extension/dist/server.js), forked by the client with
// --node-ipc. server/lsp/main.ts exports runLanguageServer(), which creates the connection with
// createConnection(ProposedFeatures.all) (that reads --node-ipc / --stdio from argv) and serves.
import * as lsp from "../../server/lsp/main.js";

const start = (lsp as { runLanguageServer?: () => void }).runLanguageServer;
if (typeof start === "function") start();
