#!/usr/bin/env node
// Bundles the VS Code extension with esbuild into extension/dist/:
//   extension.js  the extension (CommonJS, `vscode` external)
//   server.js     the language server (server/lsp/main.ts), started by the client over node IPC
//   cli.js        the CLI (server/cli/main.ts), spawned for `serve` by "Open Integration Summary"
//   package.json  {"type":"commonjs"}: the repository's package.json says "type": "module", and these
//                 bundles are CommonJS; the nearest package.json decides how Node loads a .js file.
// Usage: node scripts/build-extension.mjs [--strict] [--no-minify] [--sourcemap]
//   --strict: fail when the language server or CLI sources are missing (packaging uses this).
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const strict = args.has("--strict");
const minify = !args.has("--no-minify");
const sourcemap = args.has("--sourcemap");
const out = join(root, "extension", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  minify,
  sourcemap,
  logLevel: "warning",
  legalComments: "none",
  // ESM sources may use import.meta.url; in a CommonJS bundle it is the bundle's own file URL.
  banner: { js: "var __fieldnotes_import_meta_url = require('url').pathToFileURL(__filename).href;" },
  define: { "import.meta.url": "__fieldnotes_import_meta_url" },
  mainFields: ["module", "main"],
};

// While the notes core is being written, a missing server/core/newnote.ts is replaced by a stub whose
// createNote throws (the rest of the extension still works); --strict refuses to build without it.
const newnoteStub = {
  name: "newnote-stub",
  setup(build) {
    if (existsSync(join(root, "server/core/newnote.ts"))) return;
    build.onResolve({ filter: /server\/core\/newnote(\.js)?$/ }, (a) => ({ path: a.path, namespace: "newnote-stub" }));
    build.onLoad({ filter: /.*/, namespace: "newnote-stub" }, () => ({
      contents: "export function createNote() { throw new Error('New Note is not available in this build (server/core/newnote.ts missing).'); }",
      loader: "js",
    }));
  },
};

const entries = [
  { name: "extension", entry: "extension/src/extension.ts", needs: strict ? ["server/core/newnote.ts"] : [], external: ["vscode"], plugins: [newnoteStub] },
  { name: "server", entry: "extension/src/server-entry.ts", needs: ["server/lsp/main.ts"] },
  { name: "cli", entry: "extension/src/cli-entry.ts", needs: ["server/cli/main.ts"] },
  // server/core/pool.ts starts worker threads from "./worker.js" next to itself (here: next to the bundles)
  { name: "worker", entry: "server/core/worker.ts", needs: ["server/core/worker.ts"], optional: true },
];

let failed = false;
const started = Date.now();
for (const e of entries) {
  const missing = e.needs.filter((p) => !existsSync(join(root, p)));
  if (missing.length) {
    const msg = `[build-extension] ${e.name}: missing ${missing.join(", ")}`;
    if ((strict && !e.optional) || e.name === "extension") {
      console.error(`${msg}: cannot bundle`);
      failed = true;
    } else console.warn(`${msg}: skipped`);
    continue;
  }
  try {
    const res = await esbuild.build({
      ...common,
      entryPoints: [join(root, e.entry)],
      outfile: join(out, `${e.name}.js`),
      external: e.external ?? [],
      plugins: e.plugins ?? [],
      metafile: true,
    });
    const bytes = Object.values(res.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`[build-extension] ${e.name}.js ${(bytes / 1024).toFixed(0)} KiB`);
  } catch (err) {
    console.error(`[build-extension] ${e.name}: ${err.message ?? err}`);
    failed = true;
  }
}
console.log(`[build-extension] done in ${Date.now() - started} ms`);
process.exitCode = failed ? 1 : 0;
