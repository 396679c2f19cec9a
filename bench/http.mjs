#!/usr/bin/env node
// HTTP benchmark for `fieldnotes serve` on a 10,000-note study (issue 4 targets):
//   1. GET /api/summary, warm, 32 concurrent connections (autocannon, 127.0.0.1, bounded: 5 s or 20k
//      requests): p99 ≤ 20 ms with no errors. Baseline in the same run: GET /api/health (the server's
//      fixed cost per request), printed as a ratio.
//   2. After one note changes on disk, the time until GET /api/summary reflects it: ≤ 100 ms.
//      (Also: 1,000 notes rewritten at once, like a git checkout.)
//   3. The HTML report of 10,000 notes in headless chromium: page.goto until load and first paint: < 2 s.
//   4. Analysis routes (issue 10), warm, 8 concurrent connections: GET /api/segments?code=X (a code in
//      about 5% of the coded segments), /api/matrix.csv?rows=participant.role&by=code and
//      /api/cooccurrence.csv: p99 ≤ 50 ms each, no errors. The study has a registry of 40 participants.
//   5. Load: GET / at 256 connections while a note is rewritten every 50 ms (no errors or resets), and
//      GET /api/health while 2,000 idle sockets are open (< 1 s; --idle N), which the server closes.
//   1 and 5 run twice: without Accept-Encoding (autocannon's default, every byte sent as is) and with
//   `Accept-Encoding: gzip`, as browsers and fetch() ask. The Summary of 10,000 notes is about 340 KB
//   (SPEC 15's history is most of it) and the HTML report 2.3 MB: at 32 and 256 connections the bytes,
//   not the server's work per request, set the uncompressed latency on a 2-core machine, so the targets
//   are on the gzip runs and the uncompressed figures are printed beside them. The server's CPU time per
//   answered request (from /proc) is the figure the server itself controls, and the one that holds when
//   other processes share the cores (latency then measures the machine: /api/health's own p99 was 37-61
//   ms with a load average of 8-12 on 2 cores): targets on it tell whether the work per request is
//   bounded (/api/summary at most 2x /api/health's; GET / under writes at most 25 ms, a tenth of one
//   render, i.e. one render serves many requests).
//
//   npm run build && node bench/http.mjs [--notes 10000] [--keep DIR]
// The server runs as its own process (`node bin/fieldnotes.js serve DIR --port 0`), as users run it.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { request, Agent } from "node:http";
import autocannon from "autocannon";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(process.argv.slice(2).reduce((p, a, i, all) => (a.startsWith("--") ? [...p, [a.slice(2), all[i + 1]]] : p), []));
const NOTES = Number(args.notes ?? 10000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const results = [];
const figure = (name, value, unit, target) => {
  const ok = target === undefined ? "" : target.ok(value) ? "  PASS" : "  FAIL";
  results.push({ name, value, unit, target: target?.text, pass: target ? target.ok(value) : undefined });
  console.log(`${name.padEnd(58)} ${String(typeof value === "number" ? Number(value.toFixed(2)) : value).padStart(10)} ${unit}${target ? `  (target ${target.text})${ok}` : ""}`);
};

if (!existsSync(join(repo, "dist/server/http/serve.js"))) {
  console.error("bench/http.mjs: build first (npm run build).");
  process.exit(2);
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`machine: ${cpus().length} cores, load average ${load()} (other processes compete: read latency figures with this in mind)`);

// --- the study -------------------------------------------------------------------------------------
const base = args.keep ?? mkdtempSync(join(tmpdir(), "fieldnotes-bench-http-"));
const dir = join(base, "study");
if (!existsSync(dir)) {
  const generator = join(repo, "bench/make-study.mjs");
  let t = performance.now();
  execFileSync(process.execPath, [generator, "--out", dir, "--notes", String(NOTES), "--seed", "7", "--broken", "0.02", "--participants", "40"], { stdio: "ignore" });
  console.log(`generated ${NOTES} notes with bench/make-study.mjs in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir})`);
}

// --- the server process ----------------------------------------------------------------------------
const t0 = performance.now();
const child = spawn(process.execPath, [join(repo, "bin/fieldnotes.js"), "serve", dir, "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
const cleanupAll = () => {
  if (child.exitCode === null) child.kill("SIGTERM");
  if (!args.keep) rmSync(base, { recursive: true, force: true });
};
process.on("exit", cleanupAll);
const url = await new Promise((res, rej) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
    if (m) res(m[0]);
  });
  child.on("exit", (code) => rej(new Error(`server exited with ${code}`)));
});
figure("server start (fresh study, empty facts cache) until listening", performance.now() - t0, "ms");
const port = Number(new URL(url).port);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
/** The server process's CPU time so far (user + system), in ms; clock ticks of 10 ms (USER_HZ 100). */
const cpuMs = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
/** GET over a kept-alive socket; retried once when the server had just closed that idle socket (its keep-alive timeout), as browsers do. */
function get(path, retry = true) {
  return new Promise((res, rej) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (r) => {
      const chunks = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => res({ status: r.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (err) => (retry && req.reusedSocket && err.code === "ECONNRESET" ? get(path, false).then(res, rej) : rej(err)));
    req.end();
  });
}

// --- 1. warm /api/summary at 32 connections ---------------------------------------------------------
let t = performance.now();
const first = await get("/api/summary");
figure("first GET /api/summary (builds the Summary)", performance.now() - t, "ms");
const summary = JSON.parse(first.text);
console.log(`  study: ${summary.totals.notes} notes, ${summary.totals.included} included, ${summary.totals.excluded} excluded, ${summary.totals.practices} practices; ${first.text.length} bytes`);
for (let i = 0; i < 50; i++) await get("/api/summary");

const GZIP = { "accept-encoding": "gzip" };
function cannon(path, connections = 32, headers = {}) {
  return new Promise((res, rej) => {
    const cpu0 = cpuMs();
    autocannon({ url: `http://127.0.0.1:${port}${path}`, connections, duration: 5, amount: 20000, timeout: 10, headers }, (err, r) =>
      err ? rej(err) : res(Object.assign(r, { serverCpu: cpuMs() - cpu0 })),
    );
  });
}
const health = await cannon("/api/health");
const summaryLoad = await cannon("/api/summary");
const summaryGzip = await cannon("/api/summary", 32, GZIP);
const show = (label, r) =>
  console.log(
    `  ${label}: ${r.requests.total} requests, ${Math.round(r.requests.average)} req/s, latency p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}; ` +
      `${(r.throughput.total / Math.max(r.requests.total, 1) / 1024).toFixed(0)} KB per response; server CPU ${r.serverCpu} ms, ${(r.serverCpu / Math.max(r.requests.total, 1)).toFixed(3)} ms per request`,
  );
show("baseline GET /api/health", health);
show("GET /api/summary", summaryLoad);
show("GET /api/summary, Accept-Encoding: gzip", summaryGzip);
figure("GET /api/summary warm p99 at 32 connections, gzip", summaryGzip.latency.p99, "ms", { text: "≤ 20 ms", ok: (v) => v <= 20 });
figure("GET /api/summary warm p99 at 32 connections, uncompressed", summaryLoad.latency.p99, "ms");
figure("GET /api/summary errors + timeouts + non-2xx (both runs)", summaryLoad.errors + summaryLoad.timeouts + summaryLoad.non2xx + summaryGzip.errors + summaryGzip.timeouts + summaryGzip.non2xx, "", {
  text: "0",
  ok: (v) => v === 0,
});
figure("  ratio: summary p99 / health p99 (baseline), gzip", summaryGzip.latency.p99 / Math.max(health.latency.p99, 0.01), "x");
figure("  ratio: summary p99 / health p99 (baseline), uncompressed", summaryLoad.latency.p99 / Math.max(health.latency.p99, 0.01), "x");
figure("  GET /api/summary throughput, uncompressed", summaryLoad.requests.average, "req/s");
const perRequest = (r) => r.serverCpu / Math.max(r.requests.total, 1);
figure("server CPU per GET /api/summary / per GET /api/health, uncompressed", perRequest(summaryLoad) / Math.max(perRequest(health), 0.001), "x", { text: "≤ 2x", ok: (v) => v <= 2 });
figure("server CPU per GET /api/summary / per GET /api/health, gzip", perRequest(summaryGzip) / Math.max(perRequest(health), 0.001), "x", { text: "≤ 2x", ok: (v) => v <= 2 });
figure("server RSS after load", rss(), "MB");

// --- 4 (run here, on the unchanged study). analysis routes at 8 connections ---------------------------
{
  const all = JSON.parse((await get("/api/segments?limit=0")).text).total;
  const codes = [...readFileSync(join(dir, "codebook.yaml"), "utf8").matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((m) => m[1]);
  let code = codes[0];
  let best = Infinity;
  for (const c of codes) {
    const share = JSON.parse((await get(`/api/segments?code=${c}&limit=0`)).text).total / all;
    if (Math.abs(share - 0.05) < best) [best, code] = [Math.abs(share - 0.05), c];
  }
  const share = JSON.parse((await get(`/api/segments?code=${code}&limit=0`)).text).total / all;
  console.log(`  analysis: ${all} coded segments; code ${code} is in ${(share * 100).toFixed(1)}% of them`);
  for (const [label, path] of [
    [`GET /api/segments?code=…`, `/api/segments?code=${code}`],
    ["GET /api/matrix.csv?rows=participant.role&by=code", "/api/matrix.csv?rows=participant.role&by=code"],
    ["GET /api/cooccurrence.csv", "/api/cooccurrence.csv"],
  ]) {
    const warm = await get(path);
    if (warm.status !== 200) throw new Error(`${path}: ${warm.status} ${warm.text.slice(0, 200)}`);
    const r = await cannon(path, 8);
    show(label, r);
    figure(`${label} warm p99 at 8 connections`, r.latency.p99, "ms", { text: "≤ 50 ms", ok: (v) => v <= 50 });
    figure(`${label} errors + timeouts + non-2xx`, r.errors + r.timeouts + r.non2xx, "", { text: "0", ok: (v) => v === 0 });
  }
  figure("server RSS after the analysis routes", rss(), "MB");
}

// --- 2. freshness after one note changes --------------------------------------------------------------
const notesDir = join(dir, "notes");
const practiceDir = join(notesDir, readdirSync(notesDir).sort()[0]);
const target = join(practiceDir, readdirSync(practiceDir).filter((f) => f.endsWith(".md")).sort()[0]);
const original = readFileSync(target, "utf8");
const broken = original.replace(/^practice: .*$/m, "practice: Nowhere-At-All");
const waits = [];
for (let i = 0; i < 20; i++) {
  const before = JSON.parse((await get("/api/summary")).text).totals.excluded;
  const text = i % 2 === 0 ? broken : original;
  const want = i % 2 === 0 ? before + 1 : before - 1;
  const start = performance.now();
  writeFileSync(target, text);
  for (;;) {
    const s = JSON.parse((await get("/api/summary")).text);
    if (s.totals.excluded === want) break;
    if (performance.now() - start > 5000) throw new Error("the change never showed");
  }
  waits.push(performance.now() - start);
  await new Promise((r) => setTimeout(r, 20));
}
waits.sort((a, b) => a - b);
console.log(`  one note rewritten, 20 times: median ${waits[10].toFixed(1)} ms, max ${waits[19].toFixed(1)} ms`);
figure("one note changed → next /api/summary reflects it (max of 20)", waits[19], "ms", { text: "≤ 100 ms", ok: (v) => v <= 100 });

// Bulk: 1,000 notes rewritten at once (a git checkout), until every change shows.
const bulk = [];
for (const p of readdirSync(notesDir).sort()) for (const f of readdirSync(join(notesDir, p)).sort()) if (f.endsWith(".md") && bulk.length < 1000) bulk.push(join(notesDir, p, f));
const originals = bulk.map((f) => readFileSync(f, "utf8"));
const before = JSON.parse((await get("/api/summary")).text).totals;
let start = performance.now();
bulk.forEach((f, i) => writeFileSync(f, originals[i].replace(/^practice: .*$/m, "practice: Nowhere-At-All")));
const written = performance.now() - start;
for (;;) {
  const s = JSON.parse((await get("/api/summary")).text).totals;
  if (s.included <= before.included - 900) break;
  if (performance.now() - start > 30000) throw new Error("bulk change never showed");
}
figure("1,000 notes rewritten at once → summary reflects them", performance.now() - start, "ms");
console.log(`  (writing the 1,000 files took ${written.toFixed(0)} ms of that)`);
bulk.forEach((f, i) => writeFileSync(f, originals[i]));
for (;;) {
  const s = JSON.parse((await get("/api/summary")).text).totals;
  if (s.included === before.included) break;
  await new Promise((r) => setTimeout(r, 10));
}

// --- 3. the HTML report in chromium -------------------------------------------------------------------
t = performance.now();
const page1 = await get("/");
figure("first GET / (renders the HTML report, 10k notes)", performance.now() - t, "ms");
console.log(`  HTML report: ${(page1.text.length / 1024).toFixed(0)} KB, ${(page1.text.match(/<li><a class="file"/g) ?? []).length} evidence excerpts shown`);
if (existsSync(CHROMIUM)) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const times = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const s = performance.now();
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => performance.getEntriesByType("paint").some((e) => e.name === "first-contentful-paint"));
    const wall = performance.now() - s;
    const inPage = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
      return { load: nav.loadEventEnd, fcp: fcp?.startTime ?? NaN, rows: document.querySelectorAll("table.integration tbody tr").length };
    });
    times.push({ wall, ...inPage });
    await context.close();
  }
  await browser.close();
  for (const [i, x] of times.entries()) console.log(`  run ${i + 1}: goto→load+paint ${x.wall.toFixed(0)} ms (in page: load ${x.load.toFixed(0)} ms, first paint ${x.fcp.toFixed(0)} ms, ${x.rows} practice rows)`);
  const worst = Math.max(...times.map((x) => x.wall));
  figure("HTML report of 10k notes in chromium: load + first paint (worst of 5)", worst, "ms", { text: "< 2000 ms", ok: (v) => v < 2000 });
} else console.log(`  (no chromium at ${CHROMIUM}: browser timing skipped)`);

