#!/usr/bin/env node
// Thin launcher: the CLI is compiled from server/cli to dist/ by `npm run build` (run by `npm install`).
import("../dist/server/cli/main.js").then((m) => m.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === "number") process.exitCode = code; },
  (err) => { console.error(`fieldnotes: internal error: ${err && err.stack ? err.stack : err}`); process.exitCode = 2; },
);
