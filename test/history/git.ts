// Real temporary git repositories for the history, diff, agreement and CI-format suites.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../fixtures/helpers.js";

/** Runs git in `cwd` (no shell), returns stdout. Commits get a fixed author and date. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_DATE: "2020-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2020-01-01T00:00:00Z" },
  });
}

/** A new repository with user.name and user.email set locally and `main` as its first branch. */
export function makeRepo(): string {
  const top = tempDir("fieldnotes-repo-");
  git(top, "init", "-q", "-b", "main");
  git(top, "config", "user.name", "Test Coder");
  git(top, "config", "user.email", "coder@example.org");
  git(top, "config", "commit.gpgsign", "false");
  return top;
}

/** Writes files (relative to `root`); `null` deletes. */
export function writeFiles(root: string, files: Record<string, string | null>): void {
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(root, rel);
    if (text === null) rmSync(abs, { force: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
}

/** Stages everything under `top` and commits; returns the commit id. */
export function commitAll(top: string, message: string): string {
  git(top, "add", "-A");
  git(top, "commit", "-q", "--allow-empty", "-m", message);
  return git(top, "rev-parse", "HEAD").trim();
}
