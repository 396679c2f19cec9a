// A study as it stands at a git revision, as staged in git's index, or in a folder: read through git
// (`ls-tree`/`ls-files` and one `cat-file --batch`) into a temporary folder and opened there as a
// Study, so the working tree and the index are never touched. The working study's facts cache is
// read (never written), so notes that did not change are not parsed again.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { Study, NotAStudyError, type OpenOptions } from "../study.js";
import { CONFIG_FILE } from "../config.js";
import { findStudyRoot } from "../files.js";
import { GitError, gitText, readBlobs, runGit } from "./run.js";

export { GitError };

/** Where a study sits in its repository. */
export interface StudyLocation {
  /** The study folder in the working tree (absolute). */
  dir: string;
  /** The repository's top folder (absolute). */
  top: string;
  /** The study folder relative to the top, `/`-separated, ending in `/`; "" at the top. */
  prefix: string;
}

/** One side of a comparison: which version, and the study opened over it. */
export interface StudyVersion {
  /** As the user named it: a revision, a folder, "(working tree)" or "(staged)". */
  source: string;
  /** The commit a revision resolved to; null for folders, the working tree and the index. */
  commit: string | null;
  study: Study;
  /** The study folder as the user knows it (for showing paths): the working study's folder for revisions. */
  displayRoot: string;
  /** The raw bytes of a study file of this version (root-relative path), or undefined. */
  read(rel: string): Buffer | undefined;
  /** Removes the temporary folder, if any. */
  close(): void;
}

/** The study folder for `start` (the nearest with fieldnotes.yaml, else `start` itself) and its repository. */
export async function locateStudy(start: string): Promise<StudyLocation> {
  const from = resolve(start);
  let dir = findStudyRoot(from);
  if (!dir) {
    // The working tree may lack the study (another branch checked out): take the folder as given.
    if (!existsSync(from) || !statSync(from).isDirectory()) throw new NotAStudyError(start);
    dir = from;
  }
  const top = await gitText(dir, ["rev-parse", "--show-toplevel"], () => `${dir} is not inside a git repository: revisions and staged files need one ('git init').`);
  const prefix = await gitText(dir, ["rev-parse", "--show-prefix"], (e) => `git could not place ${dir} in its repository: ${e}`);
  return { dir, top, prefix };
}

