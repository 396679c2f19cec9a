#!/usr/bin/env node
// Runs the extension's end-to-end tests in a REAL VS Code: code-server 4.100.3 (VS Code 1.100.3)
// driven by headless Debian chromium through playwright-core (see scripts/setup-code-server.sh).
//
// Phase 1 (dev): the extension in development mode + suite/index.cjs, on a copy of the example study.
// Phase 2 (vsix): `npm run package`, install the .vsix into a fresh extensions dir, start again
//                 without development mode for Fieldnotes, run suite/installed.cjs.
// Each phase's test entry writes a JSON result file; the runner polls for it (never fixed sleeps),
// takes screenshots into test-output/, kills code-server's process group and exits 1 on any failure
// (or a missing result), 3 when code-server/chromium are not installed.
// Options: --skip-vsix, --only-vsix, --keep (keep the temp folder). Env: FIELDNOTES_E2E_CACHE,
// FIELDNOTES_CODE_SERVER (path to code-server), FIELDNOTES_E2E_TIMEOUT (ms per phase, default 300000).
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const outDir = path.join(repo, "test-output");
const args = new Set(process.argv.slice(2));
const PHASE_TIMEOUT = Number(process.env.FIELDNOTES_E2E_TIMEOUT || 300000);
const cache = process.env.FIELDNOTES_E2E_CACHE || path.join(os.homedir(), ".cache", "fieldnotes-e2e");
const codeServer = process.env.FIELDNOTES_CODE_SERVER || path.join(cache, "code-server-4.100.3", "node_modules", ".bin", "code-server");
const chromiumPath = process.env.FIELDNOTES_CHROMIUM || "/usr/bin/chromium";
const t0 = Date.now();
const log = (...a) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

fs.mkdirSync(outDir, { recursive: true });
fs.rmSync(path.join(outDir, "e2e-vscode.json"), { force: true }); // never read a stale verdict

function fail(code, message) {
  console.error(`[e2e] ${message}`);
  fs.writeFileSync(path.join(outDir, "e2e-vscode.json"), JSON.stringify({ ok: false, error: message, phases: [] }, null, 2));
  process.exit(code);
}

if (!fs.existsSync(codeServer)) fail(3, `code-server not found at ${codeServer}: run scripts/setup-code-server.sh first`);
if (!fs.existsSync(chromiumPath)) fail(3, `chromium not found at ${chromiumPath}: run scripts/setup-code-server.sh first`);
const { chromium } = await import("playwright-core");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, fn, timeoutMs, intervalMs = 200) {
  const start = Date.now();
  for (;;) {
    let v;
    try {
      v = await fn();
    } catch {
      v = undefined;
    }
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The study to test on: the example study when it is there (with its broken note), else our fixture. */
function sourceStudy() {
  const example = path.join(repo, "examples", "deep-end");
  if (fs.existsSync(path.join(example, "fieldnotes.yaml")) && fs.existsSync(path.join(example, "notes", "Cobalt", "2016-06-01-observation.md"))) return example;
  return path.join(here, "fixture");
}

function findFiles(dir, pred, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, pred, out);
    else if (pred(e.name)) out.push(p);
  }
  return out;
}

function startCodeServer({ port, dir, folder, env }) {
  const userDir = path.join(dir, "user");
  fs.mkdirSync(path.join(userDir, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(userDir, "User", "settings.json"),
    JSON.stringify({
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "security.workspace.trust.enabled": false,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "git.enabled": false,
      "workbench.enableExperiments": false,
      "editor.quickSuggestions": { other: false, comments: false, strings: false },
    }, null, 2),
  );
  const logFile = fs.openSync(path.join(dir, "code-server.log"), "a");
  // detached: the child calls setsid(), so it leads a new process group that we kill as a whole.
  const child = spawn(
    codeServer,
    ["--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry", "--disable-update-check",
      "--disable-workspace-trust", "--user-data-dir", userDir, "--extensions-dir", path.join(dir, "ext"), folder],
    { detached: true, stdio: ["ignore", logFile, logFile], env: { ...process.env, ...env } },
  );
  child.unref();
  return child;
}

function killGroup(child) {
  if (!child?.pid) return;
  for (const sig of ["SIGTERM", "SIGKILL"]) {
    try {
      process.kill(-child.pid, sig);
    } catch {
      return;
    }
    if (sig === "SIGTERM") {
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        try {
          process.kill(-child.pid, 0);
        } catch {
          return;
        }
        execFileSync("sleep", ["0.1"]);
      }
    }
  }
}

