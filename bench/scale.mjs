#!/usr/bin/env node
// Scale benchmark (issue 15): every row of the issue's table, each figure timed in the same run as its
// floors and peers, on one generated study.
//
//   npm run build && node bench/scale.mjs [--notes 10000] [--keep DIR] [--skip ROWS] [--all]
//                                         [--rounds 200] [--cache-failure]
//
// The study: ../shared/corpus/make-study.mjs --seed 5 (the generator the issue's table used) when it is
// present, else bench/make-study.mjs --seed 5 with the same defaults (7 practices, 60 codes, 2 % broken);
// the line printed first says which. --keep DIR keeps (or reuses) the study in DIR.
//
// Rows, each a separate process unless said otherwise (wall time, CPU time user+system and peak RSS from
// /usr/bin/time; for the language servers VmHWM and utime+stime of the server process, threads included):
//   read     read every note file (node, one thread): the least a cold check must do
//   stat     lstat every note file (node): the least a warm check must do
//   bare     the bare parse: read + unified/remark-parse/remark-frontmatter/remark-gfm + yaml parseDocument
//            of the frontmatter, one thread (the same baseline as bench/core.mjs). Ratios are against its
//            process wall time.
//   markdownit  read + markdown-it parse of every note (what a fast CommonMark parser gives)
//   cold / warm `fieldnotes check` with the cache cleared, then again with nothing changed
//   lsp      `fieldnotes lsp --stdio`: initialized → every diagnostic published (the server's "notes indexed"
//            log), cold cache then warm cache; completion after `#` p99 in the warm server
//   markdownlint  markdownlint-cli2 on the same notes (default rules)
//   vscode   VS Code's Markdown language server (npm vscode-markdown-languageserver) driven as VS Code's
//            markdown-language-features client drives it: the client answers its markdown/fs/* and
//            markdown/findMarkdownFilesInWorkspace requests from disk and its markdown/parse requests with
//            markdown-it tokens (frontmatter lines blanked, as VS Code's front-matter plugin keeps them
//            out of the Markdown). Its whole-workspace index is timed: initialized → workspace/symbol ""
//            answered (every note read and tokenized). That server publishes no workspace diagnostics
//            (only open tabs), so this is its nearest counterpart of a cold index. Its CPU is the server's
//            plus the client side's (file reads and tokenizing, done here as VS Code's extension host does).
// The peers and markdown-it are installed into bench/.peers/ (git-ignored) by `npm install --prefix`, never
// into the project; when the registry cannot be reached their rows are skipped with one line.
// At 200,000 notes and more the bare parse, markdown-it and the peers are skipped unless --all (the
// 300k targets concern `check` alone), and a cache that cannot be used is induced (a file where the cache
// folder belongs) to show that it is said in one line; --cache-failure does that at any size.
// --skip takes a comma list of row names above. It is a report: it exits 0 whatever the figures.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PEERS = join(REPO, "bench", ".peers");
const PEER_PACKAGES = ["markdown-it@15.0.3", "markdownlint-cli2@0.24.1", "vscode-markdown-languageserver@0.5.0"];
const SHARED_GENERATOR = resolve(REPO, "..", "shared", "corpus", "make-study.mjs");

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const NOTES = Number(opt("notes", "10000"));
if (!Number.isInteger(NOTES) || NOTES < 1) {
  console.error("bench/scale: --notes takes a whole number of notes");
  process.exit(2);
}
const ROUNDS = Number(opt("rounds", "200"));
const HUGE = NOTES >= 200_000;
const skip = new Set((opt("skip", "") || "").split(",").filter(Boolean));
if (HUGE && !argv.includes("--all")) for (const r of ["bare", "markdownit", "markdownlint", "vscode", "lsp"]) skip.add(r);
const INDUCE_CACHE_FAILURE = HUGE || argv.includes("--cache-failure");
const MAIN = join(REPO, "dist", "server", "cli", "main.js");
if (!existsSync(MAIN)) {
  console.error("bench/scale: dist/ is missing; run `npm run build` first (npm run bench does).");
  process.exit(2);
}
const HAS_TIME = existsSync("/usr/bin/time");
const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

