// Phase 2 of the end-to-end test: the packaged .vsix installed into code-server (no development
// mode for Fieldnotes; this entry rides on a tiny probe extension). Checks that the installed
// extension activates and its language server publishes diagnostics.
"use strict";
const path = require("node:path");
const vscode = require("vscode");
const { Suite, waitFor, assert, diagCode, fieldnotesDiagnostics } = require("./harness.cjs");

async function run() {
  const suite = new Suite("vsix");
  const root = vscode.workspace.workspaceFolders[0].uri.fsPath;
  await suite.test("installed .vsix activates (not in development mode)", async () => {
    const ext = await waitFor("installed extension", () => vscode.extensions.getExtension("fieldnotes.fieldnotes"), 30000);
    const extDir = process.env.FIELDNOTES_E2E_EXTENSIONS_DIR;
    if (extDir) {
      const real = (p) => require("node:fs").realpathSync(p);
      assert(real(ext.extensionPath).startsWith(real(extDir)), `loaded from ${ext.extensionPath}, not from ${extDir}`);
    }
    assert(ext.extensionKind !== undefined, "no extension kind");
    await waitFor("activation", () => ext.isActive, 60000);
  });
  await suite.test("installed .vsix shows diagnostics for the broken note", async () => {
    const uri = vscode.Uri.file(path.join(root, "notes", "Cobalt", "2016-06-01-observation.md"));
    await waitFor("code-unknown", () => fieldnotesDiagnostics(uri).some((d) => diagCode(d) === "code-unknown"), 90000);
  });
  suite.finish();
}

module.exports = { run };
