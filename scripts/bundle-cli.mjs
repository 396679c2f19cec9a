#!/usr/bin/env node
// Bundles the CLI (and the worker threads it starts) into dist/cli/, after `tsc` has built dist/server/.
// Why: Node 20 loads the ~150 ES modules of the core, micromark and yaml one by one, about 0.1 s of every
// command (a sixth of a warm `check` of 10,000 notes); a bundle of a few files loads in a fraction of
// that. bin/fieldnotes.js uses the bundle when it is at least as new as dist/server/cli/main.js, else the
// modules (so a bare `tsc` never leaves a stale bundle in use).
//   dist/cli/fieldnotes.js   the CLI (server/cli/main.ts); `lsp`, `serve` and the rest load as chunks
//   dist/cli/worker.js       the parse worker (server/core/pool.ts finds it next to itself)
//   dist/cli/scanworker.js   the agreement scan worker (server/core/agreement/scan.ts, likewise)
import * as esbuild from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "cli");
rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: {
    fieldnotes: join(root, "server", "cli", "main.ts"),
    worker: join(root, "server", "core", "worker.ts"),
    scanworker: join(root, "server", "core", "agreement", "scanworker.ts"),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // CommonJS dependencies (picomatch) call require() for Node's modules: give ES modules one.
  banner: { js: "import { createRequire as __fieldnotesCreateRequire } from 'node:module'; const require = __fieldnotesCreateRequire(import.meta.url);" },
  chunkNames: "chunk-[hash]",
  legalComments: "none",
  logLevel: "warning",
});