/** Does what the test entry asked for in the page (see harness.cjs `ask`). */
async function handleAsk(page, phase, what) {
  if (what.startsWith("screenshot-")) {
    const shot = what.slice("screenshot-".length);
    if (shot === "completion") {
      // squiggles and the suggest widget, in the note's own editor
      await page.waitForSelector(".editor-instance .monaco-editor .squiggly-error", { timeout: 15000 }).catch(() => log("no error squiggle seen"));
      await page.waitForSelector(".editor-widget.suggest-widget.visible", { timeout: 15000 }).catch(() => log("no suggest widget seen"));
    }
    if (shot === "summary") await findFrame(page, "[data-file]", 20000).catch(() => log("no report in a webview seen"));
    const file = path.join(outDir, `vscode-${phase}-${shot}.png`);
    await page.screenshot({ path: file });
    log(`${phase}: screenshot ${path.relative(repo, file)}`);
    return { file };
  }
  if (what === "click-evidence") {
    // The report lives in the webview's inner iframe; open its <details> and click the first evidence link.
    const frame = await findFrame(page, "[data-file]", 20000);
    const link = frame.locator("[data-file][data-line]").first();
    await frame.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
    const file = await link.getAttribute("data-file");
    const line = await link.getAttribute("data-line");
    await link.scrollIntoViewIfNeeded();
    await link.click();
    log(`${phase}: clicked evidence ${file}:${line}`);
    return { file, line };
  }
  throw new Error(`unknown request ${what}`);
}

async function findFrame(page, selector, timeoutMs) {
  return waitFor(`a frame with ${selector}`, async () => {
    for (const f of page.frames()) {
      if (await f.$(selector).catch(() => null)) return f;
    }
    return undefined;
  }, timeoutMs, 200);
}

async function httpUp(url) {
  try {
    const r = await fetch(url);
    return r.status < 500;
  } catch {
    return false;
  }
}

/**
 * One phase: start code-server on a copy of the study, open the page with a test entry, serve the
 * entry's screenshot requests, wait for its result file.
 */
