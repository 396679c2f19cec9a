#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `node --cpu-prof --cpu-prof-dir DIR ...`, one per thread) by where
// the time goes: self time per area (YAML, micromark tokenizing, our tag scan, validation, serialising,
// the cache, thread hand-off, GC, ...), per module and per function, and the inclusive time of a few
// entry points. Times in ms, from the profiles' sample deltas; a thread's "(idle)" is left out of its share.
//
//   node bench/cpuprofile.mjs DIR_OR_FILES... [--top 25]
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";

const argv = process.argv.slice(2);
const TOP = argv.includes("--top") ? Number(argv[argv.indexOf("--top") + 1]) : 25;
const inputs = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--top");
const files = inputs.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(p, f)) : [p]));
if (!files.length) {
  console.error("usage: cpuprofile.mjs DIR_OR_FILES... [--top N]");
  process.exit(2);
}

/** The module a call frame belongs to: a package name, a project file, or a V8 pseudo-frame. */
function moduleOf(url, name) {
  if (!url) return name.startsWith("(") ? name : "(native/builtin)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return url.replace(/^node:internal\/([^/]+).*/, "node:$1");
  const d = url.indexOf("/dist/");
  if (d >= 0) return url.slice(d + 6);
  return basename(url);
}
/** The area of the list a frame's self time belongs to. */
function areaOf(mod, fn) {
  if (mod === "yaml" || mod === "server/core/yamlfacts.js") return "YAML (frontmatter)";
  if (mod.startsWith("micromark") || mod === "decode-named-character-reference" || mod === "character-entities") return "micromark tokenizing (+GFM)";
  if (mod === "server/core/markdown.js" || mod === "server/core/text.js" || mod === "server/core/identifiers.js") return "tag scan, segments, identifier warnings (markdown.js, text.js, identifiers.js)";
  if (mod === "server/core/note.js") return "note facts outside the parsers (note.js)";
  if (mod === "node:crypto") return "content hashes (crypto)";
  if (mod === "node:encoding" || mod === "node:buffer") return "UTF-8 decoding (encoding)";
  if (mod === "server/core/validate.js" || mod === "server/core/codebook.js" || mod === "server/core/npt.js" || mod === "server/core/suggest.js" || mod === "server/core/codeusage.js") return "validation";
  if (mod === "server/core/cache.js" || mod === "server/core/cachepath.js" || mod === "node:zlib") return "cache (serialise, write, read)";
  if (mod === "server/core/pool.js" || mod === "server/core/worker.js" || mod === "node:worker" || mod === "node:per_context" || /message|port/i.test(mod)) return "thread hand-off";
  if (mod === "(garbage collector)") return "garbage collection";
  if (mod === "(program)") return "(program: V8/native outside JS)";
  if (mod === "(idle)") return "(idle)";
  if (mod.startsWith("node:fs") || mod === "node:url" || mod === "node:path" || mod === "server/core/files.js" || mod === "server/core/studyfile.js") return "file system (reads, stats)";
  if (mod.startsWith("node:modules") || mod === "node:bootstrap" || mod === "node:main") return "module loading / start-up";
  if (mod.startsWith("server/report") || mod.startsWith("server/cli")) return "report / CLI output";
  if (mod.startsWith("server/core")) return "other core (study.js, summary.js, ...)";
  if (mod === "(native/builtin)") return `builtins (${fn || "anonymous"})`;
  return `other: ${mod}`;
}

const byArea = new Map(), byModule = new Map(), byFunction = new Map(), inclusive = new Map();
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
const ENTRY = /^(parseNoteBytes|parseNoteText|parseYamlFacts|scanMarkdown|markdownEvents|serializeFacts|verdictOf|save|load|submit|contentHash|forEachLine|deserializeFacts|diagnosticsReport|main)$/;
let total = 0;
const threads = [];
for (const file of files) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  prof.samples.forEach((id, i) => add(self, id, prof.timeDeltas[i + 1] ?? 0));
  let threadTotal = 0, idle = 0;
  for (const [id, us] of self) {
    const n = nodes.get(id);
    const { functionName: fn, url, lineNumber } = n.callFrame;
    const mod = moduleOf(url, fn);
    if (mod === "(idle)") {
      idle += us;
      continue;
    }
    threadTotal += us;
    // A builtin's time (a RegExp, postMessage, a file-system binding) counts for the area of its nearest
    // JavaScript caller: a regular expression run by identifiers.js is identifier scanning.
    let areaMod = mod, areaFn = fn;
    if (mod === "(native/builtin)") {
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
        const f = nodes.get(p).callFrame;
        if (f.url) {
          areaMod = moduleOf(f.url, f.functionName);
          areaFn = f.functionName;
          break;
        }
      }
    }
    add(byArea, areaOf(areaMod, areaFn), us);
    add(byModule, mod, us);
    add(byFunction, `${fn || "(anonymous)"}  ${mod}:${lineNumber + 1}`, us);
    // Inclusive time of entry points: count each sample once per distinct entry name on its stack.
    const seen = new Set();
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const f = nodes.get(p).callFrame;
      const key = `${f.functionName}  ${moduleOf(f.url, f.functionName)}`;
      if (ENTRY.test(f.functionName) && !seen.has(key)) {
        seen.add(key);
        add(inclusive, key, us);
      }
    }
  }
  total += threadTotal;
  threads.push({ file: basename(file), busy: threadTotal / 1000, idle: idle / 1000, start: prof.startTime, end: prof.endTime });
}

const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const share = (us) => ((100 * us) / total).toFixed(1).padStart(5) + " %";
const show = (title, m, n = TOP) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(v)} ms ${share(v)}  ${k}`);
};
console.log(`${files.length} profile(s), ${(total / 1000).toFixed(0)} ms of busy samples (all threads, idle excluded)`);
// Profiles of one process share one monotonic clock: spans are given from the earliest start.
const origin = Math.min(...threads.map((t) => t.start));
for (const t of threads) console.log(`  ${t.file}: busy ${t.busy.toFixed(0)} ms, idle ${t.idle.toFixed(0)} ms, from ${((t.start - origin) / 1000).toFixed(0)} to ${((t.end - origin) / 1000).toFixed(0)} ms`);
show("self time by area", byArea, 40);
show("self time by module", byModule);
show("self time by function", byFunction);
show("inclusive time of entry points (share of all busy samples)", inclusive, 20);
