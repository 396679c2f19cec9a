#!/usr/bin/env node
// Hostile notes (issue 9 section 6): the time and peak memory of reading one note of each hostile
// shape, against a baseline measured in the same run: micromark's bare parse of an ordinary note of
// the same size. Each shape runs in its own child process (`--max-old-space-size=500`), so one
// shape's memory never skews another's. Usage (after `npm run build`):
//   node bench/hostile.mjs [--mb 10] [--only name,name]
// Prints one line per shape: CPU and wall seconds, peak RSS, the ratio to the baseline, and what
// became of the note (parsed with N codes, or file-skipped at a line).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SHAPES, hostileArgs } from "./hostile-shapes.mjs";

const { args, mb: MB, only: ONLY } = hostileArgs();

function child(shape, mode) {
  const r = spawnSync(process.execPath, ["--max-old-space-size=500", fileURLToPath(import.meta.url), "--child", shape, mode, String(MB)], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0) return { error: (r.error?.message ?? r.stderr.split("\n").find((l) => l.trim()) ?? `exit ${r.status ?? r.signal}`).slice(0, 80) };
  return JSON.parse(r.stdout);
}

async function runChild(shape, mode, mb) {
  const text = SHAPES[shape](mb * 1024 * 1024);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome;
  if (mode === "micromark") {
    const { parse, postprocess, preprocess } = await import("micromark");
    const { gfm } = await import("micromark-extension-gfm");
    postprocess(parse({ extensions: [gfm()] }).document().write(preprocess()(text, undefined, true)));
    outcome = "micromark only";
  } else {
    const { parseNoteText } = await import("../dist/server/core/index.js");
    const facts = parseNoteText(text);
    const skipped = facts.diagnostics.find((d) => d.rule === "file-skipped");
    outcome = skipped ? `file-skipped at line ${skipped.range.start.line + 1}` : `parsed, ${facts.codes.length} codes`;
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    cpu: (cpu.user + cpu.system) / 1e6,
    wall: (performance.now() - t0) / 1000,
    rss: process.resourceUsage().maxRSS / 1024,
    mb: text.length / 1048576,
    outcome,
  }));
}

if (args[0] === "--child") {
  await runChild(args[1], args[2], Number(args[3]));
} else {
  console.log(`Hostile notes of ${MB} MB, one child process each (--max-old-space-size=500).`);
  const base = child("ordinary", "micromark");
  if (base.error) {
    console.log(`baseline failed: ${base.error}`);
    process.exit(1);
  }
  console.log(`baseline: micromark's bare parse of an ordinary ${base.mb.toFixed(1)} MB note: ${base.cpu.toFixed(1)} s CPU, ${base.wall.toFixed(1)} s wall, ${base.rss.toFixed(0)} MB peak RSS`);
  console.log("shape".padEnd(20) + "MB".padStart(6) + "CPU s".padStart(8) + "wall s".padStart(8) + "x base".padStart(8) + "RSS MB".padStart(8) + "  outcome");
  let worst = 0;
  for (const shape of Object.keys(SHAPES)) {
    if (ONLY.length && !ONLY.includes(shape)) continue;
    const r = child(shape, "fieldnotes");
    if (r.error) {
      console.log(shape.padEnd(20) + `  FAILED: ${r.error}`);
      worst = Infinity;
      continue;
    }
    const ratio = r.cpu / base.cpu;
    worst = Math.max(worst, ratio);
    console.log(shape.padEnd(20) + r.mb.toFixed(1).padStart(6) + r.cpu.toFixed(1).padStart(8) + r.wall.toFixed(1).padStart(8) + ratio.toFixed(2).padStart(8) + r.rss.toFixed(0).padStart(8) + `  ${r.outcome}`);
  }
  console.log(`worst: ${worst === Infinity ? "a shape failed" : `${worst.toFixed(2)} x the baseline`}`);
}
