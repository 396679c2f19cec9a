// Entry of the bundled language server (extension/dist/server.js): server/lsp/main.ts starts
// serving when loaded (createConnection(ProposedFeatures.all) reads --node-ipc / --stdio).
import "../../server/lsp/main.js";
