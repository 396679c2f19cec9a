// `fieldnotes serve` (a real process, real HTTP on 127.0.0.1) at the study's edge (issue 9, section 7):
// files that change under a running server never make it read outside the study, block, or drop a note
// without a word. Every request and every start is bounded: a hang fails the test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASIC_CONFIG, CLI, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, tempDir } from "../fixtures/helpers.js";
import { http, poll, type RawResponse } from "./helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

const T = 60_000;
const SECRET = "Confidential-Marker-7f3a";
const COBALT_NOTE = GOOD_NOTE.replace("Magenta", "Cobalt");
const ROUTES = ["/api/summary", "/api/practices/Cobalt", "/api/practices/Magenta", "/api/diagnostics", "/api/report.md", "/api/segments.csv", "/"];

const isRoot = process.getuid?.() === 0;
const hasSetpriv = (() => {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

interface Served {
  port: number;
  child: ChildProcess;
  stderr: () => string;
  stop(): void;
}

const running: Served[] = [];
afterAll(() => running.forEach((s) => s.stop()));

/** Starts `fieldnotes serve ROOT --port 0` (as `nobody` when asked and running as root); resolves with its port. */
function serve(root: string, asNobody = false): Promise<Served> {
  const args = [CLI, "serve", root, "--port", "0", "--no-cache"];
  const child = asNobody && isRoot
    ? spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (s) => (err += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start: ${err}`));
    }, 20_000);
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${err}`)));
    child.stdout!.setEncoding("utf8").on("data", (s) => {
      out += s;
      const m = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const served: Served = { port: Number(m[1]), child, stderr: () => err, stop: () => child.kill("SIGKILL") };
      running.push(served);
      resolve(served);
    });
  });
}

/** A request that must be answered within 10 s. */
function get(port: number, path: string): Promise<RawResponse> {
  return Promise.race([
    http(port, path),
    new Promise<RawResponse>((_, reject) => setTimeout(() => reject(new Error(`GET ${path} did not answer within 10 s`)), 10_000)),
  ]);
}

async function diagnosticsOf(port: number, file: string): Promise<{ rule: string; message: string }[] | undefined> {
  const r = await get(port, "/api/diagnostics");
  return JSON.parse(r.text).files.find((f: { file: string }) => f.file === file)?.diagnostics;
}

describe("serve never reads outside the study", () => {
  it("a watched folder replaced by a link to an outside folder: the folder is reported, the outside note never read or shown", async () => {
    const outside = tempDir("fieldnotes-outside-");
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE });
    const s = await serve(root);
    expect((await get(s.port, "/api/summary")).status).toBe(200);
    // Moved out of the study (the server's watch follows the moved folder) and replaced by a link to it.
    execFileSync("bash", ["-c", 'mv notes/Cobalt "$1/Cobalt" && ln -s "$1/Cobalt" notes/Cobalt', "-", outside], { cwd: root });
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(outside, "Cobalt", "secret.md"), COBALT_NOTE.replace("The partners", `${SECRET} said the partners`));
    writeFileSync(join(outside, "Cobalt", "b.md"), COBALT_NOTE.replace("The partners", `${SECRET} again: the partners`));
    const folder = await poll(async () => (await diagnosticsOf(s.port, "notes/Cobalt"))?.[0], 10_000, "notes/Cobalt reported");
    expect(folder.rule).toBe("file-skipped");
    expect(folder.message).toMatch(/The folder 'notes\/Cobalt' is a symbolic link/);
    await new Promise((r) => setTimeout(r, 300)); // any late event from the old watch
    for (const route of ROUTES) {
      const r = await get(s.port, route);
      expect(r.text, route).not.toContain(SECRET);
    }
    const summary = JSON.parse((await get(s.port, "/api/summary")).text);
    expect(summary.excluded).toEqual([{ file: "notes/Cobalt", rules: ["file-skipped"] }]);
  }, T);

  it("fieldnotes.yaml changed to a codebook reached through a linked folder: 503 with config-invalid, its text on no route", async () => {
    const outside = tempDir("fieldnotes-outside-");
    writeFileSync(join(outside, "codebook.yaml"), `codes:\n  shared-learning:\n    label: ${SECRET} label\n    description: ${SECRET} description\n`);
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    execFileSync("ln", ["-s", outside, join(root, "shared")]);
    const s = await serve(root);
    expect((await get(s.port, "/api/summary")).status).toBe(200);
    writeFileSync(join(root, "fieldnotes.yaml"), BASIC_CONFIG + "codebook: shared/codebook.yaml\n");
    const r = await poll(async () => {
      const x = await get(s.port, "/api/summary");
      return x.status === 503 && x;
    }, 10_000, "503 after the config change");
    expect(JSON.parse(r.text).diagnostics).toEqual([
      expect.objectContaining({ rule: "config-invalid", message: expect.stringMatching(/'shared\/codebook\.yaml' is reached through 'shared', a symbolic link/) }),
    ]);
    for (const route of ROUTES) expect((await get(s.port, route)).text, route).not.toContain(SECRET);
  }, T);
});

