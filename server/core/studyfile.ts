// Reading one file of a study safely: the one door through which the config, the codebook, the notes
// and the study's own templates are read. Field notes are confidential, so nothing outside the study's
// real root is ever read (SPEC section 6: symbolic links are never followed), and a named pipe or a
// device in place of a file must never block or be opened (issue 9, section 7).
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, type Stats } from "node:fs";
import { join, resolve, sep } from "node:path";

/** Why a study file was not read. */
export type StudyFileRefusal = "missing" | "symlink" | "outside" | "not-regular" | "too-long" | "too-large" | "unreadable";

/** A study file that was not read; `message` is one plain sentence naming the file and what to do. */
export class StudyFileError extends Error {
  constructor(
    /** The root-relative path asked for, `/`-separated. */
    readonly rel: string,
    readonly reason: StudyFileRefusal,
    message: string,
    /** The system error code (EACCES, ENAMETOOLONG…), when there was one. */
    readonly code?: string,
    /** The file's size in bytes, for `too-large`. */
    readonly size?: number,
  ) {
    super(message);
  }
}

export interface StudyFile {
  bytes: Buffer;
  size: number;
  mtimeMs: number;
}

export interface ReadOptions {
  /** The study's real root (fs.realpath of the root), when the caller already has it. */
  realRoot?: string;
  /** Larger files are refused with `too-large` before a byte is read. */
  maxBytes?: number;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. O_NOFOLLOW: the
// last component must not be a link. O_NOCTTY: a terminal device never becomes ours. (0 where absent.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0);

/** fs.realpath of a study root (the root itself when it cannot be resolved). */
export function realRootOf(root: string): string {
  try {
    return realpathSync.native(root);
  } catch {
    return resolve(root);
  }
}

/** "a named pipe (FIFO)", "a folder"…: what a non-regular file is, in words. */
export function kindOf(st: Pick<Stats, "isDirectory" | "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice" | "isSymbolicLink">): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/** One sentence for an errno met while reading `rel`. */
export function systemErrorSentence(rel: string, code: string): string {
  if (code === "ENAMETOOLONG") return `The path of '${rel}' is longer than this system allows (ENAMETOOLONG), so it was not read. Shorten the names of its folders or move it up.`;
  if (code === "EACCES" || code === "EPERM") return `'${rel}' cannot be read: permission denied (${code}). Give yourself read permission on it (chmod u+r).`;
  return `'${rel}' cannot be read (${code}).`;
}

/**
 * The first component of `rel` (a folder on the way, or the file itself) that is a symbolic link,
 * as a root-relative path; undefined when there is none (or a component does not exist).
 */
export function linkOnPath(root: string, rel: string): string | undefined {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join("/");
    let st: Stats;
    try {
      st = lstatSync(join(root, sub));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) return sub;
  }
  return undefined;
}

function symlinkError(rel: string, link: string): StudyFileError {
  const where = link === rel ? `'${rel}' is a symbolic link` : `'${rel}' is reached through '${link}', a symbolic link`;
  return new StudyFileError(rel, "symlink", `${where}; fieldnotes never follows links, so nothing outside the study is read. Move or copy the file into the study instead.`);
}

/**
 * Reads `<root>/<rel>` as bytes, or throws a StudyFileError. Refuses (without opening) anything that is
 * not a regular file, any symbolic link on the way (the file or a folder above it, up to the root),
 * and any file whose real path is not under the root's real path. Never blocks: the file is opened
 * with O_NONBLOCK and checked with fstat before a byte is read.
 * `rel` is root-relative with `/` separators; absolute paths and `..` are refused as `outside`.
 */
export function readStudyFile(root: string, rel: string, options: ReadOptions = {}): StudyFile {
  const realRoot = options.realRoot ?? realRootOf(root);
  // On POSIX a backslash or a colon is an ordinary character of a file name, not a separator or a drive.
  const windows = sep === "\\";
  if (!rel || rel.startsWith("/") || (windows && /^[A-Za-z]:/.test(rel)) || rel.split(windows ? /[\\/]/ : "/").some((p) => p === ".." || p === "")) {
    throw new StudyFileError(rel, "outside", `'${rel}' is not a path inside the study.`);
  }
  const abs = join(realRoot, rel);
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (err) {
    throw openError(realRoot, rel, (err as NodeJS.ErrnoException).code ?? "error");
  }
  if (st.isSymbolicLink()) throw symlinkError(rel, rel);
  if (!st.isFile()) throw notRegular(rel, st);
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (err) {
    throw openError(realRoot, rel, (err as NodeJS.ErrnoException).code ?? "error");
  }
  try {
    // Checked again on the open file: it may have been swapped since the lstat.
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notRegular(rel, fst);
    if (options.maxBytes !== undefined && fst.size > options.maxBytes) {
      throw new StudyFileError(rel, "too-large", `'${rel}' is larger than ${options.maxBytes} bytes, so it was not read.`, undefined, fst.size);
    }
    checkRealPath(realRoot, rel, abs, fd);
    return { bytes: readFileSync(fd), size: fst.size, mtimeMs: fst.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** readStudyFile as UTF-8 text without a leading BOM. */
export function readStudyText(root: string, rel: string, options: ReadOptions = {}): string {
  return readStudyFile(root, rel, options).bytes.toString("utf8").replace(/^\uFEFF/, "");
}

function notRegular(rel: string, st: Stats): StudyFileError {
  return new StudyFileError(rel, "not-regular", `'${rel}' is ${kindOf(st)}, not a regular file, so it was not read. Replace it with an ordinary file.`);
}

function openError(realRoot: string, rel: string, code: string): StudyFileError {
  if (code === "ELOOP" || code === "EMLINK") return symlinkError(rel, linkOnPath(realRoot, rel) ?? rel);
  if (code === "ENOENT" || code === "ENOTDIR") {
    // A dangling link on the way reads as "missing": say it is a link.
    const link = linkOnPath(realRoot, rel);
    if (link) return symlinkError(rel, link);
    return new StudyFileError(rel, "missing", `'${rel}' does not exist.`, code);
  }
  if (code === "ENXIO") return new StudyFileError(rel, "not-regular", `'${rel}' is a socket or a device, not a regular file, so it was not read. Replace it with an ordinary file.`, code);
  if (code === "ENAMETOOLONG") return new StudyFileError(rel, "too-long", systemErrorSentence(rel, code), code);
  return new StudyFileError(rel, "unreadable", systemErrorSentence(rel, code), code);
}

/**
 * The open file's real path must be exactly `<realRoot>/<rel>`: anything else means a folder on the way
 * is a link (refused even when it points inside the study: links are never followed) or the file lies
 * outside the study. Linux names the open file in /proc (no race); elsewhere realpath is asked.
 */
function checkRealPath(realRoot: string, rel: string, abs: string, fd: number): void {
  let actual: string;
  try {
    actual = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    try {
      actual = realpathSync.native(abs);
    } catch {
      actual = abs;
    }
  }
  if (actual === abs) return;
  const link = linkOnPath(realRoot, rel);
  if (link) throw symlinkError(rel, link);
  const base = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  // Other differences under the root (letter case on a case-insensitive disk, " (deleted)") are harmless.
  if (!actual.startsWith(base)) {
    throw new StudyFileError(rel, "outside", `'${rel}' lies outside the study, so it was not read. Move or copy the file into the study instead.`);
  }
}