// --- the study ---------------------------------------------------------------------------------------------
const keep = opt("keep", undefined);
const work = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), "fieldnotes-scale-"));
const study = keep ? work : join(work, "study");
if (!keep) process.on("exit", () => rmSync(work, { recursive: true, force: true }));
if (!existsSync(join(study, "fieldnotes.yaml"))) {
  const t = performance.now();
  let made = false;
  if (existsSync(SHARED_GENERATOR)) {
    const g = spawnSync(process.execPath, [SHARED_GENERATOR, "--out", study, "--notes", String(NOTES), "--seed", "5"], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (g.status === 0) {
      made = true;
      console.log(`study: ../shared/corpus/make-study.mjs --seed 5 --notes ${NOTES} (${g.stdout.trim()}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } else {
      console.log(`study: ../shared/corpus/make-study.mjs failed (${(g.stderr || "").trim().split("\n").pop()}); using bench/make-study.mjs`);
      rmSync(study, { recursive: true, force: true });
    }
  }
  if (!made) {
    const g = spawnSync(process.execPath, [join(REPO, "bench", "make-study.mjs"), "--out", study, "--notes", String(NOTES), "--seed", "5"], { encoding: "utf8" });
    if (g.status !== 0) {
      console.error(`bench/scale: could not generate the study: ${g.stderr}`);
      process.exit(2);
    }
    console.log(`study: bench/make-study.mjs --seed 5 --notes ${NOTES} (${g.stdout.trim()}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
} else {
  console.log(`study: reusing ${study}`);
}
// Generators' oracle files (expected.json, .broken.json) are not notes; the note files are every .md
// outside dot-folders.
const noteFiles = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && e.name.endsWith(".md")) noteFiles.push(p);
  }
})(study);
console.log(`${noteFiles.length} note files; load average ${loadavg()} on ${availableParallelism()} cores; node ${process.version}; ${new Date().toISOString()}`);

// --- the peers ---------------------------------------------------------------------------------------------
function peersReady() {
  return PEER_PACKAGES.every((p) => existsSync(join(PEERS, "node_modules", p.slice(0, p.lastIndexOf("@")), "package.json")));
}
let peers = peersReady();
if (!peers && !["markdownit", "markdownlint", "vscode"].every((r) => skip.has(r))) {
  mkdirSync(PEERS, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", PEERS, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...PEER_PACKAGES], { encoding: "utf8", timeout: 300_000 });
  peers = peersReady();
  if (!peers) console.log(`peers: skipped (npm install into bench/.peers failed: ${((r.stderr || r.error?.message || "") + "").trim().split("\n").filter(Boolean).pop() ?? "no answer"})`);
  else console.log(`peers: installed ${PEER_PACKAGES.join(", ")} into bench/.peers`);
}
if (!peers) for (const r of ["markdownit", "markdownlint", "vscode"]) skip.add(r);
const peerPath = (name, rel) => join(PEERS, "node_modules", name, rel);

// --- measuring processes -------------------------------------------------------------------------------------
/**
 * Runs `cmd args` under /usr/bin/time. Returns wall (s), cpu (user+system, s), rss (peak, MB), status,
 * stdout and stderr (or "" when discarded: `quiet`).
 */
function timed(cmd, args, { cwd = REPO, quiet = false } = {}) {
  const tf = join(tmpdir(), `fieldnotes-scale-time-${process.pid}`);
  const t0 = performance.now();
  const r = HAS_TIME
    ? spawnSync("/usr/bin/time", ["-o", tf, "-f", "TIME %e %U %S %M", cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", quiet ? "ignore" : "pipe", quiet ? "ignore" : "pipe"] })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", quiet ? "ignore" : "pipe", quiet ? "ignore" : "pipe"] });
  const wallMs = performance.now() - t0;
  let wall = wallMs / 1000, cpu = NaN, rss = NaN;
  if (HAS_TIME && existsSync(tf)) {
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(readFileSync(tf, "utf8"));
    rmSync(tf, { force: true });
    if (m) {
      wall = wallMs / 1000; // finer than %e
      cpu = Number(m[2]) + Number(m[3]);
      rss = Number(m[4]) / 1024;
    }
  }
  return { wall, cpu, rss, status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

// The floors and the parses: one small script, a mode per run, timed in-process as well (`ms`).
const FLOOR_SCRIPT = `
import { readFileSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
const [dir, mode, peers] = process.argv.slice(1);
const t0 = performance.now();
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.name.startsWith(".")) continue; const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith(".md")) files.push(p); } };
walk(dir);
let n = 0;
if (mode === "read") for (const f of files) n += readFileSync(f, "utf8").length;
else if (mode === "stat") for (const f of files) n += lstatSync(f).size;
else if (mode === "bare") {
  const { unified } = await import("unified");
  const { default: remarkParse } = await import("remark-parse");
  const { default: remarkFrontmatter } = await import("remark-frontmatter");
  const { default: remarkGfm } = await import("remark-gfm");
  const { parseDocument } = await import("yaml");
  const processor = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);
  for (const f of files) {
    const tree = processor.parse(readFileSync(f, "utf8"));
    const fm = tree.children[0];
    if (fm && fm.type === "yaml") n += parseDocument(fm.value).contents ? 1 : 0;
    n += tree.children.length;
  }
} else if (mode === "markdownit") {
  const MarkdownIt = createRequire(peers + "/")("markdown-it");
  const md = new MarkdownIt();
  for (const f of files) n += md.parse(readFileSync(f, "utf8"), {}).length;
}
process.stdout.write(JSON.stringify({ files: files.length, n, ms: performance.now() - t0 }) + "\\n");
`;
function floor(mode) {
  const r = timed(process.execPath, ["--input-type=module", "-e", FLOOR_SCRIPT, study, mode, join(PEERS, "node_modules")], { cwd: REPO });
  if (r.status !== 0) throw new Error(`${mode} run exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const inner = JSON.parse(r.stdout.trim().split("\n").pop());
  return { ...r, inner: inner.ms / 1000, files: inner.files };
}

const clearCache = () => rmSync(join(study, ".fieldnotes"), { recursive: true, force: true });
/** Lines of stderr that speak of the cache (a read or write failure, a refusal). */
const cacheLines = (stderr) => stderr.split("\n").filter((l) => /\bcache\b/i.test(l));
function check() {
  const r = timed(process.execPath, [join(REPO, "bin", "fieldnotes.js"), "check", study], { cwd: REPO });
  if (r.status !== 0 && r.status !== 1) throw new Error(`fieldnotes check exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const summary = r.stdout.trim().split("\n").pop();
  return { ...r, summary, cacheLines: cacheLines(r.stderr) };
}

// --- language servers ------------------------------------------------------------------------------------
function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { rss: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024, cpu: (Number(f[11]) + Number(f[12])) / TICKS };
}
function connect(child) {
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("client/unregisterCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.onRequest("workspace/diagnostic/refresh", () => null);
  return conn;
}
async function stopServer(child, conn) {
  const exited = new Promise((r) => child.once("exit", r));
  await conn.sendRequest("shutdown").catch(() => {});
  void conn.sendNotification("exit");
  const timer = setTimeout(() => child.kill(), 10_000);
  await exited;
  clearTimeout(timer);
  conn.dispose();
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** fieldnotes' language server: initialized → every diagnostic published; optionally completion timings. */
async function fieldnotesLsp({ completion = false } = {}) {
  const child = spawn(process.execPath, [join(REPO, "bin", "fieldnotes.js"), "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const conn = connect(child);
  const published = new Map();
  const logs = [];
  let onIndexed;
  const indexed = new Promise((r) => (onIndexed = r));
  const waiters = new Map();
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    published.set(p.uri, p.diagnostics.length);
    waiters.get(p.uri)?.();
  });
  conn.onNotification("window/logMessage", (p) => {
    logs.push(p.message);
    if (/notes indexed in/.test(p.message)) onIndexed(p.message);
  });
  conn.onRequest("workspace/configuration", (p) => p.items.map(() => null));
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(study).href,
    workspaceFolders: [{ uri: pathToFileURL(study).href, name: "study" }],
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
      textDocument: { completion: { completionItem: { resolveSupport: { properties: ["documentation", "detail"] } }, completionList: { itemDefaults: ["editRange", "data"] } } },
    },
  });
  const t0 = performance.now();
  void conn.sendNotification("initialized", {});
  await indexed;
  const wall = (performance.now() - t0) / 1000;
  const stats = procStats(child.pid);
  const result = { wall, cpu: stats.cpu, rss: stats.rss, files: published.size, withDiagnostics: [...published.values()].filter((n) => n > 0).length, cacheLines: [...logs, ...stderr.split("\n")].filter((l) => /\bcache\b/i.test(l) && /warning|could not|not used/i.test(l)) };
  if (completion) {
    // Type `#` on the note's last line, ask for completion, take it back: a user's round.
    const file = noteFiles[0];
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const endLine = lines.length - 1;
    const endChar = lines[endLine].length;
    let version = 1;
    void conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "markdown", version, text } });
    const times = [];
    let items = 0;
    for (let i = 0; i < ROUNDS; i++) {
      void conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line: endLine, character: endChar }, end: { line: endLine, character: endChar } }, text: "\n#" }] });
      const t = performance.now();
      const list = await conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: { line: endLine + 1, character: 1 } });
      times.push(performance.now() - t);
      items = (Array.isArray(list) ? list : list?.items ?? []).length;
      void conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line: endLine, character: endChar }, end: { line: endLine + 1, character: 1 } }, text: "" }] });
    }
    result.completion = { p50: pct(times, 50), p99: pct(times, 99), items };
    result.rssAfter = procStats(child.pid).rss;
  }
  await stopServer(child, conn);
  return result;
}