describe("serve never hangs on a named pipe", () => {
  it("the codebook replaced by a FIFO while serving: every route still answers (503, config-invalid on the codebook)", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const s = await serve(root);
    expect((await get(s.port, "/api/summary")).status).toBe(200);
    unlinkSync(join(root, "codebook.yaml"));
    execFileSync("mkfifo", [join(root, "codebook.yaml")]);
    const r = await poll(async () => {
      const x = await get(s.port, "/api/summary"); // rejects after 10 s when the server is stuck
      return x.status === 503 && x;
    }, 15_000, "503 after the FIFO");
    expect(JSON.parse(r.text).diagnostics[0].message).toMatch(/'codebook\.yaml' is a named pipe \(FIFO\), not a regular file/);
    expect((await get(s.port, "/api/health")).status).toBe(200);
  }, T);
});

describe("serve never drops a note without a word", () => {
  it.skipIf(isRoot && !hasSetpriv)("a note that becomes unreadable while serving: file-skipped on it and listed as excluded, as the CLI does", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE });
    // The unprivileged server must be able to enter the study (chmod 000 does not stop root).
    const open = (dir: string) => {
      chmodSync(dir, 0o755);
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) open(join(dir, e.name));
    };
    open(root);
    const s = await serve(root, true);
    expect(JSON.parse((await get(s.port, "/api/summary")).text).totals).toMatchObject({ notes: 2, included: 2 });
    chmodSync(join(root, "notes/Cobalt/b.md"), 0o000);
    const d = await poll(async () => (await diagnosticsOf(s.port, "notes/Cobalt/b.md"))?.find((x) => x.rule === "file-skipped"), 10_000, "b.md file-skipped");
    expect(d.message).toMatch(/permission denied \(EACCES\)/);
    const summary = JSON.parse((await get(s.port, "/api/summary")).text);
    expect(summary.totals).toMatchObject({ notes: 2, included: 1, excluded: 1 });
    expect(summary.excluded).toEqual([{ file: "notes/Cobalt/b.md", rules: ["file-skipped"] }]);
    // Readable again: counted again.
    chmodSync(join(root, "notes/Cobalt/b.md"), 0o644);
    await poll(async () => JSON.parse((await get(s.port, "/api/summary")).text).totals.included === 2, 10_000, "b.md included again");
  }, T);

  it.skipIf(isRoot && !hasSetpriv)("a folder that becomes unreadable while serving: reported by name and listed as excluded", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE });
    const open = (dir: string) => {
      chmodSync(dir, 0o755);
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) open(join(dir, e.name));
    };
    open(root);
    const s = await serve(root, true);
    expect(JSON.parse((await get(s.port, "/api/summary")).text).totals.included).toBe(2);
    chmodSync(join(root, "notes/Cobalt"), 0o000);
    await poll(async () => (await diagnosticsOf(s.port, "notes/Cobalt"))?.[0]?.rule === "file-skipped", 10_000, "notes/Cobalt file-skipped");
    expect(JSON.parse((await get(s.port, "/api/summary")).text).excluded).toEqual([{ file: "notes/Cobalt", rules: ["file-skipped"] }]);
    chmodSync(join(root, "notes/Cobalt"), 0o755);
    await poll(async () => JSON.parse((await get(s.port, "/api/summary")).text).totals.included === 2, 10_000, "Cobalt included again");
  }, T);
});