async function runPhase({ name, entry, devPath, extensionsDir }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fieldnotes-e2e-${name}-`));
  const study = path.join(dir, "study");
  // a fresh copy, so tests may change it; without the CLI's cache folder
  fs.cpSync(sourceStudy(), study, { recursive: true, filter: (src) => path.basename(src) !== ".fieldnotes" });
  const resultFile = path.join(dir, "result.json");
  const ext = extensionsDir ?? path.join(dir, "ext");
  if (extensionsDir) fs.symlinkSync(extensionsDir, path.join(dir, "ext"));
  else fs.mkdirSync(ext, { recursive: true });
  const port = await freePort();
  const phaseStart = Date.now();
  const child = startCodeServer({
    port, dir, folder: study,
    env: { FIELDNOTES_E2E_RESULT: resultFile, FIELDNOTES_E2E_EXTENSIONS_DIR: fs.realpathSync(ext), FIELDNOTES_E2E_SCREENSHOTS: "1" },
  });
  let browser;
  const consoleLines = [];
  let result;
  try {
    const base = `http://127.0.0.1:${port}/`;
    await waitFor("code-server to answer", () => httpUp(`${base}healthz`), 30000, 100);
    log(`${name}: code-server up on ${port} (${Date.now() - phaseStart} ms)`);
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [["extensionDevelopmentPath", remote(devPath)], ["extensionTestsPath", remote(entry)]];
    const url = `${base}?folder=${encodeURIComponent(study)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    log(`${name}: workbench loaded (${Date.now() - phaseStart} ms)`);

    const answered = new Set();
    const deadline = Date.now() + PHASE_TIMEOUT;
    for (;;) {
      for (const f of fs.readdirSync(dir)) {
        const m = /^ask-(.+)\.request$/.exec(f);
        if (!m || answered.has(m[1])) continue;
        answered.add(m[1]);
        let answer = {};
        try {
          answer = (await handleAsk(page, name, m[1])) ?? {};
        } catch (e) {
          answer = { error: String(e.message || e) };
          log(`${name}: ${m[1]}: ${answer.error}`);
        }
        fs.writeFileSync(path.join(dir, `ask-${m[1]}.done`), JSON.stringify(answer));
      }
      if (fs.existsSync(resultFile)) {
        const r = JSON.parse(fs.readFileSync(resultFile, "utf8"));
        if (r.done) {
          result = r;
          break;
        }
      }
      if (Date.now() > deadline) break;
      await sleep(200);
    }
    await page.screenshot({ path: path.join(outDir, `vscode-${name}-final.png`) }).catch(() => undefined);
    if (!result && fs.existsSync(resultFile)) result = { ...JSON.parse(fs.readFileSync(resultFile, "utf8")), timedOut: true };
  } catch (e) {
    log(`${name}: ${e.stack || e}`);
  } finally {
    await browser?.close().catch(() => undefined);
    killGroup(child);
    fs.writeFileSync(path.join(outDir, `vscode-${name}-console.log`), consoleLines.join("\n") + "\n");
    fs.copyFileSync(path.join(dir, "code-server.log"), path.join(outDir, `vscode-${name}-code-server.log`));
    // the "Fieldnotes" output channel (client, language server and summary server logs)
    for (const f of findFiles(path.join(dir, "user", "logs"), (n) => /-Fieldnotes\.log$/.test(n))) {
      fs.copyFileSync(f, path.join(outDir, `vscode-${name}-output-Fieldnotes.log`));
    }
    if (!args.has("--keep")) fs.rmSync(dir, { recursive: true, force: true });
    else log(`${name}: kept ${dir}`);
  }
  const ms = Date.now() - phaseStart;
  if (!result) return { phase: name, ok: false, ms, error: `no result file after ${PHASE_TIMEOUT} ms (see test-output/vscode-${name}-console.log)`, tests: [] };
  const ok = !result.timedOut && result.failed === 0 && result.tests.length > 0;
  return { phase: name, ...result, ok, ms, error: result.timedOut ? `timed out after ${PHASE_TIMEOUT} ms, ${result.tests.length} test(s) done` : undefined };
}

const phases = [];
log(`study: ${path.relative(repo, sourceStudy())}`);
if (!args.has("--only-vsix")) {
  log("building the extension bundles");
  execFileSync(process.execPath, [path.join(repo, "scripts", "build-extension.mjs")], { stdio: "inherit" });
  phases.push(await runPhase({
    name: "dev",
    entry: path.join(here, "suite", "index.cjs"),
    devPath: repo,
  }));
}
if (!args.has("--skip-vsix")) {
  log("packaging the .vsix");
  let vsix;
  try {
    const out = execFileSync(process.execPath, [path.join(repo, "scripts", "package-extension.mjs")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    process.stdout.write(out);
    vsix = /VSIX: (.+\.vsix)/.exec(out)?.[1];
  } catch (e) {
    phases.push({ phase: "vsix", ok: false, error: `packaging failed: ${e.message}`, tests: [] });
  }
  if (vsix) {
    const extDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldnotes-e2e-vsix-ext-"));
    const udir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldnotes-e2e-vsix-user-"));
    log(`installing ${path.basename(vsix)} into ${extDir}`);
    execFileSync(codeServer, ["--user-data-dir", udir, "--extensions-dir", extDir, "--install-extension", vsix], { stdio: "inherit" });
    try {
      phases.push(await runPhase({
        name: "vsix",
        entry: path.join(here, "suite", "installed.cjs"),
        devPath: path.join(here, "probe"),
        extensionsDir: extDir,
      }));
    } finally {
      fs.rmSync(extDir, { recursive: true, force: true });
      fs.rmSync(udir, { recursive: true, force: true });
    }
  }
}

const tests = phases.flatMap((p) => (p.tests ?? []).map((t) => ({ ...t, name: `${p.phase}: ${t.name}` })));
const passed = tests.filter((t) => t.ok && !t.skipped).length;
const skipped = tests.filter((t) => t.skipped).length;
const failed = tests.filter((t) => !t.ok).length + phases.filter((p) => !p.ok && !(p.tests ?? []).some((t) => !t.ok)).length;
const ok = phases.length > 0 && phases.every((p) => p.ok) && failed === 0;
const summary = { ok, ms: Date.now() - t0, passed, failed, skipped, phases: phases.map(({ tests: _t, ...p }) => p), tests };
fs.writeFileSync(path.join(outDir, "e2e-vscode.json"), JSON.stringify(summary, null, 2));
for (const p of phases) log(`phase ${p.phase}: ${p.ok ? "ok" : "FAILED"} in ${(p.ms / 1000).toFixed(1)} s${p.error ? ` (${p.error})` : ""}`);
for (const t of tests) console.log(`  ${t.ok ? (t.skipped ? "-" : "✓") : "✗"} ${t.name} (${t.ms} ms)${t.ok ? "" : `\n      ${String(t.error).split("\n").slice(0, 4).join("\n      ")}`}`);
console.log(`e2e-vscode: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s; details in test-output/e2e-vscode.json`);
process.exit(ok ? 0 : 1);
