#!/usr/bin/env node
// The build (`npm run build`, also run by `npm test` and by the tests' ensureBuilt): tsc into
// dist/server/, then the CLI's bundle into dist/cli/ (scripts/bundle-cli.mjs). Exits with tsc's status
// when tsc fails (it still emits what it can; the bundle is then not made, and bin/fieldnotes.js runs
// the newer modules).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) {
  process.stderr.write("build: tsc failed\n");
  process.exit(tsc.status ?? 1);
}
await import("./bundle-cli.mjs");
