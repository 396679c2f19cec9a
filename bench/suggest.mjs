#!/usr/bin/env node
// "Did you mean" benchmark (issue 9, section 5): one note with 3,000 distinct unknown tags validated
// against codebooks of 1,000 and 26,000 codes, in this process:
//   baseline  a full scan: `closest(tag, every code)` for each tag (what validation did before),
//             timed on 200 tags and scaled to all of them;
//   indexed   validateNote with a fresh validation context, after building its index (timed apart);
//   repeated  validateNote again in the same context (every answer remembered).
// Prints CPU milliseconds and edit distances computed for each, and the ratio 26,000 / 1,000 of the
// indexed figure (target: about 1, i.e. cost independent of the codebook's size). It is a report: it
// exits 0 whatever the figures. Options: --tags N (default 3000).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const core = join(REPO, "dist", "server", "core");
if (!existsSync(join(core, "index.js"))) {
  console.error("bench/suggest: dist/ is missing; run `npm run build` first.");
  process.exit(2);
}
const { makeContext, parseConfig, parseNoteText, validateNote } = await import(pathToFileURL(join(core, "index.js")).href);
const { closest, suggestStats } = await import(pathToFileURL(join(core, "suggest.js")).href);

const args = process.argv.slice(2);
const TAGS = Number(args[args.indexOf("--tags") + 1]) || 3000;
const SAMPLE = 200;
const WORDS = "access admin agenda anxiety audit benefit budget care carer champion clinic coaching community consent cost culture data debt diet doctor education family feedback finance fitness food funding gp grief health housing income isolation leadership learning link loneliness meeting mental money nurse outreach partner patient pharmacy physical practice protocol referral rota safety service skills social staff support team training trust volunteer waiting welfare work workload".split(" ");

function codeIds(n) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const a = WORDS[i % WORDS.length];
    const b = WORDS[Math.floor(i / WORDS.length) % WORDS.length];
    const c = Math.floor(i / WORDS.length ** 2);
    out.push(c ? `${a}-${b}-${WORDS[c % WORDS.length]}` : `${a}-${b}`);
  }
  return out;
}

// The same tags for every codebook: misspellings of the first 1,000 codes and unrelated words.
const base = codeIds(1000);
const tagSet = new Set();
for (let i = 0; tagSet.size < TAGS; i++) {
  const id = base[(i * 7919) % base.length];
  const k = 1 + (i % (id.length - 2));
  const variants = [id.slice(0, k) + id[k] + id.slice(k), id.slice(0, k) + id.slice(k + 1), `zq${i}x-unrelated`];
  tagSet.add(variants[i % 3]);
}
const tags = [...tagSet];
const config = parseConfig("study: Bench\npractices:\n  - id: Magenta\n").config;
const text = `---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n${tags.map((t) => `Seen #${t} here.`).join("\n\n")}\n`;
const facts = parseNoteText(text);

function measure(run) {
  const d0 = suggestStats.distances;
  const t0 = process.cpuUsage();
  run();
  const t = process.cpuUsage(t0);
  return { ms: Math.round((t.user + t.system) / 1000), distances: suggestStats.distances - d0 };
}

const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const rows = [];
for (const size of [1000, 26000]) {
  const ids = codeIds(size);
  const known = new Set(ids);
  const codes = new Map(ids.map((id) => [id, { id, label: id, deprecated: false, range: zero, references: [], entryRange: zero }]));
  const codebook = { order: ids, codes };
  const unknown = tags.filter((t) => !known.has(t));
  // The full scan is timed on a sample of tags and scaled up (all 3,000 would take minutes).
  const sample = unknown.slice(0, SAMPLE);
  const scanned = measure(() => sample.forEach((t) => closest(t, ids)));
  const baseline = { ms: Math.round((scanned.ms * unknown.length) / sample.length), distances: Math.round((scanned.distances * unknown.length) / sample.length) };
  const ctx = makeContext(config, codebook, "2016-06-01");
  // Building the index is linear in the codebook, once per context (like reading the codebook).
  const build = measure(() => ctx.suggest.codes.closest("index-warm-up"));
  const indexed = measure(() => validateNote(facts, ctx));
  const repeated = measure(() => validateNote(facts, ctx));
  rows.push({ size, baseline, indexed, repeated });
  console.log(`${String(size).padStart(6)} codes, ${unknown.length} unknown tags:  baseline ${baseline.ms} ms (${baseline.distances} distances)  index built in ${build.ms} ms, then validation ${indexed.ms} ms (${indexed.distances})  repeated ${repeated.ms} ms (${repeated.distances})`);
}
const [small, large] = rows;
console.log(`indexed, 26,000 / 1,000 codes: ${(large.indexed.ms / Math.max(1, small.indexed.ms)).toFixed(2)}x CPU, ${(large.indexed.distances / Math.max(1, small.indexed.distances)).toFixed(2)}x distances (baseline: ${(large.baseline.ms / Math.max(1, small.baseline.ms)).toFixed(1)}x CPU)`);
