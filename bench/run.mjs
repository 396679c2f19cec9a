#!/usr/bin/env node
// `npm run bench`: runs every benchmark of bench/ that exists (core.mjs, lsp.mjs, http.mjs, refi.mjs,
// suggest.mjs, history.mjs, workbench.mjs, scale.mjs), one after the other, each as its own child process
// (so one's memory and threads never skew another's). Arguments are passed to each; `--notes N` (default
// 10000) above 10,000 is the scale mode (issue 15): only bench/scale.mjs runs, the others being
// 10,000-note benchmarks.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const notes = args.includes("--notes") ? Number(args[args.indexOf("--notes") + 1]) : 10000;
const scaleMode = notes > 10000;
const BENCHES = scaleMode ? ["scale.mjs"] : ["core.mjs", "lsp.mjs", "http.mjs", "refi.mjs", "suggest.mjs", "history.mjs", "workbench.mjs", "scale.mjs"];
if (scaleMode) console.log(`== --notes ${notes}: scale mode, only bench/scale.mjs runs`);
const results = [];
for (const name of BENCHES) {
  const file = join(here, name);
  if (!existsSync(file)) {
    console.log(`\n== bench/${name}: not present, skipped`);
    continue;
  }
  console.log(`\n== bench/${name}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [file, ...args], { stdio: "inherit", cwd: join(here, "..") });
  results.push({ name, status: r.status ?? r.signal, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
}
console.log("\n== benchmarks run");
for (const r of results) console.log(`  bench/${r.name}: exit ${r.status} in ${r.seconds} s`);
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
