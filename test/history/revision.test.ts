// Reading a study at a git revision, from the index or from a folder (server/core/git/revision.ts),
// through real temporary repositories: the working tree and the index stay as they were.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { openRevision, openStaged, openVersion, GitError, scratchBase } from "../../server/core/git/revision.js";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, cleanupTemp, makeStudy, tempDir } from "../fixtures/helpers.js";
import { commitAll, git, makeRepo, writeFiles } from "./git.js";

afterAll(() => cleanupTemp());

const note = (date: string, body: string) => `---\npractice: Magenta\ndate: ${date}\nnpt: [coherence]\n---\n\n${body}\n`;

describe("a study at a revision", () => {
  it("reads a study in a subfolder at an older commit, leaving the working tree and the index untouched", async () => {
    const top = makeRepo();
    writeFiles(top, {
      "README.md": "# not a note\n",
      "research/study/fieldnotes.yaml": BASIC_CONFIG,
      "research/study/codebook.yaml": BASIC_CODEBOOK,
      "research/study/notes/Magenta/a.md": GOOD_NOTE,
    });
    const first = commitAll(top, "first");
    writeFiles(top, { "research/study/notes/Magenta/b.md": note("2016-04-01", "Second. #gp-buy-in") });
    commitAll(top, "second");
    // Uncommitted and unstaged changes that must survive.
    writeFiles(top, { "research/study/notes/Magenta/c.md": note("2016-05-01", "Draft.") });
    writeFiles(top, { "research/study/notes/Magenta/a.md": note("2016-03-14", "Edited, not staged.") });
    const statusBefore = git(top, "status", "--porcelain");
    const indexBefore = readFileSync(join(top, ".git", "index"));

    const v = await openRevision(join(top, "research", "study", "notes"), first);
    try {
      expect(v.commit).toBe(first);
      expect([...v.study.notes.keys()]).toEqual(["notes/Magenta/a.md"]);
      expect(v.read("notes/Magenta/a.md")!.toString("utf8")).toBe(GOOD_NOTE);
      expect(v.study.summary().practices[0].codes["shared-learning"]).toEqual({ notes: 1, segments: 1 });
    } finally {
      v.close();
    }
    const head = await openRevision(join(top, "research", "study"), "HEAD~0");
    expect([...head.study.notes.keys()].sort()).toEqual(["notes/Magenta/a.md", "notes/Magenta/b.md"]);
    head.close();

    expect(readFileSync(join(top, ".git", "index")).equals(indexBefore)).toBe(true);
    expect(git(top, "status", "--porcelain")).toBe(statusBefore);
    expect(readFileSync(join(top, "research/study/notes/Magenta/a.md"), "utf8")).toContain("Edited, not staged.");
  }, 120_000);

  it("reads the index: staged content, not the working tree's", async () => {
    const top = makeRepo();
    writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": GOOD_NOTE });
    commitAll(top, "first");
    writeFiles(top, { "notes/Magenta/a.md": note("2016-03-14", "Staged text. #gp-buy-in") });
    git(top, "add", "notes/Magenta/a.md");
    writeFiles(top, { "notes/Magenta/a.md": note("2016-03-14", "Unstaged text. #shared-learning") });
    const v = await openStaged(top);
    expect(v.read("notes/Magenta/a.md")!.toString("utf8")).toContain("Staged text.");
    expect(v.study.summary().practices[0].codes).toEqual({ "gp-buy-in": { notes: 1, segments: 1 } });
    v.close();
  }, 120_000);

  it("plain messages: unknown revision, revision without the study, no repository, a folder without a study", async () => {
    const top = makeRepo();
    writeFiles(top, { "other.txt": "x\n" });
    const empty = commitAll(top, "before the study");
    writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": GOOD_NOTE });
    commitAll(top, "study");
    await expect(openRevision(top, "no-such-branch")).rejects.toThrow(new GitError(`Unknown revision 'no-such-branch': no branch, tag or commit of that name in ${git(top, "rev-parse", "--show-toplevel").trim()}.`));
    await expect(openRevision(top, empty)).rejects.toThrow(/holds no study at the repository's top folder \(no fieldnotes\.yaml there\)/);
    await expect(openRevision(top, "--output=x")).rejects.toThrow(/is not a revision/);
    const plain = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE });
    await expect(openRevision(plain, "HEAD")).rejects.toThrow(/is not inside a git repository/);
    await expect(openVersion(tempDir(), top)).rejects.toThrow(/holds no study/);
  }, 120_000);

  it("reuses the working study's facts cache without writing to it", async () => {
    const top = makeRepo();
    writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": GOOD_NOTE });
    const c = commitAll(top, "first");
    const working = await openVersion(top, top);
    expect(working.study.notes.size).toBe(1);
    // Every file of the cache (its index and facts packs), names and bytes.
    const cacheDir = join(top, ".fieldnotes", "cache");
    const snapshot = () => readdirSync(cacheDir).sort().map((f) => [f, readFileSync(join(cacheDir, f), "utf8")]);
    const before = snapshot();
    expect(before.length).toBeGreaterThan(1);
    const v = await openRevision(top, c);
    expect(v.study.notes.get("notes/Magenta/a.md")!.hash).toBe(working.study.notes.get("notes/Magenta/a.md")!.hash);
    v.close();
    expect(snapshot()).toEqual(before);
  }, 120_000);

  it("a version's copy goes to memory (/dev/shm) when it has room, else to the temporary folder, and is removed on close", async () => {
    const saved = process.env.TMPDIR;
    try {
      delete process.env.TMPDIR;
      const linuxShm = process.platform === "linux" && existsSync("/dev/shm");
      expect(scratchBase(1024)).toBe(linuxShm ? "/dev/shm" : tmpdir());
      // More than any /dev/shm holds: the temporary folder, never a full memory disk.
      expect(scratchBase(2 ** 50)).toBe(tmpdir());
      process.env.TMPDIR = tempDir("fieldnotes-tmpdir-");
      expect(scratchBase(1024)).toBe(tmpdir());
      const top = makeRepo();
      writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": GOOD_NOTE });
      const c = commitAll(top, "first");
      const v = await openRevision(top, c);
      expect(readdirSync(process.env.TMPDIR).filter((f) => f.startsWith("fieldnotes-version-"))).toHaveLength(1);
      v.close();
      expect(readdirSync(process.env.TMPDIR).filter((f) => f.startsWith("fieldnotes-version-"))).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  }, 120_000);
});
