#!/usr/bin/env node
// Thin launcher: the CLI is compiled from server/cli to dist/ by `npm run build` (run by `npm pack` and by
// `npm install` in a clone), and bundled into dist/cli/. Without dist/ it says in one line what to do, not a stack trace.
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(pkg, "dist", "server", "cli", "main.js");
// The bundle (scripts/bundle-cli.mjs) loads faster; a bundle older than the modules (a bare `tsc` since) is not used.
const bundle = join(pkg, "dist", "cli", "fieldnotes.js");
const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const entry = mtime(bundle) >= mtime(main) ? bundle : main;
const notBuilt = () =>
  `fieldnotes: not built (${join("dist", "server", "cli", "main.js")} is missing in ${pkg}): run 'npm run build' there, ` +
  `or install fieldnotes from a packed tarball (npm pack), as the README says.\n`;

if (!existsSync(entry)) {
  process.stderr.write(notBuilt());
  process.exitCode = 2;
} else {
  import(pathToFileURL(entry).href).then((m) => m.main(process.argv.slice(2))).then(
    (code) => { if (typeof code === "number") process.exitCode = code; },
    (err) => {
      if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(join(pkg, "dist"))) process.stderr.write(notBuilt());
      else console.error(`fieldnotes: internal error: ${err && err.stack ? err.stack : err}`);
      process.exitCode = 2;
    },
  );
}
