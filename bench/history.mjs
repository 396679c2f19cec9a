#!/usr/bin/env node
// History benchmark (issues 12 and 13): a study from bench/make-study.mjs committed to a temporary git
// repository, then a `coder-b` branch on which about 10% of the inline codes are changed (each
// changed code replaced by another codebook code), and, in the same run:
//   baseline  the bare parse of the same files (bench/baseline.mjs), as a process;
//   diff      `fieldnotes diff main coder-b --format json`, warm (the working study's cache filled
//             by one `fieldnotes check` first);
//   agree     `fieldnotes agree main coder-b --format json`, warm likewise;
// each the median of 3 runs, with the peak RSS. Prints the ratios against the baseline and PASS/FAIL
// per target (diff ≤ 2.0x, agree ≤ 2.0x, peak RSS ≤ 600 MB). A report: exits 0 whatever the figures.
// Options: --notes N (default 10000), --keep.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, bareParse, benchArgs, generateBenchStudy, median, requireBuilt, runNode } from "./baseline.mjs";

const { notes: NOTES, keep: KEEP } = benchArgs();
const RUNS = 3;
const CLI = join(REPO, "bin", "fieldnotes.js");
requireBuilt("history");

const { work, study } = generateBenchStudy("fieldnotes-bench-history-", NOTES);

const git = (...a) => execFileSync("git", a, { cwd: study, encoding: "utf8", maxBuffer: 1 << 28 });
git("init", "-q", "-b", "main");
git("config", "user.name", "Bench");
git("config", "user.email", "bench@example.org");
git("add", "-A");
git("commit", "-q", "-m", "study");

// Coder B: every tenth inline code (in file order) replaced by the next code of the codebook.
git("checkout", "-q", "-b", "coder-b");
const codes = [...readFileSync(join(study, "codebook.yaml"), "utf8").matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((m) => m[1]);
const files = readdirSync(join(study, "notes"), { recursive: true }).filter((f) => f.endsWith(".md")).sort();
let seen = 0;
let changed = 0;
for (const f of files) {
  const path = join(study, "notes", f);
  const text = readFileSync(path, "utf8");
  const close = text.indexOf("\n---", 4);
  const body = text.slice(close).replace(/(^|\s)#([a-z][a-z0-9-]*)/g, (m, pre, id) => {
    if (++seen % 10 !== 0 || !codes.includes(id)) return m;
    changed++;
    return `${pre}#${codes[(codes.indexOf(id) + 1) % codes.length]}`;
  });
  writeFileSync(path, text.slice(0, close) + body);
}
git("commit", "-q", "-am", "coder B");
git("checkout", "-q", "main");
console.log(`coder-b: ${changed} of ${seen} inline codes changed`);

const run = (nodeArgs) => runNode(nodeArgs, { cwd: study });

run([CLI, "check", "--format", "json"]); // fills the working study's cache: the warm state
const baseline = [];
const diff = [];
const agree = [];
const rss = [];
let summary = "";
for (let i = 0; i < RUNS; i++) {
  baseline.push(bareParse(study).ms);
  const d = run([CLI, "diff", "main", "coder-b", "--format", "json"]);
  diff.push(d.ms);
  rss.push(d.rss);
  const a = run([CLI, "agree", "main", "coder-b", "--format", "json"]);
  agree.push(a.ms);
  rss.push(a.rss);
  if (!summary) {
    const r = JSON.parse(a.stdout);
    summary = `${r.notes.compared} notes compared, ${r.units} units, ${r.disagreements.length} disagreements, overall κ ${r.overall.kappa?.toFixed(3)}, α ${r.overall.alpha?.toFixed(3)}`;
  }
}

const base = median(baseline);
const peakMb = Math.max(...rss.filter((x) => !Number.isNaN(x))) / 1024;
console.log(`\nfieldnotes history benchmark: ${NOTES} notes (${summary}), median of ${RUNS} runs`);
console.log(`runs (ms): baseline ${baseline.map((x) => x.toFixed(0)).join(", ")} | diff ${diff.map((x) => x.toFixed(0)).join(", ")} | agree ${agree.map((x) => x.toFixed(0)).join(", ")}`);
console.log("");
console.log("| measure                          |    time |  ratio | target  | result |");
console.log("|----------------------------------|--------:|-------:|---------|--------|");
for (const [name, ms, target] of [["baseline (bare parse, process)", base, 0], ["diff main coder-b (warm)", median(diff), 2], ["agree main coder-b (warm)", median(agree), 2]]) {
  const ratio = ms / base;
  console.log(`| ${name.padEnd(32)} | ${(ms / 1000).toFixed(2).padStart(5)} s | ${ratio.toFixed(2).padStart(5)}x | ${target ? `≤ ${target.toFixed(2)}x` : "       "} | ${(target ? (ratio <= target ? "PASS" : "FAIL") : "").padEnd(6)} |`);
}
console.log(`| ${"peak RSS of diff and agree".padEnd(32)} | ${Number.isFinite(peakMb) ? peakMb.toFixed(0).padStart(4) : "   ?"} MB |        | ≤ 600 MB | ${(peakMb <= 600 ? "PASS" : "FAIL").padEnd(6)} |`);
if (!KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`\nstudy kept in ${study}`);
