// What `new`, `init` and the cache write, over the CLI as a process: whole files or nothing (a full disk,
// a file in the way), never outside the study's real root (symbolic links), nothing read from outside it,
// and an --observer value that cannot inject YAML keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, cleanupTemp, ensureBuilt, makeStudy, runCli, tempDir, type RunResult } from "../fixtures/helpers.js";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

function onePlainLine(r: RunResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trimEnd()).toMatch(pattern);
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, "");
  return out.sort();
}

function frontmatter(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---/.exec(text);
  expect(m, text).not.toBeNull();
  return parse(m![1]);
}

describe("new: the --observer value is data, not YAML", () => {
  it("a newline, a colon, a '#' or a YAML keyword in --observer gives a note whose observer is exactly that string", async () => {
    const root = makeStudy();
    for (const observer of ["X\npractice: Other", "JS # initials", "yes", "a: b", "- one", "[list]", "Jane Smith"]) {
      // --observer=VALUE: a value starting with '-' is otherwise taken for an option.
      const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", `--observer=${observer}`], root);
      expect(r.code, r.stderr).toBe(0);
      const fm = frontmatter(readFileSync(join(root, r.stdout.trim()), "utf8"));
      expect(fm.observer).toBe(observer);
      expect(fm.practice).toBe("Magenta");
    }
  });
});

describe("new: a study template that puts {{observer}} inside other YAML", () => {
  it("takes a plain name there, and refuses a value that would change the YAML (nothing written)", async () => {
    const root = makeStudy();
    mkdirSync(join(root, "templates"));
    writeFileSync(join(root, "templates", "observation.md"), "---\npractice: {{practice}}\ndate: {{date}}\nparticipants: [{{observer}}]\n---\n\nBody by {{observer}}.\n");
    const ok = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14", "--observer", "JS"], root);
    expect(ok.code, ok.stderr).toBe(0);
    expect(frontmatter(readFileSync(join(root, ok.stdout.trim()), "utf8")).participants).toEqual(["JS"]);
    const bad = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-15", "--observer", "a], npt: [x"], root);
    onePlainLine(bad, /^fieldnotes new: the template's frontmatter has \{\{observer\}\} inside other YAML/);
    expect(readdirSync(join(root, "notes", "Magenta"))).toEqual(["2016-03-14-observation.md"]);
  });
});

describe("new and init never write outside the study", () => {
  it("notes/ or notes/<practice> a symbolic link out of the study: refused in one line, nothing written there", async () => {
    for (const link of ["notes", "notes/Magenta"]) {
      const root = makeStudy();
      const outside = tempDir("fieldnotes-outside-");
      if (link !== "notes") mkdirSync(join(root, "notes"));
      symlinkSync(outside, join(root, link));
      const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], root);
      onePlainLine(r, /^fieldnotes new: refusing to write notes\/Magenta\/: it would land outside the study/);
      expect(files(outside)).toEqual([]);
    }
  });

  it("a symbolic link inside the study to another folder of the study is followed", async () => {
    const root = makeStudy();
    mkdirSync(join(root, "notes", "real"), { recursive: true });
    symlinkSync(join(root, "notes", "real"), join(root, "notes", "Magenta"));
    const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(root, "notes", "real"))).toEqual(["2016-03-14-observation.md"]);
  });

  it("a template that is a symbolic link to a file outside the study is not read (nothing copied into a note)", async () => {
    const root = makeStudy();
    const secret = join(tempDir("fieldnotes-outside-"), "hostname");
    writeFileSync(secret, "---\npractice: {{practice}}\n---\nSECRET-OUTSIDE-TEXT\n");
    mkdirSync(join(root, "templates"));
    symlinkSync(secret, join(root, "templates", "observation.md"));
    const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], root);
    onePlainLine(r, /^fieldnotes new: refusing to read templates\/observation\.md: it is a symbolic link .*outside the study/);
    expect(existsSync(join(root, "notes"))).toBe(false);
  });

  it("a template that is a FIFO is not opened for reading (no hang): one line", async () => {
    const root = makeStudy();
    mkdirSync(join(root, "templates"));
    expect(spawnSync("mkfifo", [join(root, "templates", "observation.md")]).status).toBe(0);
    const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], root, 15_000);
    onePlainLine(r, /^fieldnotes new: 'templates\/observation\.md' is a named pipe \(FIFO\), not a regular file, so it was not read\./);
    expect(existsSync(join(root, "notes"))).toBe(false);
  });

  it("init DIR where DIR is a file: one line", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "afile"), "x");
    onePlainLine(await runCli(["init", "afile"], dir), /^fieldnotes init: cannot create a study in afile: it is a file, not a folder\.$/);
  });

  it("init with notes/ a symbolic link out of DIR: refused, and the files already written (codebook.yaml) are removed again", async () => {
    const dir = join(tempDir(), "study");
    const outside = tempDir("fieldnotes-outside-");
    mkdirSync(dir);
    symlinkSync(outside, join(dir, "notes"));
    const r = await runCli(["init", dir]);
    onePlainLine(r, /^fieldnotes init: refusing to write notes\/: it would land outside the study/);
    expect(files(outside)).toEqual([]);
    expect(readdirSync(dir)).toEqual(["notes"]);
  });
});

