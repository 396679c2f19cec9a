// A tiny test harness for code that runs inside the VS Code extension host (CommonJS, real `vscode`
// API). Mocha's reporters only reach the browser console in code-server, so each scenario's outcome
// is collected here and written to a JSON result file that the runner (../run.mjs) reads.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");

function resultPath(name) {
  if (process.env.FIELDNOTES_E2E_RESULT) return process.env.FIELDNOTES_E2E_RESULT;
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  return path.join(path.dirname(folder.uri.fsPath), name || "result.json");
}

/** Polls `fn` until it returns a truthy value (returned) or the timeout passes (throws with `what`). */
async function waitFor(what, fn, timeoutMs = 60000, intervalMs = 100) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeoutMs) {
      const detail = last instanceof Error ? `: ${last.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

class Suite {
  constructor(name) {
    this.name = name;
    this.tests = [];
    this.started = Date.now();
    this.file = resultPath();
  }
  async test(name, fn) {
    const t0 = Date.now();
    const entry = { name, ok: false, ms: 0 };
    try {
      const r = await fn();
      entry.ok = true;
      if (r === "skip") {
        entry.skipped = true;
      }
    } catch (e) {
      entry.error = e && e.stack ? String(e.stack) : String(e);
    }
    entry.ms = Date.now() - t0;
    this.tests.push(entry);
    console.log(`[fieldnotes-e2e] ${entry.ok ? (entry.skipped ? "SKIP" : "PASS") : "FAIL"} ${name} (${entry.ms} ms)${entry.error ? "\n" + entry.error : ""}`);
    this.write(false);
    return entry.ok;
  }
  write(done) {
    const passed = this.tests.filter((t) => t.ok && !t.skipped).length;
    const failed = this.tests.filter((t) => !t.ok).length;
    const skipped = this.tests.filter((t) => t.skipped).length;
    const out = { suite: this.name, done, passed, failed, skipped, ms: Date.now() - this.started, tests: this.tests };
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(out, null, 2));
    fs.renameSync(tmp, this.file);
  }
  finish() {
    this.write(true);
  }
  /**
   * Asks the runner (outside, with the browser) to do something in the page: "screenshot-<name>", or
   * "click-evidence". Waits until it answered (returns its JSON answer) or gave up (undefined).
   */
  async ask(what, timeoutMs = 40000) {
    if (!process.env.FIELDNOTES_E2E_SCREENSHOTS) return undefined; // no runner with a browser is watching
    const dir = path.dirname(this.file);
    const done = path.join(dir, `ask-${what}.done`);
    fs.writeFileSync(path.join(dir, `ask-${what}.request`), String(Date.now()));
    try {
      await waitFor(what, () => fs.existsSync(done), timeoutMs, 100);
      return JSON.parse(fs.readFileSync(done, "utf8"));
    } catch {
      return undefined; // the runner gave up on it
    }
  }
  screenshot(name) {
    return this.ask(`screenshot-${name}`);
  }
}

function diagCode(d) {
  return typeof d.code === "object" && d.code !== null ? String(d.code.value) : String(d.code);
}

function fieldnotesDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === "fieldnotes");
}

module.exports = { resultFile: () => resultPath(), Suite, waitFor, assert, diagCode, fieldnotesDiagnostics };
