// Running the `git` command (no shell: arguments are passed as they are) and reading many blobs at once.
import { spawn } from "node:child_process";

/** A git problem a user can fix (no repository, unknown revision…): one plain sentence, exit 2 in the CLI. */
export class GitError extends Error {}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `git ARGS` in `cwd` (stdin: `input` when given) and collects its output. Never throws for a
 * non-zero exit (the caller decides); throws GitError when git itself cannot be started.
 */
export function runGit(cwd: string, args: string[], input?: string | Buffer): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    // GIT_OPTIONAL_LOCKS=0: reading never takes the index lock (a running editor or hook is not disturbed).
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" } });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(new GitError(e.code === "ENOENT" ? "git is not installed or not on the PATH; fieldnotes needs it to read revisions." : `git could not be started (${e.code ?? e.message}).`)),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on("error", () => {}); // git may exit before reading all its input
    child.stdin.end(input ?? "");
  });
}

/** Runs git and returns its standard output as text (trailing newline removed); GitError with `message` on failure. */
export async function gitText(cwd: string, args: string[], message: (stderr: string) => string): Promise<string> {
  const r = await runGit(cwd, args);
  if (r.code !== 0) throw new GitError(message(r.stderr.trim()));
  return r.stdout.toString("utf8").replace(/\n$/, "");
}

/**
 * The contents of blobs by object id, through one `git cat-file --batch` (format: `<oid> <type> <size>\n`
 * then the bytes and a newline, per object). Missing objects are left out of the map.
 */
export async function readBlobs(cwd: string, oids: string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  const unique = [...new Set(oids)];
  if (!unique.length) return blobs;
  const r = await runGit(cwd, ["cat-file", "--batch"], unique.join("\n") + "\n");
  if (r.code !== 0) throw new GitError(`git cat-file failed: ${r.stderr.trim()}`);
  const buf = r.stdout;
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    if (nl === -1) break;
    const header = buf.subarray(at, nl).toString("utf8").split(" ");
    at = nl + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    blobs.set(header[0], buf.subarray(at, at + size));
    at += size + 1;
  }
  return blobs;
}