describe("a failed write leaves nothing behind and says so", () => {
  it("new: a file where the practice folder should be is one line; no note, no temporary file", async () => {
    const root = makeStudy();
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "notes", "Magenta"), "not a folder");
    const r = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], root);
    onePlainLine(r, /^fieldnotes new: cannot create folder notes\/Magenta\/?: a file of that name already exists/);
    expect(files(join(root, "notes"))).toEqual(["Magenta"]);
  });

  it("an empty .fieldnotes/.gitignore (left by an earlier full disk) is written again by the next check", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    mkdirSync(join(root, ".fieldnotes"));
    writeFileSync(join(root, ".fieldnotes", ".gitignore"), "");
    expect((await runCli(["check"], root)).code).toBe(0);
    expect(readFileSync(join(root, ".fieldnotes", ".gitignore"), "utf8").split("\n")).toContain("*");
  });

  // A real full disk: a 64 KB tmpfs (needs root and mount). Otherwise skipped, saying why.
  const mountable = (() => {
    if (process.getuid?.() !== 0) return "not root";
    const probe = tempDir("fieldnotes-tmpfs-probe-");
    const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { encoding: "utf8" });
    if (r.status !== 0) return `mount -t tmpfs failed: ${r.stderr.trim() || r.error}`;
    spawnSync("umount", [probe]);
    return "";
  })();
  const full = mountable ? ` (skipped: ${mountable})` : "";

  describe("on a full disk (tmpfs of 64 KB)", () => {
    let disk = "";
    beforeAll(() => {
      if (mountable) return;
      disk = tempDir("fieldnotes-full-");
      const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    });
    afterAll(() => {
      if (disk) spawnSync("umount", [disk]);
    });

    /** Fills the disk: one file grows until ENOSPC. */
    function fill(): void {
      const r = spawnSync("sh", ["-c", `dd if=/dev/zero of='${join(disk, "filler")}' bs=1k 2>/dev/null; true`]);
      expect(r.status).toBe(0);
      expect(() => writeFileSync(join(disk, "probe"), "x".repeat(8192))).toThrow(/ENOSPC/);
      rmSync(join(disk, "probe"), { force: true });
    }

    it.skipIf(!!mountable)(`new, init, report --out and the cache's .gitignore: exit 2 saying the disk is full; no empty file left${full}`, async () => {
      const study = join(disk, "study");
      mkdirSync(join(study, "notes", "Magenta"), { recursive: true });
      writeFileSync(join(study, "fieldnotes.yaml"), BASIC_CONFIG);
      writeFileSync(join(study, "codebook.yaml"), BASIC_CODEBOOK);
      writeFileSync(join(study, "notes", "Magenta", "a.md"), GOOD_NOTE);
      fill();

      const n = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], study);
      onePlainLine(n, /^fieldnotes new: cannot write .*2016-03-14-observation\.md: the disk is full; nothing was written\.$/);
      expect(files(join(study, "notes"))).toEqual(["Magenta/a.md"]);

      mkdirSync(join(disk, "fresh"));
      const i = await runCli(["init", "fresh"], disk);
      onePlainLine(i, /^fieldnotes init: cannot write .*: the disk is full; nothing was written\.$/);
      expect(files(join(disk, "fresh"))).toEqual([]);

      const rep = await runCli(["report", "--format", "html", "--out", "report.html"], study);
      // The cache could not be written either: that is said in its own warning line (issue 15), before the error.
      const cacheLine = /^fieldnotes: warning: the cache could not be written \(ENOSPC\)/;
      expect(rep.stderr.split("\n")[0]).toMatch(cacheLine);
      onePlainLine({ ...rep, stderr: rep.stderr.split("\n").filter((l) => !cacheLine.test(l)).join("\n") }, /^fieldnotes report: cannot write report\.html: the disk is full; nothing was written\.$/);
      expect(existsSync(join(study, "report.html"))).toBe(false);
      expect(readdirSync(study).filter((f) => f.endsWith(".tmp"))).toEqual([]);

      // check writes its cache; the .gitignore that keeps note text out of git is whole or absent.
      await runCli(["check"], study);
      const ignore = join(study, ".fieldnotes", ".gitignore");
      if (existsSync(ignore)) expect(statSync(ignore).size).toBeGreaterThan(0);
      rmSync(join(disk, "filler"));
      expect((await runCli(["check"], study)).code).toBe(0);
      expect(readFileSync(ignore, "utf8").split("\n")).toContain("*");
      const again = await runCli(["new", "--practice", "Magenta", "--date", "2016-03-14"], study);
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(join(study, again.stdout.trim()), "utf8")).toMatch(/^---\npractice: Magenta\n/);
    });
  });
});
