// The study's edge, over the CLI as a process (issue 9, section 7): nothing outside the study's real root
// is read, no note vanishes without a located diagnostic, a named pipe never blocks a command, and the
// cache (which holds note text) is never written through a link. Every run here is bounded: a hang is a
// timeout, and the test fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASIC_CODEBOOK, BASIC_CONFIG, CLI, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli, tempDir, type RunResult } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

/** A run that hangs fails the test: each command gets this long. */
const BOUND_MS = 20_000;
const T = 60_000;

const SECRET = "Confidential-Marker-7f3a";
const COBALT_NOTE = GOOD_NOTE.replace("Magenta", "Cobalt");
const mkfifo = (path: string) => execFileSync("mkfifo", [path]);

/** The report's excluded list (SPEC section 9). */
async function excluded(root: string): Promise<{ file: string; rules: string[] }[]> {
  const r = await runCli(["report", root, "--format", "json", "--no-cache"], root, BOUND_MS);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).excluded;
}

/** Lines of `check` output for this rule (text format). */
const linesOf = (r: RunResult, rule: string) => r.stdout.split("\n").filter((l) => l.includes(` ${rule}: `));

// As root, chmod 000 does not stop reads: run the CLI as `nobody` (setpriv) on a study it may enter.
const isRoot = process.getuid?.() === 0;
const hasSetpriv = (() => {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const canDropPrivileges = !isRoot || hasSetpriv;
if (!canDropPrivileges) console.warn("edge.test: running as root without setpriv: the unreadable-folder tests are skipped.");

function runUnprivileged(args: string[], cwd: string): Promise<RunResult> {
  if (!isRoot) return runCli(args, cwd, BOUND_MS);
  return new Promise((resolve, reject) => {
    const child = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fieldnotes ${args.join(" ")} (as nobody) timed out`));
    }, BOUND_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function excludedUnprivileged(root: string): Promise<{ file: string; rules: string[] }[]> {
  const r = await runUnprivileged(["report", ".", "--format", "json", "--no-cache"], root);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).excluded;
}

/** A study everyone may enter and read (the unprivileged run needs that), with its notes. */
function openStudyTo(root: string): void {
  const walk = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFile()) chmodSync(join(dir, e.name), 0o644);
    }
  };
  walk(root);
}

describe("reads outside the study", () => {
  it("a codebook reached through a linked folder is never read: config-invalid on the `codebook` key, exit 2, its text shown nowhere", async () => {
    const outside = tempDir("fieldnotes-outside-");
    writeFileSync(join(outside, "codebook.yaml"), `codes:\n  ${SECRET}:\n    label: ${SECRET} label\n`);
    const config = BASIC_CONFIG + "codebook: shared/codebook.yaml\n";
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { config, codebook: null });
    symlinkSync(outside, join(root, "shared"));
    const keyLine = config.split("\n").findIndex((l) => l.startsWith("codebook:")) + 1;
    for (const args of [["check", "."], ["check", ".", "--format", "json"], ["report", ".", "--format", "md"]]) {
      const r = await runCli(args, root, BOUND_MS);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      if (args[0] === "check" && args.length === 2) {
        expect(r.stdout).toMatch(new RegExp(`^fieldnotes\\.yaml:${keyLine}:1: error config-invalid: .*'shared/codebook\\.yaml' is reached through 'shared', a symbolic link`, "m"));
      }
    }
    // A codebook that is itself a link to an outside file: the same, and it is not called missing.
    const root2 = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { codebook: null });
    symlinkSync(join(outside, "codebook.yaml"), join(root2, "codebook.yaml"));
    const r2 = await runCli(["check", "."], root2, BOUND_MS);
    expect(r2.code).toBe(2);
    expect(r2.stdout + r2.stderr).not.toContain(SECRET);
    expect(r2.stdout).toMatch(/config-invalid: The codebook file cannot be used: 'codebook\.yaml' is a symbolic link/);
    expect(r2.stdout).not.toMatch(/does not exist/);
  }, T);

  it("a study opened through a link to its root (or from a folder reached through one) is read as usual", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE });
    const link = join(tempDir("fieldnotes-link-"), "study");
    symlinkSync(root, link);
    for (const cwd of [link, join(link, "notes", "Cobalt")]) {
      const r = await runCli(["check", "--no-cache"], cwd, BOUND_MS);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toBe("2 notes checked: 0 errors, 0 warnings, 0 information.\n");
    }
  }, T);

  it("a linked folder of notes is reported (file-skipped on the folder, excluded) and nothing in it is read", async () => {
    const outside = tempDir("fieldnotes-outside-");
    writeFileSync(join(outside, "n.md"), COBALT_NOTE.replace("The partners", `${SECRET} 0141 496 0000`));
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    symlinkSync(outside, join(root, "notes", "Cobalt"));
    const r = await runCli(["check", ".", "--no-cache"], root, BOUND_MS);
    expect(r.stdout).not.toContain(SECRET);
    expect(linesOf(r, "file-skipped")).toEqual([expect.stringMatching(/^notes\/Cobalt:1:1: \w+ file-skipped: The folder 'notes\/Cobalt' is a symbolic link/)]);
    expect(await excluded(root)).toEqual([{ file: "notes/Cobalt", rules: ["file-skipped"] }]);
  }, T);
});

describe("no note vanishes without a word", () => {
  it.skipIf(!canDropPrivileges)("an unreadable folder: a located file-skipped naming the folder, listed as excluded; the readable notes still count", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE, "notes/Cobalt/c.md": COBALT_NOTE });
    openStudyTo(root);
    chmodSync(join(root, "notes", "Cobalt"), 0o000);
    const r = await runUnprivileged(["check", ".", "--no-cache"], root);
    expect(linesOf(r, "file-skipped"), `exit ${r.code}\n${r.stdout}\n${r.stderr}`).toEqual([expect.stringMatching(/^notes\/Cobalt:1:1: \w+ file-skipped: The folder 'notes\/Cobalt' cannot be read: permission denied \(EACCES\)/)]);
    const rep = await runUnprivileged(["report", ".", "--format", "json", "--no-cache"], root);
    expect(rep.code, rep.stderr).toBe(0);
    const summary = JSON.parse(rep.stdout);
    expect(summary.excluded).toEqual([{ file: "notes/Cobalt", rules: ["file-skipped"] }]);
    expect(summary.totals.included).toBe(1);
    expect(summary.practices.find((p: { id: string }) => p.id === "Magenta").notes).toBe(1);
  }, T);

  it.skipIf(!canDropPrivileges)("an unreadable note: file-skipped on it, excluded, never dropped", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Cobalt/b.md": COBALT_NOTE });
    openStudyTo(root);
    chmodSync(join(root, "notes", "Cobalt", "b.md"), 0o000);
    const r = await runUnprivileged(["check", ".", "--no-cache"], root);
    expect(linesOf(r, "file-skipped"), `exit ${r.code}\n${r.stdout}\n${r.stderr}`).toEqual([expect.stringMatching(/^notes\/Cobalt\/b\.md:1:1: \w+ file-skipped: .*permission denied/)]);
    expect(await excludedUnprivileged(root)).toEqual([{ file: "notes/Cobalt/b.md", rules: ["file-skipped"] }]);
  }, T);

  it.skipIf(!canDropPrivileges)("an unreadable codebook is reported as unreadable, not as missing", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    openStudyTo(root);
    chmodSync(join(root, "codebook.yaml"), 0o000);
    const r = await runUnprivileged(["check", ".", "--no-cache"], root);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout, r.stderr).toMatch(/^fieldnotes\.yaml:1:1: error config-invalid: The codebook file cannot be used: 'codebook\.yaml' cannot be read: permission denied \(EACCES\)/m);
    expect(r.stdout + r.stderr).not.toMatch(/does not exist/);
  }, T);

  it("a named pipe (FIFO) named like a note: file-skipped, excluded, and the run ends", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    mkfifo(join(root, "notes/Magenta/pipe.md"));
    const r = await runCli(["check", ".", "--no-cache"], root, BOUND_MS);
    expect(linesOf(r, "file-skipped")).toEqual([expect.stringMatching(/^notes\/Magenta\/pipe\.md:1:1: \w+ file-skipped: This note is a named pipe \(FIFO\), not a regular file/)]);
    expect(await excluded(root)).toEqual([{ file: "notes/Magenta/pipe.md", rules: ["file-skipped"] }]);
  }, T);

  it("notes whose path is over 4,096 characters (and a folder past that length): file-skipped, excluded", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    // Folders down to a path of exactly 3,950 characters: a long-named note there, and a folder below.
    const name = "f".repeat(200);
    const names: string[] = [];
    let length = join(root, "notes/Magenta").length;
    while (length + 1 + name.length <= 3950) (names.push(name), (length += 1 + name.length));
    if (length < 3949) names.push("g".repeat(3950 - length - 1));
    const longName = `${"n".repeat(200)}.md`;
    execFileSync("bash", ["-c", `set -e; cd notes/Magenta; for d in ${names.join(" ")}; do mkdir $d; cd $d; done; cat > ${longName}; mkdir ${name}; cp ${longName} ${name}/deep.md`], { cwd: root, input: GOOD_NOTE });
    const folder = `notes/Magenta/${names.join("/")}`;
    try {
      expect(join(root, folder).length).toBeLessThan(4096);
      expect(join(root, folder, longName).length).toBeGreaterThan(4096);
      // Paths are compared by what follows the long folder, so that a failure stays readable.
      const tail = (file: string) => (file.startsWith(folder + "/") ? file.slice(folder.length + 1) : file.slice(0, 80));
      const r = await runCli(["check", root, "--no-cache", "--format", "json"], root, BOUND_MS);
      const skipped = JSON.parse(r.stdout).files.filter((f: { diagnostics: { rule: string }[] }) => f.diagnostics.some((d) => d.rule === "file-skipped"));
      expect(skipped.map((f: { file: string }) => tail(f.file))).toEqual([name, longName]);
      for (const f of skipped) expect(f.diagnostics[0].message).toMatch(/longer than this system allows \(ENAMETOOLONG\)/);
      expect((await excluded(root)).map((e) => tail(e.file))).toEqual([name, longName]);
    } finally {
      execFileSync("rm", ["-rf", join(root, "notes")]); // Node's rmSync cannot remove paths this long
    }
  }, T);
});

describe("named pipes never block a command", () => {
  it("a FIFO in place of the codebook: check, report and serve end at once with config-invalid on the codebook", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE }, { codebook: null });
    mkfifo(join(root, "codebook.yaml"));
    for (const args of [["check", "."], ["report", "."], ["serve", ".", "--port", "0"]]) {
      const started = Date.now();
      const r = await runCli(args, root, BOUND_MS); // rejects (test fails) when it does not end
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/config-invalid: The codebook file cannot be used: 'codebook\.yaml' is a named pipe \(FIFO\), not a regular file/);
    }
  }, T);

  it("a FIFO in place of fieldnotes.yaml: check and new end at once with a located config-invalid", async () => {
    const root = tempDir("fieldnotes-study-");
    mkfifo(join(root, "fieldnotes.yaml"));
    writeFileSync(join(root, "codebook.yaml"), BASIC_CODEBOOK);
    for (const args of [["check", "."], ["new", "--practice", "Magenta", "."]]) {
      const r = await runCli(args, root, BOUND_MS);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/^fieldnotes\.yaml:1:1: error config-invalid: 'fieldnotes\.yaml' is a named pipe \(FIFO\), not a regular file/m);
    }
    expect(existsSync(join(root, "notes"))).toBe(false);
  }, T);

  it("a FIFO in place of the study's template: new ends at once (exit 2, one line) and writes nothing", async () => {
    const root = makeStudy({});
    mkdirSync(join(root, "templates"));
    mkfifo(join(root, "templates/observation.md"));
    const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "."], root, BOUND_MS);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^fieldnotes new: 'templates\/observation\.md' is a named pipe \(FIFO\), not a regular file/)]);
    expect(existsSync(join(root, "notes/Magenta/2016-03-14-observation.md"))).toBe(false);
  }, T);
});

describe("the cache is never written through a link", () => {
  for (const place of [".fieldnotes", ".fieldnotes/cache"]) {
    it(`${place} a symbolic link: one warning line, nothing written through it, check still works`, async () => {
      const outside = tempDir("fieldnotes-outside-");
      const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
      if (place !== ".fieldnotes") mkdirSync(join(root, ".fieldnotes"));
      symlinkSync(outside, join(root, place));
      for (let run = 0; run < 2; run++) {
        const r = await runCli(["check", "."], root, BOUND_MS);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^1 note checked: 0 errors/m);
        expect(r.stderr.trim().split("\n")).toEqual([`fieldnotes: warning: '${place}' is a symbolic link; the cache (which holds note text) is not used, so that nothing is written outside the study. Remove the link to use the cache again.`]);
      }
      expect(readdirSync(outside)).toEqual([]);
      // Once the link is gone the cache works again.
      renameSync(join(root, place), join(root, `${place}-old`));
      const r = await runCli(["check", "."], root, BOUND_MS);
      expect(r.stderr).toBe("");
      expect(existsSync(join(root, ".fieldnotes/cache/index"))).toBe(true);
      expect(readdirSync(outside)).toEqual([]);
    }, T);
  }

  it("a FIFO in place of the cache file: check ends, with one warning line, and works without the cache", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    mkdirSync(join(root, ".fieldnotes/cache"), { recursive: true });
    mkfifo(join(root, ".fieldnotes/cache/index"));
    const r = await runCli(["check", "."], root, BOUND_MS);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual(["fieldnotes: warning: '.fieldnotes/cache/index' is not a regular file; the cache is not used. Remove it to use the cache again."]);
  }, T);
});
