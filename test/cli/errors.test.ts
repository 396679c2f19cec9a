// The mistakes a new user makes, over the CLI as a process (SPEC section 7): each is one plain line on
// standard error and exit 2, never "internal error" or a stack trace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli, tempDir, type RunResult } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

/** Exit 2 and exactly one line on stderr, without the marks of a crash. */
function onePlainLine(r: RunResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |Error:/);
  expect(lines[0].trimEnd()).toMatch(pattern);
}

describe("a PATH that does not exist", () => {
  it("every command taking PATH says the path does not exist, not that there is no study", async () => {
    const cwd = tempDir();
    for (const cmd of [["check"], ["report"], ["serve", "--port", "0"], ["new", "--practice", "Magenta"]]) {
      const r = await runCli([...cmd, "/nonexistent/path"], cwd);
      onePlainLine(r, new RegExp(`^fieldnotes ${cmd[0]}: /nonexistent/path does not exist\\.$`));
    }
  });
});

describe("report: options that do not apply to the format", () => {
  it("--by or --presence without --format csv is a usage error, not silently JSON", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    for (const args of [["--by", "code"], ["--format", "md", "--by", "level"], ["--format", "html", "--presence"], ["--presence"]]) {
      const r = await runCli(["report", ...args], root);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/applies only to --format csv|apply only to --format csv/);
    }
    const presenceSegment = await runCli(["report", "--format", "csv", "--by", "segment", "--presence"], root);
    expect(presenceSegment.code).toBe(2);
    const ok = await runCli(["report", "--format", "csv", "--by", "code", "--presence"], root);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split("\n")[0]).toMatch(/^practice/);
  });
});