/** VS Code's Markdown language server: initialized → workspace/symbol "" over every note. */
async function vscodeMarkdownLsp() {
  const { createRequire } = await import("node:module");
  const MarkdownIt = createRequire(join(PEERS, "node_modules") + "/")("markdown-it");
  // VS Code's engine: markdown-it with html and linkify on, frontmatter kept out by a plugin.
  const md = new MarkdownIt({ html: true, linkify: true });
  const blankFrontmatter = (text) => {
    const m = /^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/.exec(text);
    return m ? m[0].replace(/[^\n]/g, "") + text.slice(m[0].length) : text;
  };
  const server = peerPath("vscode-markdown-languageserver", "dist/node/workerMain.js");
  const child = spawn(process.execPath, [server, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  child.stderr.resume();
  const conn = connect(child);
  const path = (uri) => fileURLToPath(uri);
  let parses = 0;
  conn.onRequest("markdown/parse", (e) => {
    parses++;
    return md.parse(blankFrontmatter(e.text ?? readFileSync(path(e.uri), "utf8")), {});
  });
  conn.onRequest("markdown/fs/readFile", (e) => Array.from(readFileSync(path(e.uri))));
  conn.onRequest("markdown/fs/stat", (e) => {
    try {
      return { isDirectory: statSync(path(e.uri)).isDirectory() };
    } catch {
      return undefined;
    }
  });
  conn.onRequest("markdown/fs/readDirectory", (e) => readdirSync(path(e.uri), { withFileTypes: true }).map((d) => [d.name, { isDirectory: d.isDirectory() }]));
  conn.onRequest("markdown/findMarkdownFilesInWorkspace", () => noteFiles.map((f) => pathToFileURL(f).href));
  conn.onRequest("markdown/fs/watcher/create", () => null);
  conn.onRequest("markdown/fs/watcher/delete", () => null);
  conn.onRequest("workspace/configuration", (p) => p.items.map(() => null));
  conn.onNotification("window/logMessage", () => {});
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(study).href,
    workspaceFolders: [{ uri: pathToFileURL(study).href, name: "study" }],
    initializationOptions: { markdownFileExtensions: ["md"] },
    capabilities: { workspace: { configuration: true, workspaceFolders: true, symbol: {} }, textDocument: { diagnostic: {} } },
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  void conn.sendNotification("initialized", {});
  void conn.sendNotification("workspace/didChangeConfiguration", {
    settings: {
      markdown: {
        validate: { enabled: true, referenceLinks: { enabled: "warning" }, fragmentLinks: { enabled: "warning" }, fileLinks: { enabled: "warning", markdownFragmentLinks: "inherit" }, ignoredLinks: [], unusedLinkDefinitions: { enabled: "hint" }, duplicateLinkDefinitions: { enabled: "warning" } },
        suggest: { paths: { enabled: true, includeWorkspaceHeaderCompletions: "onDoubleHash" } },
        preferredMdPathExtensionStyle: "auto",
        occurrencesHighlight: { enabled: false },
      },
    },
  });
  const symbols = await conn.sendRequest("workspace/symbol", { query: "" });
  const wall = (performance.now() - t0) / 1000;
  const cpuClient = (() => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1e6;
  })();
  const stats = procStats(child.pid);
  await stopServer(child, conn);
  return { wall, cpu: stats.cpu + cpuClient, cpuServer: stats.cpu, cpuClient, rss: stats.rss, symbols: symbols?.length ?? 0, parses };
}
// --- the run -----------------------------------------------------------------------------------------------
const rows = []; // { name, wall, cpu, rss, ratio?, note }
const say = (row) => {
  rows.push(row);
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");
  console.log(`  ${row.name}: ${f(row.wall)} s wall, ${f(row.cpu)} s CPU, ${f(row.rss, 0)} MB peak${row.note ? `; ${row.note}` : ""}`);
};
const step = (name) => console.log(`-- ${name} (load ${loadavg()})`);

// Every row reads the same files: read them once untimed first, so that the first row does not alone
// pay for a page cache emptied since the study was written (this machine reclaims cold pages).
if (!skip.has("read")) floor("read");
step("floors");
const read = skip.has("read") ? undefined : floor("read");
if (read) say({ key: "read", name: "read every file (node)", wall: read.inner, cpu: read.cpu, rss: read.rss, note: `process ${read.wall.toFixed(2)} s` });
const stat = skip.has("stat") ? undefined : floor("stat");
if (stat) say({ key: "stat", name: "stat every file (node)", wall: stat.inner, cpu: stat.cpu, rss: stat.rss, note: `process ${stat.wall.toFixed(2)} s` });
let bare;
if (!skip.has("bare")) {
  step("bare parse");
  bare = floor("bare");
  say({ key: "bare", name: "bare parse, micromark + GFM + yaml (process)", wall: bare.wall, cpu: bare.cpu, rss: bare.rss, note: `of which parsing ${bare.inner.toFixed(2)} s` });
}
if (!skip.has("markdownit")) {
  step("markdown-it parse");
  const m = floor("markdownit");
  say({ key: "markdownit", name: "markdown-it parse (process)", wall: m.wall, cpu: m.cpu, rss: m.rss, note: `of which parsing ${m.inner.toFixed(2)} s` });
}

step("check cold");
clearCache();
const cold = check();
say({ key: "cold", name: "`check` cold", wall: cold.wall, cpu: cold.cpu, rss: cold.rss, note: cold.summary });
step("check warm");
const warm = check();
say({ key: "warm", name: "`check` warm", wall: warm.wall, cpu: warm.cpu, rss: warm.rss, note: warm.summary });
const sameReport = cold.stdout === warm.stdout;
if (!sameReport) console.log("  WARNING: the warm report differs from the cold one");
const cacheReport = [...cold.cacheLines.map((l) => `cold: ${l}`), ...warm.cacheLines.map((l) => `warm: ${l}`)];
for (const l of cacheReport) console.log(`  cache line on stderr: ${l}`);

let induced;
if (INDUCE_CACHE_FAILURE) {
  step("check with a cache that cannot be used (a file where .fieldnotes/cache belongs)");
  const cacheDir = join(study, ".fieldnotes", "cache");
  const aside = join(study, ".fieldnotes", "cache.bench-aside");
  renameSync(cacheDir, aside);
  writeFileSync(cacheDir, "not a folder\n");
  try {
    induced = check();
  } finally {
    rmSync(cacheDir, { force: true });
    renameSync(aside, cacheDir);
  }
  say({ key: "induced", name: "`check` with an unusable cache", wall: induced.wall, cpu: induced.cpu, rss: induced.rss, note: `${induced.cacheLines.length} cache line(s) on stderr: ${induced.cacheLines.join(" | ").slice(0, 300)}` });
  induced.sameReport = induced.stdout === cold.stdout;
}

let lspCold, lspWarm;
if (!skip.has("lsp")) {
  step("language server, cold index");
  clearCache();
  lspCold = await fieldnotesLsp();
  say({ key: "lspCold", name: "language server, cold index (initialized → every diagnostic published)", wall: lspCold.wall, cpu: lspCold.cpu, rss: lspCold.rss, note: `${lspCold.files} files published, ${lspCold.withDiagnostics} with diagnostics` });
  step("language server, warm index");
  lspWarm = await fieldnotesLsp({ completion: true });
  say({ key: "lspWarm", name: "language server, warm index (initialized → every diagnostic published)", wall: lspWarm.wall, cpu: lspWarm.cpu, rss: lspWarm.rss, note: `${lspWarm.files} files published, ${lspWarm.withDiagnostics} with diagnostics; completion after # (${lspWarm.completion.items} codes) p50 ${lspWarm.completion.p50.toFixed(1)} ms, p99 ${lspWarm.completion.p99.toFixed(1)} ms over ${ROUNDS}; peak after completion ${lspWarm.rssAfter.toFixed(0)} MB` });
  for (const l of [...lspCold.cacheLines, ...lspWarm.cacheLines]) console.log(`  cache line from the language server: ${l}`);
}

let mdl;
if (!skip.has("markdownlint")) {
  step("markdownlint-cli2");
  mdl = timed(process.execPath, [peerPath("markdownlint-cli2", "markdownlint-cli2-bin.mjs"), "notes/**/*.md"], { cwd: study, quiet: true });
  say({ key: "markdownlint", name: "markdownlint-cli2, same notes", wall: mdl.wall, cpu: mdl.cpu, rss: mdl.rss, note: `exit ${mdl.status}` });
}
let vsc;
if (!skip.has("vscode")) {
  step("VS Code's Markdown language server");
  try {
    vsc = await vscodeMarkdownLsp();
    say({ key: "vscode", name: "VS Code's Markdown language server, workspace index", wall: vsc.wall, cpu: vsc.cpu, rss: vsc.rss, note: `CPU: server ${vsc.cpuServer.toFixed(2)} s + client-side reads and markdown-it tokens ${vsc.cpuClient.toFixed(2)} s; ${vsc.parses} notes tokenized, ${vsc.symbols} symbols` });
  } catch (err) {
    console.log(`  VS Code's Markdown language server: not measured (${err.message})`);
  }
}

// --- the table and the targets -----------------------------------------------------------------------------
const base = bare?.wall;
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");
console.log(`\nfieldnotes scale benchmark: ${noteFiles.length} notes, ${new Date().toISOString()}, load average ${loadavg()}`);
console.log("| measure | wall | CPU | peak RSS | / bare parse |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.name} | ${f(r.wall)} s | ${f(r.cpu)} s | ${f(r.rss, 0)} MB | ${base ? f(r.wall / base, 3) + "x" : "–"} |`);
if (lspWarm) console.log(`| completion after # (warm server), p99 | ${f(lspWarm.completion.p99, 1)} ms | | | |`);

const targets = [];
const target = (name, ok, text) => targets.push({ name, ok, text });
const ratio = (r) => (base && r ? r.wall / base : NaN);
if (HUGE) {
  target("check works", (cold.status === 0 || cold.status === 1) && (warm.status === 0 || warm.status === 1), `cold exit ${cold.status}, warm exit ${warm.status}`);
  target("warm check faster than cold", warm.wall < cold.wall, `${f(warm.wall)} s < ${f(cold.wall)} s`);
  target("same report warm and cold", sameReport, sameReport ? "identical" : "differs");
  target("no cache failure in the cold or warm runs, or each in one line", cold.cacheLines.length <= 1 && warm.cacheLines.length <= 1, cacheReport.length ? cacheReport.join(" | ").slice(0, 300) : "none");
}
if (induced) {
  target("an unusable cache is said in one line", induced.cacheLines.length === 1, `${induced.cacheLines.length} line(s)`);
  target("an unusable cache changes no answer", induced.sameReport, induced.sameReport ? "same report" : "report differs");
}
if (!HUGE || argv.includes("--all")) {
  const big = NOTES >= 100_000;
  const label = big ? "100k" : NOTES === 10_000 ? "10k" : `${NOTES} notes, 10k targets`;
  if (base) {
    target(`${label}: cold check ≤ 0.5x bare parse`, ratio(cold) <= 0.5, `${f(ratio(cold), 3)}x`);
    target(`${label}: warm check ≤ ${big ? "0.03" : "0.05"}x bare parse`, ratio(warm) <= (big ? 0.03 : 0.05), `${f(ratio(warm), 3)}x`);
  }
  if (big) {
    target("100k: cold check peak RSS ≤ 600 MB", cold.rss <= 600, `${f(cold.rss, 0)} MB`);
    target("100k: warm check peak RSS ≤ 400 MB", warm.rss <= 400, `${f(warm.rss, 0)} MB`);
    if (lspCold && base) {
      target("100k: language server, every diagnostic published (cold) ≤ 0.6x", ratio(lspCold) <= 0.6, `${f(ratio(lspCold), 3)}x`);
      target("100k: language server, every diagnostic published (warm) ≤ 0.6x", ratio(lspWarm) <= 0.6, `${f(ratio(lspWarm), 3)}x`);
    }
    if (lspCold) {
      const peak = Math.max(lspCold.rss, lspWarm.rss, lspWarm.rssAfter);
      target("100k: language server peak RSS ≤ 700 MB", peak <= 700, `${f(peak, 0)} MB`);
      target("100k: completion p99 ≤ 50 ms", lspWarm.completion.p99 <= 50, `${f(lspWarm.completion.p99, 1)} ms`);
    }
  }
  if (mdl) target("CPU of a cold check below markdownlint-cli2's", cold.cpu < mdl.cpu, `${f(cold.cpu)} s < ${f(mdl.cpu)} s`);
  if (lspCold && vsc) {
    target("language server cold index below VS Code's Markdown language server's (wall)", lspCold.wall < vsc.wall, `${f(lspCold.wall)} s < ${f(vsc.wall)} s`);
    console.log(`  (CPU, for information: fieldnotes ${f(lspCold.cpu)} s, VS Code's ${f(vsc.cpu)} s)`);
  }
}
console.log("\n| target | figure | result |");
console.log("|---|---|---|");
for (const t of targets) console.log(`| ${t.name} | ${t.text} | ${t.ok ? "PASS" : "FAIL"} |`);
const skipped = [...skip];
if (skipped.length) console.log(`\nskipped: ${skipped.join(", ")}${HUGE && !argv.includes("--all") ? " (at 200,000 notes and more unless --all)" : ""}`);
if (keep) console.log(`study kept in ${study}`);
