#!/usr/bin/env node
// Core benchmark (issue 2): a 10,000-note study from bench/make-study.mjs, then, in the same run,
//   baseline  the bare single-thread parse of the same files with the same unified / remark-parse /
//             remark-frontmatter / remark-gfm / yaml versions (a child process: read each file,
//             parse the Markdown, parseDocument the frontmatter), timed as a whole process;
//   cold      `fieldnotes check` as a process with the cache cleared first;
//   warm      `fieldnotes check` again with nothing changed;
//   query     `fieldnotes query --code X --format json` on the warm cache (issue 10), X a code of the study;
// each the median of 3 runs, plus the peak RSS of the check process. Prints every figure, the ratios
// against the baseline and PASS/FAIL per target (cold ≤ 1.0x, warm ≤ 0.15x, query ≤ 0.25x, peak RSS ≤ 500 MB).
// It is a report: it exits 0 whatever the figures. Options: --notes N (default 10000), --keep.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO, bareParse, benchArgs, generateBenchStudy, median, requireBuilt, runNode } from "./baseline.mjs";

const { notes: NOTES, keep: KEEP } = benchArgs();
const RUNS = 3;
const MAIN = join(REPO, "dist", "server", "cli", "main.js");
requireBuilt("core");

const { work, study } = generateBenchStudy("fieldnotes-bench-", NOTES);


const hasTime = existsSync("/usr/bin/time");
// Fallback when GNU time is absent: run the CLI in-process and print its maxRSS (KB) at exit.
const RSS_WRAPPER = `
import { pathToFileURL } from "node:url";
const { main } = await import(pathToFileURL(process.argv[1]).href);
const code = await main(process.argv.slice(2), { out: () => {}, err: () => {} });
process.stderr.write("MAXRSS_KB " + process.resourceUsage().maxRSS + "\\n");
process.exitCode = code;
`;

const run = (nodeArgs) => runNode(nodeArgs);

function checkArgs() {
  return hasTime
    ? [join(REPO, "bin", "fieldnotes.js"), "check", study, "--format", "json"]
    : ["--input-type=module", "-e", RSS_WRAPPER, MAIN, "check", study, "--format", "json"];
}

// The code of the query timing: the codebook's first code.
const queryCode = /^ {2}([a-z0-9-]+):$/m.exec(readFileSync(join(study, "codebook.yaml"), "utf8"))[1];
function queryArgs() {
  const q = ["query", study, "--code", queryCode, "--format", "json"];
  return hasTime ? [join(REPO, "bin", "fieldnotes.js"), ...q] : ["--input-type=module", "-e", RSS_WRAPPER, MAIN, ...q];
}

const clearCache = () => rmSync(join(study, ".fieldnotes"), { recursive: true, force: true });

const baseline = [];
const baselineParse = [];
const cold = [];
const warm = [];
const query = [];
let queried = "";
const rss = [];
let checked = "";
// Interleave the runs so that background load on a shared machine hits every measure alike.
for (let i = 0; i < RUNS; i++) {
  const b = bareParse(study);
  baseline.push(b.ms);
  baselineParse.push(b.parseMs);
  clearCache();
  const c = run(checkArgs());
  cold.push(c.ms);
  rss.push(c.rss);
  if (!checked && c.stdout) {
    const report = JSON.parse(c.stdout);
    checked = `${report.files.length} files with diagnostics; ${report.counts.error} errors, ${report.counts.warning} warnings`;
  }
  const w = run(checkArgs());
  warm.push(w.ms);
  rss.push(w.rss);
  const q = run(queryArgs());
  query.push(q.ms);
  if (!queried && q.stdout) queried = `${JSON.parse(q.stdout).total} segments coded ${queryCode}`;
}

const base = median(baseline);
const rows = [
  ["baseline (bare parse, process)", base, 1, "", ""],
  ["  of which parsing", median(baselineParse), median(baselineParse) / base, "", ""],
  ["cold check (cache cleared)", median(cold), median(cold) / base, "≤ 1.00x", median(cold) / base <= 1.0 ? "PASS" : "FAIL"],
  ["warm check (nothing changed)", median(warm), median(warm) / base, "≤ 0.15x", median(warm) / base <= 0.15 ? "PASS" : "FAIL"],
  ["query --code X (json, warm)", median(query), median(query) / base, "≤ 0.25x", median(query) / base <= 0.25 ? "PASS" : "FAIL"],
];
const peakMb = Math.max(...rss) / 1024;
console.log(`\nfieldnotes core benchmark: ${NOTES} notes (${checked}), median of ${RUNS} runs, ${hasTime ? "/usr/bin/time" : "resourceUsage"} for RSS`);
console.log(`runs (ms): baseline ${baseline.map((x) => x.toFixed(0)).join(", ")} | cold ${cold.map((x) => x.toFixed(0)).join(", ")} | warm ${warm.map((x) => x.toFixed(0)).join(", ")} | query ${query.map((x) => x.toFixed(0)).join(", ")} (${queried})`);
console.log("");
console.log("| measure                          |    time |  ratio | target  | result |");
console.log("|----------------------------------|--------:|-------:|---------|--------|");
for (const [name, ms, ratio, target, result] of rows) {
  console.log(`| ${name.padEnd(32)} | ${(ms / 1000).toFixed(2).padStart(5)} s | ${ratio.toFixed(2).padStart(5)}x | ${target.padEnd(7)} | ${result.padEnd(6)} |`);
}
console.log(`| ${"peak RSS of check".padEnd(32)} | ${peakMb.toFixed(0).padStart(4)} MB |        | ≤ 500 MB | ${(peakMb <= 500 ? "PASS" : "FAIL").padEnd(6)} |`);
if (!KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`\nstudy kept in ${study}`);