describe("report --out", () => {
  it("creates a missing folder inside the current folder and writes the report", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const r = await runCli(["report", "--format", "md", "--out", "reports/2026/summary.md"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, "reports/2026/summary.md"), "utf8")).toMatch(/^# Integration summary/);
  });

  it("replaces an earlier report whole, leaving no temporary file", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    writeFileSync(join(root, "summary.md"), "old report\n");
    expect((await runCli(["report", "--format", "md", "--out", "summary.md"], root)).code).toBe(0);
    expect(readFileSync(join(root, "summary.md"), "utf8")).toMatch(/^# Integration summary/);
    expect(readdirSync(root).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a device such as /dev/null is written to, not replaced; a link to a file updates that file", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const r = await runCli(["report", "--format", "md", "--out", "/dev/null"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
    expect(readdirSync("/dev").filter((f) => f.endsWith(".tmp"))).toEqual([]);

    mkdirSync(join(root, "reports"));
    writeFileSync(join(root, "reports", "r.md"), "old\n");
    symlinkSync(join("reports", "r.md"), join(root, "latest.md"));
    expect((await runCli(["report", "--format", "md", "--out", "latest.md"], root)).code).toBe(0);
    expect(lstatSync(join(root, "latest.md")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, "reports", "r.md"), "utf8")).toMatch(/^# Integration summary/);
  });

  it("a missing folder outside the study and the current folder is named in words", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const elsewhere = join(tempDir(), "no", "such", "folder", "r.md");
    onePlainLine(await runCli(["report", "--out", elsewhere], root), /^fieldnotes report: cannot write .*: the folder .* does not exist/);
    expect(existsSync(join(elsewhere, ".."))).toBe(false);
  });

  it("every write error is one line and leaves nothing behind: a folder, a file in the way, a file of the study", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    mkdirSync(join(root, "out"));
    writeFileSync(join(root, "plain"), "x");
    onePlainLine(await runCli(["report", "--out", "out"], root), /^fieldnotes report: cannot write out: it is a folder/);
    onePlainLine(await runCli(["report", "--out", "plain/r.md"], root), /^fieldnotes report: cannot (write|create the folder of) plain\/r\.md: .*not a folder/);
    for (const own of ["fieldnotes.yaml", "codebook.yaml", "notes/Magenta/a.md"]) {
      const before = readFileSync(join(root, own), "utf8");
      onePlainLine(await runCli(["report", "--out", own], root), /refusing to write .*: it is a file of the study/);
      expect(readFileSync(join(root, own), "utf8")).toBe(before);
    }
    expect(readdirSync(join(root, "out"))).toEqual([]);
    expect(readdirSync(root).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("serve: a failed listen is one line", () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it("a port in use, an address not on this machine, a malformed host", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    onePlainLine(await runCli(["serve", "--port", String(port)], root), new RegExp(`^fieldnotes serve: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    // 192.0.2.0/24 is TEST-NET-1: never an address of this machine (EADDRNOTAVAIL).
    onePlainLine(await runCli(["serve", "--port", "0", "--host", "192.0.2.1"], root), /^fieldnotes serve: cannot listen on 192\.0\.2\.1: no such address/);
    onePlainLine(await runCli(["serve", "--port", "0", "--host", "no such host"], root), /^fieldnotes serve: cannot listen on 'no such host'/);
    onePlainLine(await runCli(["serve", "--port", "0", "--host", "nonexistent.invalid"], root), /^fieldnotes serve: cannot listen on nonexistent\.invalid/);
  });
});

describe("init", () => {
  it("refuses inside an existing study, naming it, and writes nothing", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    mkdirSync(join(root, "pilot"));
    const r = await runCli(["init", "pilot"], root);
    onePlainLine(r, new RegExp(`^fieldnotes init: refusing to create a study inside the study at ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    expect(readdirSync(join(root, "pilot"))).toEqual([]);
    const deeper = await runCli(["init", "notes/new-study"], root);
    expect(deeper.code).toBe(2);
    expect(existsSync(join(root, "notes/new-study"))).toBe(false);
  });

  it("writes a .gitignore for .fieldnotes/ and node_modules/, and leaves an existing one as it was", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "a"], dir)).code).toBe(0);
    expect(readFileSync(join(dir, "a", ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining([".fieldnotes/", "node_modules/"]));
    mkdirSync(join(dir, "b"));
    writeFileSync(join(dir, "b", ".gitignore"), "mine\n");
    const r = await runCli(["init", "b"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\.gitignore/);
    expect(readFileSync(join(dir, "b", ".gitignore"), "utf8")).toBe("mine\n");
  });
});

describe("plurals", () => {
  it("one warning over --max-warnings, one note checked", async () => {
    const root = makeStudy({
      "notes/Magenta/w.md": GOOD_NOTE.replace("2016-03-14", "2014-03-14"), // outside the period: one warning
    });
    const r = await runCli(["check", "--max-warnings", "0"], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^1 note checked: 0 errors, 1 warning, 0 information\.$/m);
    expect(r.stderr.trim()).toBe("fieldnotes: 1 warning exceeds --max-warnings 0.");
  });

  it("the Markdown report of one practice and one note says '1 note' and '1 practice'", async () => {
    const root = makeStudy(
      { "notes/Magenta/a.md": GOOD_NOTE },
      { config: ["study: One", "period: { start: 2015-01-01, end: 2016-12-31 }", 'notes: ["notes/**/*.md"]', "practices:", "  - id: Magenta", ""].join("\n") },
    );
    const md = await runCli(["report", "--format", "md"], root);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^1 note: 1 included, 0 excluded \(errors\)\. 1 practice: /m);
    expect(md.stdout).not.toMatch(/\b1 (notes|practices|excerpts|warnings|errors)\b/);
    const html = await runCli(["report", "--format", "html"], root);
    expect(html.stdout).toMatch(/\(1 practice\)/);
    const words = html.stdout.replace(/<[^>]*>/g, "");
    expect(words).toMatch(/\b1 note\b/);
    expect(words).not.toMatch(/\b1 (notes|practices|excerpts|coded segments)\b/);
  });
});

describe("new: an unknown practice", () => {
  it("a practice id in the wrong case gets 'Did you mean', an unrelated one the list of practices", async () => {
    const root = makeStudy();
    onePlainLine(await runCli(["new", "--practice", "magenta"], root), /^fieldnotes new: 'magenta' is not a practice in fieldnotes\.yaml\. Did you mean 'Magenta'\?$/);
    onePlainLine(await runCli(["new", "--practice", "Zebra"], root), /^fieldnotes new: 'Zebra' is not a practice in fieldnotes\.yaml\. Practices: Magenta, Cobalt\.$/);
    expect(existsSync(join(root, "notes"))).toBe(false);
  });
});

describe("serve --host with an IPv6 address in brackets", () => {
  it("--host [::1] listens on ::1 and prints a URL that works (skipped without IPv6 loopback)", async (ctx) => {
    const probe = createServer();
    const ipv6 = await new Promise<boolean>((r) => probe.once("error", () => r(false)).listen(0, "::1", () => probe.close(() => r(true))));
    if (!ipv6) ctx.skip("this machine has no IPv6 loopback (::1)");
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    const { spawn } = await import("node:child_process");
    const { CLI } = await import("../fixtures/helpers.js");
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "[::1]"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (s) => (err += s));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (s) => {
          out += s;
          const m = /http:\/\/\[::1\]:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const res = await fetch(new URL("api/health", url));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", notes: 1 });
      expect(err).not.toMatch(/internal error|\n\s+at /);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
