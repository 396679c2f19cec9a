// Finding the study root and the note files of a study (SPEC sections 1-2). Never follows symbolic
// links: a linked note is reported, not read, so nothing outside the study root is ever read. Nothing
// is left out without a word: a folder that cannot be listed (or is a link), a pipe named like a note,
// a path too long to open, each comes back as an entry with the reason it is skipped.
import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { CONFIG_FILE } from "./config.js";
import { kindOf, systemErrorSentence } from "./studyfile.js";

export interface NoteFile {
  /** Path relative to the study root, `/`-separated. */
  rel: string;
  abs: string;
  symlink: boolean;
  size: number;
  mtimeMs: number;
  /**
   * Set when the entry is not read at all, with the `file-skipped` message: a special file (named pipe,
   * socket, device), a path too long to open, or a folder (then `rel` names the folder) that cannot be
   * listed or is a symbolic link, so the notes in it could not be checked.
   */
  skip?: string;
}

/** The nearest folder at or above `start` (a folder or a file) that holds fieldnotes.yaml. */
export function findStudyRoot(start: string): string | undefined {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface NoteMatcher {
  (rel: string): boolean;
  /** Could this folder (root-relative) hold notes under the globs, i.e. is it not ignored and on a glob's way? */
  folder?: (relDir: string) => boolean;
}

const ALWAYS_IGNORED_DIRS = new Set(["templates", "node_modules"]);

function ignoredSegment(segment: string, isDir: boolean): boolean {
  if (isDir) return segment.startsWith(".") || ALWAYS_IGNORED_DIRS.has(segment);
  return segment === "README.md";
}

/** Does a root-relative path name a note under these globs? (Used for single files: editor, watcher.) */
export function makeNoteMatcher(globs: string[], ignore: string[]): NoteMatcher {
  const include = picomatch(globs.length ? globs : ["**/*.md"], { dot: true });
  const exclude = ignore.length ? picomatch(ignore, { dot: true }) : () => false;
  const matcher: NoteMatcher = (rel: string) => {
    const parts = rel.split("/");
    if (parts.some((p, i) => p === ".." || p === "" || ignoredSegment(p, i < parts.length - 1))) return false;
    return include(rel) && !exclude(rel);
  };
  // The fixed folder each glob starts from ("notes" for notes/**/*.md, "" for **/*.md).
  const bases = (globs.length ? globs : ["**/*.md"]).map((g) => picomatch.scan(g)).filter((s) => !s.negated).map((s) => s.base.replace(/\/+$/, ""));
  const ignoredDir = ignore.length ? picomatch(ignore.map((g) => g.replace(/\/\*\*$/, "")), { dot: true }) : () => false;
  matcher.folder = (relDir: string) => {
    const parts = relDir.split("/");
    if (parts.some((p) => p === ".." || p === "" || ignoredSegment(p, true)) || ignoredDir(relDir)) return false;
    return bases.some((b) => b === "" || relDir === b || relDir.startsWith(b + "/") || b.startsWith(relDir + "/"));
  };
  return matcher;
}

export function toRel(root: string, abs: string): string | undefined {
  const r = resolve(abs);
  const base = root.endsWith(sep) ? root : root + sep;
  if (!r.startsWith(base)) return undefined;
  return r.slice(base.length).split(sep).join("/");
}

/**
 * Every note file of the study, sorted by path (UTF-16 order); folders named like notes are walked, not
 * read. Entries with `skip` set (see NoteFile) stand for what could not be read, so nothing is dropped
 * without a word: a folder that could hold notes but cannot be listed or is a link, a special file or a
 * path too long to open that the globs take.
 * With `others`, the root-relative paths of the files the walk met and did not take are added to it
 * (for file-unmatched: one walk serves both).
 */
export function listNoteFiles(root: string, matches: NoteMatcher, ignore: string[] = [], others?: string[]): NoteFile[] {
  const ignoredDir = ignore.length ? picomatch(ignore.map((g) => g.replace(/\/\*\*$/, "")), { dot: true }) : () => false;
  const mayHoldNotes = matches.folder ?? (() => true);
  const out: NoteFile[] = [];
  const skipped = (rel: string, skip: string) => out.push({ rel, abs: join(root, rel), symlink: false, size: 0, mtimeMs: 0, skip });
  const stack = [""];
  while (stack.length) {
    const relDir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(relDir ? join(root, relDir) : root, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      // Vanished meanwhile: nothing to say. Otherwise the notes in it would vanish without a word.
      if (relDir && code !== "ENOENT" && code !== "ENOTDIR") skipped(relDir, folderSkipMessage(relDir, code));
      continue;
    }
    // A folder with its own fieldnotes.yaml is another study: its notes belong to it alone (SPEC 1).
    if (relDir && entries.some((e) => e.name === CONFIG_FILE && (e.isFile() || e.isSymbolicLink()))) continue;
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!ignoredSegment(e.name, true) && !ignoredDir(rel)) stack.push(rel);
        continue;
      }
      if (!matches(rel)) {
        if (e.isSymbolicLink() && mayHoldNotes(rel) && pointsToFolder(join(root, rel))) skipped(rel, linkedFolderMessage(rel));
        else if (e.isFile() || e.isSymbolicLink()) others?.push(rel);
        continue;
      }
      const abs = join(root, rel);
      try {
        const st = lstatSync(abs);
        const special = st.isFile() || st.isSymbolicLink() ? undefined : `This note is ${kindOf(st)}, not a regular file, so it was not read. Replace it with an ordinary file.`;
        out.push({ rel, abs, symlink: st.isSymbolicLink(), size: st.size, mtimeMs: st.mtimeMs, skip: special });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        if (code !== "ENOENT" && code !== "ENOTDIR") skipped(rel, systemErrorSentence(rel, code)); // else vanished meanwhile
      }
    }
  }
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}

/** The `file-skipped` message for a folder that could not be listed. */
export function folderSkipMessage(relDir: string, code: string): string {
  if (code === "ENAMETOOLONG") return `The folder '${relDir}' has a path longer than this system allows (ENAMETOOLONG), so the notes in it were not checked. Shorten the names of its folders.`;
  if (code === "EACCES" || code === "EPERM") return `The folder '${relDir}' cannot be read: permission denied (${code}), so the notes in it were not checked. Give yourself read permission on it (chmod u+rx).`;
  return `The folder '${relDir}' cannot be read (${code}), so the notes in it were not checked.`;
}

/** The `file-skipped` message for a folder that is a symbolic link. */
export function linkedFolderMessage(relDir: string): string {
  return `The folder '${relDir}' is a symbolic link; fieldnotes never follows links, so the notes in it were not checked. Move the notes into the study instead.`;
}

function pointsToFolder(abs: string): boolean {
  try {
    return statSync(abs).isDirectory(); // the link's target's type only; nothing in it is read
  } catch {
    return false;
  }
}

/** Does this root-relative path lie in a study nested in the study at `root` (a folder between them holding fieldnotes.yaml)? */
export function inNestedStudy(root: string, rel: string): boolean {
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    if (existsSync(join(root, ...parts.slice(0, i), CONFIG_FILE))) return true;
  }
  return false;
}
