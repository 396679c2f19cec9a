// Configuration for @vscode/test-cli (`npx vscode-test`) on a desktop with network access: it
// downloads VS Code and runs the same in-extension-host suite as the offline code-server runner
// (test/e2e-vscode/run.mjs, which CI uses here). Build first: `node scripts/build-extension.mjs`.
// The suite writes its results to FIELDNOTES_E2E_RESULT (or result.json beside the study copy).
import { defineConfig } from "@vscode/test-cli";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const work = mkdtempSync(join(tmpdir(), "fieldnotes-vscode-test-"));
const study = join(work, "study");
cpSync("examples/deep-end", study, { recursive: true, filter: (src) => !src.endsWith(".fieldnotes") });

export default defineConfig({
  label: "fieldnotes e2e",
  files: "test/e2e-vscode/suite/index.cjs",
  version: "1.100.3",
  workspaceFolder: study,
  extensionDevelopmentPath: ".",
  launchArgs: ["--disable-extensions", "--disable-workspace-trust"],
  env: { FIELDNOTES_E2E_RESULT: join(work, "result.json") },
  mocha: { ui: "bdd", timeout: 120000 },
});
