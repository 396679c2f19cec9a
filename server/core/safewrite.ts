// How fieldnotes writes a file: whole or not at all, never over another file unless told, never
// outside the study.
//
// Every file the project creates (a new note, a study skeleton, a report written with --out, the
// cache's .gitignore) is written to a temporary file in the same folder, flushed to disk, and only
// then given its name: with link() when the name must be new (link fails with EEXIST instead of
// replacing, so a file created by someone else in the meantime is never clobbered), with rename()
// when replacing is the point (report --out). A full disk, a read-only folder or a folder in the way
// therefore leaves no empty or half-written file behind; the temporary file is removed and the
// caller gets a WriteError whose message is one plain line.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** A write that did not happen (nothing was left behind). `code` is the errno code (EEXIST, ENOSPC…) or OUTSIDE. */
export class WriteError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "WriteError";
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ENOENT: "its folder does not exist",
  EEXIST: "a file of that name already exists",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
  EIO: "an input/output error",
  EFBIG: "the file is too large",
  ENXIO: "no such device or address",
};

/** A plain-words reason for an errno code ("the disk is full"), or the code itself. */
export function reason(code: string | undefined): string {
  return (code && REASONS[code]) || code || "unknown error";
}

function fail(path: string, err: unknown, what = "cannot write"): WriteError {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? "EIO";
  return new WriteError(`${what} ${path}: ${reason(code)}; nothing was written.`, code, path);
}

/** Writes `data` to a fresh temporary file next to `path` and flushes it; returns the temporary file's path. */
function writeTemp(path: string, data: string | Uint8Array): string {
  const tmp = join(dirname(path), `.${basename(path).slice(0, 100)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o666);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(tmp);
    throw err;
  }
  closeSync(fd);
  return tmp;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

// File systems without hard links (vfat, some network mounts) answer link() with one of these.
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"]);

/** Gives the finished temporary file the name `path` if that name is free; false when it is taken. */
function placeNew(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") return false;
    if (!NO_LINKS.has(code)) throw err;
  }
  // No hard links here: reserve the name with an exclusive create (a racing writer then fails), then
  // rename the finished file over our own empty placeholder.
  try {
    closeSync(openSync(path, "wx"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(path);
    throw err;
  }
  return true;
}

/**
 * Writes a new file at the first free name of `paths` (all in one folder; e.g. `a.md`, `a-2.md`, …)
 * and returns that name. Never replaces an existing file, even one created while writing.
 * Throws WriteError: code EEXIST when every name is taken, otherwise the errno code of the failure
 * (ENOSPC, EACCES, ENOENT…); nothing is left on disk then.
 */
export function writeNewFirstFree(paths: Iterable<string>, data: string | Uint8Array): string {
  const list = [...paths];
  if (!list.length) throw new Error("writeNewFirstFree: no path given");
  let tmp: string;
  try {
    tmp = writeTemp(list[0], data);
  } catch (err) {
    throw fail(list[0], err);
  }
  try {
    for (const path of list) {
      let placed: boolean;
      try {
        placed = placeNew(tmp, path);
      } catch (err) {
        throw fail(path, err);
      }
      if (placed) return path;
    }
  } finally {
    removeQuietly(tmp);
  }
  throw new WriteError(`cannot write ${list[0]}: ${reason("EEXIST")}.`, "EEXIST", list[0]);
}

/** Writes a new file at `path`; never replaces one (WriteError EEXIST). See writeNewFirstFree. */
export function writeNew(path: string, data: string | Uint8Array): void {
  writeNewFirstFree([path], data);
}

/**
 * Writes `path` whole (`shown`: the path as the user gave it, for messages), replacing an existing
 * file in one step (rename): readers see the old file or the new one, never a part. A symbolic link
 * to a file is followed (the file it names is replaced; the link stays). A path that is not a regular
 * file (/dev/stdout, a FIFO, a terminal) is written to directly, since renaming over it would replace
 * the device or pipe itself. Throws WriteError (EISDIR when `path` is a folder, ENOSPC, EACCES…); a
 * regular file is then unchanged and no temporary file is left.
 */
export function writeReplacing(path: string, data: string | Uint8Array, shown = path): void {
  let target = path;
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
    if (st && !st.isFile()) {
      writeFileSync(path, data);
      return;
    }
    if (st) target = realpathSync(path);
  } catch (err) {
    throw fail(shown, err);
  }
  let tmp: string;
  try {
    tmp = writeTemp(target, data);
  } catch (err) {
    throw fail(shown, err);
  }
  try {
    renameSync(tmp, target);
  } catch (err) {
    removeQuietly(tmp);
    throw fail(shown, err);
  }
}

/** writeNew, except that an existing file (one written by a racing process) is not an error. */
export function writeNewIfAbsent(path: string, data: string | Uint8Array): void {
  try {
    writeNew(path, data);
  } catch (err) {
    if (!(err instanceof WriteError && err.code === "EEXIST")) throw err;
  }
}

/** The real path of `path`, resolving symbolic links of every part that exists (the rest is appended as is). */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return abs;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/** Whether `path` (resolved through symbolic links) lies inside `root` (resolved too), or is it. */
export function isInside(root: string, path: string): boolean {
  const r = realPathOf(root);
  const rel = relative(r, realPathOf(path));
  return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Refuses (WriteError code OUTSIDE) a write to `path` that would land outside the study's real root,
 * e.g. through `notes/` or `notes/<practice>` being a symbolic link to another folder. `shown` is the
 * path as the user should read it.
 */
export function assertInside(root: string, path: string, shown = path): void {
  if (!isInside(root, path)) {
    throw new WriteError(
      `refusing to write ${shown}: it would land outside the study (${realPathOf(path)}), through a symbolic link.`,
      "OUTSIDE",
      path,
    );
  }
}

/**
 * Creates folder `dir` (and missing parents) only when it lies inside `root` once symbolic links are
 * resolved, and checks again afterwards. Throws WriteError (OUTSIDE, or the errno code).
 */
export function makeDirInside(root: string, dir: string, shown = dir): void {
  assertInside(root, dir, shown);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fail(shown, err, "cannot create folder");
  }
  assertInside(root, dir, shown);
}