// --- 4. load: GET / at 256 connections during constant writes; idle sockets ---------------------------
// (issue 9: 39 connection resets and a 25 s p99; 20,000 idle sockets shut other clients out for 20 s.)
{
  const html = target; // rewritten every 50 ms while autocannon runs: every request may see a new version
  const text = readFileSync(html, "utf8");
  const underWrites = async (headers) => {
    let n = 0;
    const writer = setInterval(() => writeFileSync(html, `${text}\nLoad sentence ${n++}.\n`), 50);
    const cpu0 = cpuMs();
    const r = await new Promise((res, rej) =>
      autocannon({ url: `http://127.0.0.1:${port}/`, connections: 256, duration: 5, timeout: 30, headers }, (err, out) => (err ? rej(err) : res(out))),
    );
    r.serverCpu = cpuMs() - cpu0;
    clearInterval(writer);
    writeFileSync(html, text);
    await get("/api/health"); // the restored note is in the index before the next run
    return r;
  };
  const plain = await underWrites({});
  const zipped = await underWrites(GZIP);
  show("GET / at 256 connections, a note rewritten every 50 ms", plain);
  show("GET / at 256 connections, a note rewritten every 50 ms, gzip", zipped);
  figure("GET / under writes: errors + timeouts (resets included)", plain.errors + plain.timeouts + zipped.errors + zipped.timeouts, "", { text: "0", ok: (v) => v === 0 });
  figure("GET / under writes: p99 at 256 connections, gzip", zipped.latency.p99, "ms");
  figure("GET / under writes: p99 at 256 connections, uncompressed", plain.latency.p99, "ms");
  figure("GET / under writes: server CPU per answered request, gzip", zipped.serverCpu / Math.max(zipped.requests.total, 1), "ms", { text: "≤ 25 ms", ok: (v) => v <= 25 });

  const { connect } = await import("node:net");
  const IDLE = Number(args.idle ?? 2000);
  const idle = [];
  for (let i = 0; i < IDLE; i++) {
    const s = connect(port, "127.0.0.1");
    s.on("error", () => {});
    s.resume();
    idle.push(s);
  }
  await new Promise((res) => setTimeout(res, 500));
  const s0 = performance.now();
  await new Promise((res, rej) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/health", agent: false }, (resp) => resp.resume().on("end", res));
    req.on("error", rej);
    req.end();
  });
  figure(`GET /api/health with ${IDLE} idle sockets open`, performance.now() - s0, "ms", { text: "< 1000 ms", ok: (v) => v < 1000 });
  const s1 = performance.now();
  await new Promise((res) => {
    const tick = setInterval(() => {
      if (idle.every((s) => s.destroyed || s.closed) || performance.now() - s1 > 30_000) {
        clearInterval(tick);
        res();
      }
    }, 100);
  });
  figure(`${IDLE} idle sockets all closed by the server after`, performance.now() - s1, "ms", { text: "≤ 12000 ms", ok: (v) => v <= 12000 });
  for (const s of idle) s.destroy();
}

child.kill("SIGTERM");
agent.destroy();
console.log(`load average at the end: ${load()}`);
const failed = results.filter((r) => r.pass === false);
console.log(failed.length ? `\n${failed.length} target(s) missed: ${failed.map((r) => r.name.trim()).join("; ")}` : "\nall targets met");
process.exitCode = failed.length ? 1 : 0;
