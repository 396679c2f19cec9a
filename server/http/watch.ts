// Keeps a Study's index in step with the files on disk while the server runs.
//
// Node 20's `fs.watch(dir, {recursive: true})` does work on Linux (checked on 20.20: files in folders
// created later are reported), but it is emulated in JavaScript over the whole tree, .git and
// node_modules included. This watches only the study's own folders, non-recursively (one inotify watch
// per folder), skipping the folders fieldnotes always ignores (names starting with ".", node_modules),
// and follows folders appearing or vanishing.
//
// Events are batched for a few milliseconds, then applied in order through one queue:
// - a few note paths            → study.changeFiles(paths) (re-reads just those notes)
// - config/codebook, a folder, an unknown event, or a burst (git checkout) → await study.refresh()
// `settled()` resolves when everything seen so far is in the index; the server awaits it before every
// answer (flushing the batch at once), so a response never lags behind an event already delivered.
// When watching is impossible (e.g. inotify watch limit reached) it falls back to a cheap poll.
import { watch, readdirSync, lstatSync, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Study } from "../core/study.js";
import { CONFIG_FILE } from "../core/config.js";

export interface WatchOptions {
  /** Batching delay in ms (default 5). */
  debounceMs?: number;
  /** More pending paths than this in one batch → refresh() instead of changeFiles() (default 200). */
  bulkThreshold?: number;
  /** Poll interval when fs.watch is unavailable (default 1000 ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

const SKIP_DIRS = new Set(["node_modules"]);

export class StudyWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private pending = new Set<string>();
  private needRefresh = false;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  /** Batches applied so far (for tests and the benchmark). */
  updates = 0;
  private readonly debounceMs: number;
  private readonly bulkThreshold: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly study: Study,
    private readonly options: WatchOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 5;
    this.bulkThreshold = options.bulkThreshold ?? 200;
    this.log = options.log ?? (() => {});
  }

  start(): this {
    this.watchTree("");
    return this;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Number of folders watched. */
  get folders(): number {
    return this.watchers.size;
  }

  /** Resolves once every change delivered so far has been applied to the index. */
  settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueue();
    }
    return this.queue;
  }

  /** Marks everything as possibly changed (used by the poll fallback, and on demand). */
  requestRefresh(): void {
    this.needRefresh = true;
    this.schedule();
  }

  private watchTree(relDir: string): void {
    if (this.closed || this.watchers.has(relDir)) return;
    const abs = relDir ? join(this.study.root, relDir) : this.study.root;
    // fs.watch follows links: a folder that is (or just became) a link is never watched, so no event
    // from outside the study arrives as one of ours.
    if (relDir && !isRealFolder(abs)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(abs, { persistent: false }, (_event, filename) => this.onEvent(relDir, filename ?? null));
    } catch (err) {
      this.fallBackToPolling((err as NodeJS.ErrnoException).code ?? "error");
      return;
    }
    watcher.on("error", () => {
      // The folder went away (or the watch broke): forget it and look again.
      this.unwatch(relDir);
      this.requestRefresh();
    });
    this.watchers.set(relDir, watcher);
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !skipDir(e.name)) this.watchTree(relDir ? `${relDir}/${e.name}` : e.name);
    }
  }

  private unwatch(relDir: string): void {
    for (const [dir, w] of this.watchers) {
      if (dir === relDir || (relDir === "" ? true : dir.startsWith(relDir + "/"))) {
        w.close();
        this.watchers.delete(dir);
      }
    }
  }

  private fallBackToPolling(reason: string): void {
    if (this.poller || this.closed) return;
    const ms = this.options.pollMs ?? 1000;
    this.log(`fieldnotes: cannot watch the study folders (${reason}); checking for changes every ${ms} ms instead.`);
    this.poller = setInterval(() => this.requestRefresh(), ms);
    this.poller.unref();
  }

  private onEvent(relDir: string, filename: string | Buffer | null): void {
    if (this.closed) return;
    if (filename === null) {
      this.needRefresh = true;
      return this.schedule();
    }
    const name = String(filename);
    const rel = relDir ? `${relDir}/${name}` : name;
    const top = name.split("/")[0];
    if (skipDir(top)) return;
    let st;
    try {
      st = lstatSync(join(this.study.root, rel));
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      // A new folder (mkdir, mv, git checkout): watch it and whatever is already inside, then re-list.
      // A known folder whose permissions changed may have become unreadable (or readable): re-list too.
      if (!this.watchers.has(rel)) this.watchTree(rel);
      this.needRefresh = true;
    } else if (this.watchers.has(rel)) {
      // A watched folder is gone, or was replaced by a link or a file: its watch (which follows the
      // moved folder's inode, wherever it now is) must go, and the study is re-listed.
      this.unwatch(rel);
      this.needRefresh = true;
    } else if (st?.isSymbolicLink() && !this.study.isNote(rel)) {
      // A link appearing where a folder could be (a folder swapped for a link, in two events whose
      // first may already have been applied): re-list, so the linked folder is reported.
      this.needRefresh = true;
    } else if (rel === CONFIG_FILE || rel === this.study.codebookPath) {
      this.needRefresh = true; // may change the note globs: re-list everything
    } else if (this.study.isNote(rel)) {
      this.pending.add(rel);
    } else {
      return; // not a note, not config: nothing to do
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueue();
    }, this.debounceMs);
  }

  private enqueue(): void {
    this.queue = this.queue.then(() => this.apply());
  }

  private async apply(): Promise<void> {
    const paths = [...this.pending];
    const refresh = this.needRefresh || paths.length > this.bulkThreshold;
    this.pending = new Set();
    this.needRefresh = false;
    if (!refresh && !paths.length) return;
    try {
      if (refresh) await this.study.refresh();
      else this.study.changeFiles(paths);
      this.updates++;
    } catch (err) {
      this.log(`fieldnotes: updating the index failed: ${(err as Error).message}`);
    }
  }
}

function isRealFolder(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory();
  } catch {
    return false;
  }
}

function skipDir(name: string): boolean {
  return name.startsWith(".") || SKIP_DIRS.has(name);
}

