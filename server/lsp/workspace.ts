// The studies of the workspace: every fieldnotes.yaml under the workspace folders (multi-root; each
// study is independent), and the mapping from a document URI to its study and root-relative path.
// Markdown outside every study maps to nothing, so it gets no diagnostics and no features.
import { readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CONFIG_FILE, Study, findStudyRoot, type OpenOptions } from "../core/index.js";
import { readStudyText } from "../core/studyfile.js";

export type FileKind = "note" | "config" | "codebook";

export interface StudyHandle {
  root: string;
  /** A small number naming the study in this server (completion item data). */
  no: number;
  study: Study;
  /** Resolves when the first full load is done (never rejects: a failed load leaves an empty index). */
  ready: Promise<void>;
  loaded: boolean;
}

export interface Located {
  handle: StudyHandle;
  study: Study;
  rel: string;
  kind: FileKind;
  uri: string;
}

/** What the workspace needs to know about the editor's open documents. */
export interface OpenDocuments {
  /** Text and version of an open document, by URI. */
  get(uri: string): { getText(): string; version: number } | undefined;
}

const MAX_DISCOVERY_DEPTH = 12;

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** Every folder at or under `folder` holding fieldnotes.yaml; node_modules and dot folders are skipped. */
export function discoverStudies(folder: string): string[] {
  const roots: string[] = [];
  const stack: [string, number][] = [[resolve(folder), 0]];
  while (stack.length) {
    const [dir, depth] = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => e.name === CONFIG_FILE && (e.isFile() || e.isSymbolicLink()))) roots.push(dir);
    if (depth >= MAX_DISCOVERY_DEPTH) continue;
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".") || e.name === "node_modules") continue;
      stack.push([join(dir, e.name), depth + 1]);
    }
  }
  return roots.sort();
}

export class Workspace {
  readonly studies = new Map<string, StudyHandle>();
  readonly folders = new Set<string>();
  private nextNo = 0;
  /** Open document URI by absolute path (the client's spelling of the URI wins over ours). */
  private readonly openUris = new Map<string, string>();
  onStudyLoaded?: (handle: StudyHandle) => void;
  onLog?: (message: string) => void;

  constructor(
    readonly documents: OpenDocuments = { get: () => undefined },
    private readonly studyOptions: OpenOptions = {},
  ) {}

  /** Adds a workspace folder and every study under it; returns the new handles (loading in the background). */
  addFolder(folder: string): StudyHandle[] {
    const path = resolve(folder);
    this.folders.add(path);
    return discoverStudies(path).filter((r) => !this.studies.has(r)).map((r) => this.addStudy(r));
  }

  /** Removes a folder and the studies under it; returns the removed handles. */
  removeFolder(folder: string): StudyHandle[] {
    const path = resolve(folder);
    this.folders.delete(path);
    const removed: StudyHandle[] = [];
    for (const h of [...this.studies.values()]) {
      if (isUnder(h.root, path) && ![...this.folders].some((f) => isUnder(h.root, f))) {
        this.studies.delete(h.root);
        removed.push(h);
      }
    }
    return removed;
  }

  addStudy(root: string): StudyHandle {
    const existing = this.studies.get(root);
    if (existing) return existing;
    const study = Study.create(root, this.studyOptions);
    const handle: StudyHandle = { root, no: this.nextNo++, study, loaded: false, ready: Promise.resolve() };
    handle.ready = study.load().then(
      () => {
        handle.loaded = true;
        this.onStudyLoaded?.(handle);
      },
      (err: unknown) => {
        handle.loaded = true;
        this.onLog?.(`[workspace] loading the study at ${root} failed: ${err instanceof Error ? err.name : "error"}`);
      },
    );
    this.studies.set(root, handle);
    return handle;
  }

  removeStudy(root: string): StudyHandle | undefined {
    const h = this.studies.get(root);
    if (h) this.studies.delete(root);
    return h;
  }

  /** The study holding an absolute path: the nearest (deepest) root above it. */
  studyFor(path: string): StudyHandle | undefined {
    let best: StudyHandle | undefined;
    for (const h of this.studies.values()) {
      if (isUnder(path, h.root) && (!best || h.root.length > best.root.length)) best = h;
    }
    return best;
  }

  /**
   * Maps a URI to its study and kind. A file outside the known studies whose folder (or one above it)
   * holds fieldnotes.yaml adds that study when `discover` is set (a file opened outside the folders).
   */
  locate(uri: string, discover = false): Located | undefined {
    const path = uriToPath(uri);
    if (!path) return undefined;
    let handle = this.studyFor(path);
    if (discover) {
      // The nearest study wins, also over a known one further up (a study inside a study, SPEC 1).
      const root = findStudyRoot(path);
      if (root && (!handle || root.length > handle.root.length)) handle = this.addStudy(root);
    }
    if (!handle) return undefined;
    const rel = handle.study.relative(path);
    if (rel === undefined) return undefined;
    const kind = this.kindOf(handle.study, rel);
    if (!kind) return undefined;
    return { handle, study: handle.study, rel, kind, uri };
  }

  kindOf(study: Study, rel: string): FileKind | undefined {
    if (rel === CONFIG_FILE) return "config";
    if (rel === study.codebookPath) return "codebook";
    if (rel.endsWith(".md") || rel.endsWith(".markdown")) return study.isNote(rel) ? "note" : undefined;
    // A folder the core reports (unreadable, or a link it never enters) carries its diagnostics like a note.
    return study.isNote(rel) || study.notes.has(rel) ? "note" : undefined;
  }

  setOpen(uri: string, open: boolean): void {
    const path = uriToPath(uri);
    if (!path) return;
    if (open) this.openUris.set(path, uri);
    else this.openUris.delete(path);
  }

  isOpen(study: Study, rel: string): boolean {
    return this.openUris.has(join(study.root, rel));
  }

  uriOf(study: Study, rel: string): string {
    const abs = join(study.root, rel);
    return this.openUris.get(abs) ?? pathToUri(abs);
  }

  /** The editor's text when open, else the file on disk (undefined when unreadable). */
  textOf(study: Study, rel: string): string | undefined {
    const doc = this.documents.get(this.uriOf(study, rel));
    if (doc) return doc.getText();
    try {
      return readStudyText(study.root, rel, { realRoot: study.realRoot }); // never a link, a pipe or outside the study
    } catch {
      return undefined;
    }
  }

  /** Version of an open document (for versioned workspace edits), else null. */
  versionOf(study: Study, rel: string): number | null {
    return this.documents.get(this.uriOf(study, rel))?.version ?? null;
  }

  byNo(no: number): StudyHandle | undefined {
    for (const h of this.studies.values()) if (h.no === no) return h;
    return undefined;
  }

  handles(): StudyHandle[] {
    return [...this.studies.values()];
  }
}

export function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
