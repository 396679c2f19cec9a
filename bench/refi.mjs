#!/usr/bin/env node
// REFI-QDA benchmark (issue 11): a study from bench/make-study.mjs, then, in the same run,
//   baseline  the bare single-thread parse of the same files (bench/baseline.mjs, as bench/core.mjs:
//             read each file, remark-parse with frontmatter and GFM, yaml parseDocument), as a process;
//   export    `fieldnotes export --format qdpx` as a process with the facts cache warm (a check first);
//   import    `fieldnotes import` of that export into a new folder, as a process;
// each the median of 3 runs. Prints the figures, the ratios against the baseline and PASS/FAIL per
// target (export ≤ 0.5x warm, import ≤ 1.0x). A report: it exits 0 whatever the figures.
// Options: --notes N (default 10000), --keep.
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO, bareParse, benchArgs, generateBenchStudy, median, requireBuilt, runNode } from "./baseline.mjs";

const { notes: NOTES, keep: KEEP } = benchArgs();
const RUNS = 3;
const CLI = join(REPO, "bin", "fieldnotes.js");
requireBuilt("refi");

const { work, study } = generateBenchStudy("fieldnotes-bench-refi-", NOTES);


const run = (nodeArgs) => runNode(nodeArgs);

const qdpx = join(work, "study.qdpx");
run([CLI, "check", study, "--format", "json"]); // the facts cache is warm from here on

const baseline = [];
const exported = [];
const imported = [];
let summary = "";
for (let i = 0; i < RUNS; i++) {
  baseline.push(bareParse(study).ms);
  const e = run([CLI, "export", study, "--format", "qdpx", "--out", qdpx, "--force"]);
  exported.push(e.ms);
  // The CLI's own summary line (GNU time, when installed, adds its line after it).
  summary = e.stderr.trim().split("\n").filter((l) => l.startsWith("fieldnotes: wrote")).pop() ?? "";
  const into = join(work, `imported-${i}`);
  imported.push(run([CLI, "import", qdpx, into]).ms);
  rmSync(into, { recursive: true, force: true });
}

const base = median(baseline);
const rows = [
  ["baseline (bare parse, process)", base, 1, "", ""],
  ["export qdpx (warm cache)", median(exported), median(exported) / base, "≤ 0.50x", median(exported) / base <= 0.5 ? "PASS" : "FAIL"],
  ["import of that export", median(imported), median(imported) / base, "≤ 1.00x", median(imported) / base <= 1.0 ? "PASS" : "FAIL"],
];
console.log(`\nfieldnotes REFI-QDA benchmark: ${NOTES} notes; ${summary}; .qdpx ${(statSync(qdpx).size / 1024 / 1024).toFixed(1)} MB; median of ${RUNS} runs`);
console.log(`runs (ms): baseline ${baseline.map((x) => x.toFixed(0)).join(", ")} | export ${exported.map((x) => x.toFixed(0)).join(", ")} | import ${imported.map((x) => x.toFixed(0)).join(", ")}`);
console.log("");
console.log("| measure                          |    time |  ratio | target  | result |");
console.log("|----------------------------------|--------:|-------:|---------|--------|");
for (const [name, ms, ratio, target, result] of rows) {
  console.log(`| ${name.padEnd(32)} | ${(ms / 1000).toFixed(2).padStart(5)} s | ${ratio.toFixed(2).padStart(5)}x | ${target.padEnd(7)} | ${result.padEnd(6)} |`);
}
if (!KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`\nstudy kept in ${work}`);