/** The commit id a revision names; GitError with a plain message when it names none. */
export async function resolveRevision(loc: StudyLocation, rev: string): Promise<string> {
  if (!rev || rev.startsWith("-")) throw new GitError(`'${rev}' is not a revision: name a branch, tag or commit.`);
  const r = await runGit(loc.top, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (r.code !== 0) throw new GitError(`Unknown revision '${rev}': no branch, tag or commit of that name in ${loc.top}.`);
  return r.stdout.toString("utf8").trim();
}

interface TreeEntry {
  mode: string;
  oid: string;
  path: string;
}

/** Files fieldnotes reads from a version: notes (Markdown), YAML (config, codebook, registries) and the configured codebook. */
function wanted(path: string, codebook: string): boolean {
  return /\.(md|markdown|ya?ml)$/i.test(path) || path === codebook;
}

interface Blob {
  path: string;
  mode: string;
  bytes: Buffer;
}

/** The blobs of the entries fieldnotes reads (see wanted), through one `git cat-file --batch`. */
async function readWanted(loc: StudyLocation, entries: TreeEntry[]): Promise<Blob[]> {
  const configEntry = entries.find((e) => e.path === CONFIG_FILE);
  let codebook = "codebook.yaml";
  const blobsNeeded: TreeEntry[] = [];
  if (configEntry) {
    const config = (await readBlobs(loc.top, [configEntry.oid])).get(configEntry.oid);
    try {
      const value = parseYaml(config?.toString("utf8") ?? "");
      if (value && typeof value.codebook === "string") codebook = value.codebook;
    } catch {
      // an invalid config is reported by the Study itself
    }
  }
  for (const e of entries) {
    // Never outside the folder: git refuses such paths, this is a second lock on the door.
    if (e.path.split("/").some((p) => p === ".." || p === "" || p === ".git") || e.path.startsWith("/")) continue;
    if (!wanted(e.path, codebook) || e.path.startsWith(".fieldnotes/")) continue;
    if (e.mode === "160000") continue; // a submodule: nothing to read
    blobsNeeded.push(e);
  }
  const blobs = await readBlobs(loc.top, blobsNeeded.map((e) => e.oid));
  const out: Blob[] = [];
  for (const e of blobsNeeded) {
    const bytes = blobs.get(e.oid);
    if (bytes) out.push({ path: e.path, mode: e.mode, bytes });
  }
  return out;
}

/** Writes the blobs under `dir` (symbolic links as links, which Study reports and never follows). */
function materialise(blobs: Blob[], dir: string): void {
  const made = new Set<string>();
  for (const { path, mode, bytes } of blobs) {
    const abs = join(dir, path);
    const parent = dirname(abs);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    if (mode === "120000") symlinkSync(bytes.toString("utf8"), abs);
    else writeFileSync(abs, bytes);
  }
}

/**
 * Where a version's temporary copy goes: TMPDIR when the user set it; else, on Linux, /dev/shm (memory:
 * writing and reading back ten thousand notes there costs a fraction of a disk's file creation, and the
 * notes' text never reaches a disk) when it has room for `bytes` twice over; else the system's tmpdir().
 */
export function scratchBase(bytes: number): string {
  if (process.env.TMPDIR || process.platform !== "linux") return tmpdir();
  try {
    const fs = statfsSync(SHM);
    if (fs.bavail * fs.bsize > bytes * 2 + SHM_SPARE) return SHM;
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}
const SHM = "/dev/shm";
/** Left free in /dev/shm for everything else that uses it (bytes). */
const SHM_SPARE = 64 * 1024 * 1024;

function parseEntries(out: Buffer, withStage: boolean): (TreeEntry & { stage?: string })[] {
  const entries: (TreeEntry & { stage?: string })[] = [];
  for (const record of out.toString("utf8").split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const meta = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    // ls-tree: "<mode> <type> <oid>"; ls-files -s: "<mode> <oid> <stage>".
    if (withStage) entries.push({ mode: meta[0], oid: meta[1], stage: meta[2], path });
    else if (meta[1] === "blob" || meta[1] === "commit") entries.push({ mode: meta[0], oid: meta[2], path });
  }
  return entries;
}

function studyOptions(loc: StudyLocation, options: OpenOptions): OpenOptions {
  // Facts are keyed by content, so the working study's cache serves any version; it is only read.
  return { ...options, cacheRoot: loc.dir, readOnlyCache: true };
}

async function openTemp(loc: StudyLocation, entries: TreeEntry[], what: string, options: OpenOptions): Promise<{ study: Study; dir: string }> {
  if (!entries.some((e) => e.path === CONFIG_FILE)) {
    throw new GitError(`${what} holds no study at ${loc.prefix ? loc.prefix.replace(/\/$/, "") : "the repository's top folder"} (no ${CONFIG_FILE} there).`);
  }
  const blobs = await readWanted(loc, entries);
  const dir = mkdtempSync(join(scratchBase(blobs.reduce((n, b) => n + b.bytes.length, 0)), "fieldnotes-version-"));
  try {
    materialise(blobs, dir);
    const study = await Study.open(dir, studyOptions(loc, options));
    return { study, dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function tempVersion(source: string, commit: string | null, loc: StudyLocation, opened: { study: Study; dir: string }): StudyVersion {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    rmSync(opened.dir, { recursive: true, force: true });
    process.off("exit", close);
  };
  process.on("exit", close);
  return {
    source,
    commit,
    study: opened.study,
    displayRoot: loc.dir,
    read: (rel) => readInside(opened.dir, rel),
    close,
  };
}

function readInside(root: string, rel: string): Buffer | undefined {
  if (rel.split("/").some((p) => p === ".." || p === "")) return undefined;
  try {
    return readFileSync(join(root, rel));
  } catch {
    return undefined;
  }
}

/** The study at git revision `rev` (branch, tag, commit…) of the repository holding `start`. */
export async function openRevision(start: string, rev: string, options: OpenOptions = {}): Promise<StudyVersion> {
  const loc = await locateStudy(start);
  const commit = await resolveRevision(loc, rev);
  const treeish = loc.prefix ? `${commit}:${loc.prefix.replace(/\/$/, "")}` : commit;
  const r = await runGit(loc.top, ["ls-tree", "-r", "-z", "--full-tree", treeish]);
  if (r.code !== 0) throw new GitError(`Revision '${rev}' has no folder ${loc.prefix.replace(/\/$/, "")}: the study is not there.`);
  const opened = await openTemp(loc, parseEntries(r.stdout, false), `Revision '${rev}'`, options);
  return tempVersion(rev, commit, loc, opened);
}

/** The study as staged in git's index (what the next commit holds): notes, config and codebook. */
export async function openStaged(start: string, options: OpenOptions = {}): Promise<StudyVersion> {
  const loc = await locateStudy(start);
  // Run in the study folder with the pathspec ".": paths come relative to it.
  const r = await runGit(loc.dir, ["ls-files", "-s", "-z", "--", "."]);
  if (r.code !== 0) throw new GitError(`git could not list the staged files: ${r.stderr.trim()}`);
  const entries = parseEntries(r.stdout, true);
  const conflicted = entries.find((e) => e.stage !== "0");
  if (conflicted) throw new GitError(`${conflicted.path} has an unresolved merge conflict in the index; resolve it and stage the result first.`);
  const opened = await openTemp(loc, entries, "The index (staged files)", options);
  return tempVersion("(staged)", null, loc, opened);
}

/** The study in a folder (the working tree, or a copy), opened in place. */
export async function openFolder(folder: string, options: OpenOptions = {}, source = folder): Promise<StudyVersion> {
  const study = await Study.open(folder, options);
  return { source, commit: null, study, displayRoot: study.root, read: (rel) => readInside(study.root, rel), close: () => {} };
}

/**
 * A version named on the command line: an existing folder is read as a folder, anything else as a
 * revision of the repository holding `start`.
 */
export async function openVersion(spec: string, start: string, options: OpenOptions = {}): Promise<StudyVersion> {
  const asPath = resolve(spec);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) {
    if (!findStudyRoot(asPath)) throw new GitError(`The folder ${spec} holds no study (no ${CONFIG_FILE} in it or above it).`);
    return openFolder(asPath, options, spec);
  }
  return openRevision(start, spec, options);
}

/** A plain message when a side's configuration is unusable, else undefined. */
export function configProblem(v: StudyVersion): string | undefined {
  if (v.study.config && !v.study.configDiagnostics.length) return undefined;
  const d = v.study.configDiagnostics[0];
  return `the study configuration at ${v.source} is invalid${d ? ` (fieldnotes.yaml:${d.range.start.line + 1}: ${d.message})` : ""}; fix it first.`;
}
