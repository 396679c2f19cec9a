// Finding the study root and the note files of a study (SPEC sections 1-2). Never follows symbolic
// links: a linked note is reported, not read, so nothing outside the study root is ever read.
import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { CONFIG_FILE } from "./config.js";

export interface NoteFile {
  /** Path relative to the study root, `/`-separated. */
  rel: string;
  abs: string;
  symlink: boolean;
  size: number;
  mtimeMs: number;
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
  return (rel: string) => {
    const parts = rel.split("/");
    if (parts.some((p, i) => p === ".." || p === "" || ignoredSegment(p, i < parts.length - 1))) return false;
    return include(rel) && !exclude(rel);
  };
}

export function toRel(root: string, abs: string): string | undefined {
  const r = resolve(abs);
  const base = root.endsWith(sep) ? root : root + sep;
  if (!r.startsWith(base)) return undefined;
  return r.slice(base.length).split(sep).join("/");
}

/** Every note file of the study, sorted by path (UTF-16 order); folders named like notes are walked, not read. */
export function listNoteFiles(root: string, matches: NoteMatcher, ignore: string[] = []): NoteFile[] {
  const ignoredDir = ignore.length ? picomatch(ignore.map((g) => g.replace(/\/\*\*$/, "")), { dot: true }) : () => false;
  const out: NoteFile[] = [];
  const stack = [""];
  while (stack.length) {
    const relDir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(relDir ? join(root, relDir) : root, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: nothing in it can be a note we could read
    }
    // A folder with its own fieldnotes.yaml is another study: its notes belong to it alone (SPEC 1).
    if (relDir && entries.some((e) => e.name === CONFIG_FILE && (e.isFile() || e.isSymbolicLink()))) continue;
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!ignoredSegment(e.name, true) && !ignoredDir(rel)) stack.push(rel);
        continue;
      }
      if (!(e.isFile() || e.isSymbolicLink()) || !matches(rel)) continue;
      const abs = join(root, rel);
      try {
        const st = lstatSync(abs);
        out.push({ rel, abs, symlink: st.isSymbolicLink(), size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // vanished between readdir and lstat
      }
    }
  }
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}

/** Does this root-relative path lie in a study nested in the study at `root` (a folder between them holding fieldnotes.yaml)? */
export function inNestedStudy(root: string, rel: string): boolean {
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    if (existsSync(join(root, ...parts.slice(0, i), CONFIG_FILE))) return true;
  }
  return false;
}
