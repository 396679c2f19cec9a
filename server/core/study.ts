// The workspace index of one study: config, codebook and compact facts per note. Parse once, index
// once; the CLI, the HTTP server and the language server are views on this object.
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { Codebook, Diagnostic, DiagnosticsReport, FileDiagnostics, NoteFacts, Practice, PracticeDetail, PracticeSummary, StudyConfig, Summary } from "./types.js";
import { CONFIG_FILE, loadConfig, missingCodebookDiagnostic, parseConfig, type ConfigResult } from "./config.js";
import { emptyCodebook, parseCodebook } from "./codebook.js";
import { FACTS_VERSION, fatalFacts, parseNoteBytes, tooLargeFacts, type ChunkCache } from "./note.js";
import { MAX_FILE_BYTES, ZERO_RANGE } from "./text.js";
import { parseUnsavedText } from "./unsaved.js";
import { unmatchedDiagnostics, unmatchedMarkdown } from "./unmatched.js";
import { inNestedStudy, listNoteFiles, makeNoteMatcher, toRel, findStudyRoot, linkedFolderMessage, type NoteMatcher, type NoteFile } from "./files.js";
import { linkOnPath, readStudyFile, readStudyText, realRootOf, systemErrorSentence, StudyFileError } from "./studyfile.js";
import { cacheRefusal } from "./cachepath.js";
import { FactsCache, contentHash, deserializeFacts, type Verdict } from "./cache.js";
import { ParsePool } from "./pool.js";
import { practiceFolderMismatch } from "./folders.js";
import { localToday, makeContext, readNote, sortDiagnostics, verdictOf, type NoteReading, type ValidationContext } from "./validate.js";
import { buildSummary, buildPracticeDetail, summarisePractice, type PracticeSummariser } from "./summary.js";

/** One note in the index. Facts are decoded lazily: a warm check needs only the cached verdict. */
export class NoteRecord {
  diagnostics: Diagnostic[] = [];
  excluded = false;
  /** Distinct error rules, sorted: why the note is excluded. */
  errorRules: string[] = [];
  /** True while the editor holds unsaved text for this note. */
  overlay?: boolean;
  private loaded?: NoteFacts;
  private cachedReading?: NoteReading | null;

  constructor(
    readonly file: string,
    public hash: string,
    private source: NoteFacts | (() => NoteFacts),
    public size: number,
    public mtimeMs: number,
  ) {}

  get facts(): NoteFacts {
    if (!this.loaded) {
      this.loaded = typeof this.source === "function" ? this.source() : this.source;
      this.source = this.loaded;
    }
    return this.loaded;
  }

  /** The typed fields the summary uses; undefined for excluded notes. */
  get reading(): NoteReading | undefined {
    if (this.excluded) return undefined;
    if (this.cachedReading === undefined) this.cachedReading = readNote(this.facts) ?? null;
    return this.cachedReading ?? undefined;
  }

  /** Called after re-validation. */
  resetReading(): void {
    this.cachedReading = undefined;
  }
}

export interface OpenOptions {
  /** Use the facts cache in <root>/.fieldnotes/cache (default true). */
  cache?: boolean;
  /** Worker threads for a cold parse (default: available cores). */
  workers?: number;
  /** Override "today" (YYYY-MM-DD) for date-future; tests pin it. */
  today?: string;
  /** Read the facts cache of this folder instead of the study's own (a version of the study in a temp folder). */
  cacheRoot?: string;
  /** Never write the cache (with cacheRoot: another study's cache is only read). */
  readOnlyCache?: boolean;
}

export class NotAStudyError extends Error {
  constructor(readonly start: string) {
    super(`No fieldnotes.yaml found in ${start} or any folder above it: this is not a fieldnotes study. Run 'fieldnotes init' to create one.`);
  }
}

export class Study {
  readonly notes = new Map<string, NoteRecord>();
  configResult: ConfigResult = { diagnostics: [] };
  codebook: Codebook = emptyCodebook();
  codebookDiagnostics: Diagnostic[] = [];
  /** Bumped on every change; views use it for ETags and memoisation. */
  version = 0;
  private matcher: NoteMatcher = makeNoteMatcher(["**/*.md"], []);
  private context?: ValidationContext;
  /** Hash of the validation context (config, codebook, today): keys the cached verdicts. */
  private contextKey = "";
  private today = "";
  private cache: FactsCache;
  private summaryMemo?: { version: number; summary: Summary };
  private chunkCaches = new Map<string, ChunkCache>();
  private practiceMemo = new Map<string, { key: string; practice: Practice; notes: NoteRecord[]; summary: PracticeSummary }>();

  /** fs.realpath of the root, taken once: every file read must lie under it (see studyfile.ts). */
  readonly realRoot: string;
  /** Lines said once, for the user: e.g. why the cache is off. */
  private readonly notices: string[] = [];

  private constructor(readonly root: string, private readonly options: OpenOptions) {
    this.realRoot = realRootOf(root);
    const cacheRoot = options.cacheRoot ?? root;
    const refusal = options.cache !== false ? cacheRefusal(cacheRoot) : undefined;
    if (refusal) this.notices.push(refusal);
    this.cache = new FactsCache(cacheRoot, options.cache !== false && !refusal, options.readOnlyCache);
  }

  /**
   * One line each, for the user (the CLI prints them on standard error): why the cache is off, or
   * could not be read or written. Never note text.
   */
  get warnings(): string[] {
    return [...this.notices, ...this.cache.problems];
  }

  /** Opens the study whose root is at or above `start` and indexes every note. */
  static async open(start: string, options: OpenOptions = {}): Promise<Study> {
    const root = findStudyRoot(start);
    if (!root) throw new NotAStudyError(start);
    const study = new Study(root, options);
    await study.load();
    return study;
  }

  /** Opens a study at exactly `root` without indexing (the language server loads it in the background). */
  static create(root: string, options: OpenOptions = {}): Study {
    return new Study(root, options);
  }

  get config(): StudyConfig | undefined {
    return this.configResult.config;
  }

  get codebookPath(): string {
    return this.config?.codebook ?? this.configResult.codebookPath ?? "codebook.yaml";
  }

  /** Config problems, including a missing codebook: when any exist the CLI stops with exit 2. */
  get configDiagnostics(): Diagnostic[] {
    return this.configResult.diagnostics;
  }

  /** Markdown files under the root that neither `notes` nor `ignore` takes (root-relative, sorted). */
  unmatched: string[] = [];

  /** Everything reported on fieldnotes.yaml: its problems, then one file-unmatched per unmatched file. */
  get configFileDiagnostics(): Diagnostic[] {
    if (!this.unmatched.length || !this.config) return this.configDiagnostics;
    return [...this.configDiagnostics, ...unmatchedDiagnostics(this.unmatched, this.configResult.notesKeyRange ?? ZERO_RANGE)];
  }

  /** A watcher event for a path that is not a note: keeps `unmatched` current; true when it changed. */
  private noteUnmatched(rel: string): boolean {
    let present = false;
    try {
      const st = lstatSync(join(this.root, rel));
      present = (st.isFile() || st.isSymbolicLink()) && unmatchedMarkdown([rel], this.config?.ignore ?? [], this.root).length > 0;
    } catch {
      present = false;
    }
    const had = this.unmatched.includes(rel);
    if (present === had) return false;
    this.unmatched = present ? [...this.unmatched, rel].sort() : this.unmatched.filter((f) => f !== rel);
    return true;
  }

  isNote(rel: string): boolean {
    return this.matcher(rel);
  }

  relative(abs: string): string | undefined {
    return toRel(this.root, abs);
  }

  /** Full load: config, codebook, then every note (cache first, the rest in worker threads). */
  async load(): Promise<void> {
    this.readConfigAndCodebook();
    const startedAt = Date.now();
    const others: string[] = [];
    const files = listNoteFiles(this.root, this.matcher, this.config?.ignore ?? [], others);
    this.unmatched = unmatchedMarkdown(others, this.config?.ignore ?? [], this.root);
    const records = await this.readFiles(files);
    // Keep editor overlays: unsaved text wins over the disk.
    const overlays = [...this.notes.values()].filter((r) => r.overlay);
    this.notes.clear();
    for (const r of records) if (r) this.notes.set(r.file, r);
    for (const r of overlays) this.notes.set(r.file, r);
    this.saveCache(startedAt);
    this.version++;
  }

  /**
   * Records for these files, in order: from the cache when the content (or the size and mtime) is known,
   * else parsed in worker threads. A file whose content equals its current record's gets that record back.
   */
  private async readFiles(files: NoteFile[]): Promise<NoteRecord[]> {
    const records: NoteRecord[] = new Array(files.length);
    const workerContext = this.config && this.contextKey ? { config: this.config, codebook: this.codebook, today: this.today } : undefined;
    const pool = new ParsePool(files.length, this.options.workers, workerContext);
    const parsing: Promise<void>[] = [];
    let uncached = 0;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const prepared = this.prepare(f);
        if ("record" in prepared) {
          records[i] = prepared.record;
          continue;
        }
        const { bytes, hash } = prepared;
        const room = pool.room();
        if (room) await room;
        parsing.push(
          // How many more may need parsing, from the share of uncached notes so far.
          pool.submit(bytes, Math.round((++uncached / (i + 1)) * (files.length - i))).then((result) => {
            if ("facts" in result) {
              this.cache.set(hash, result.facts);
              records[i] = this.record(f.rel, hash, result.facts, f.size, f.mtimeMs);
              return;
            }
            const json = result.json;
            // A huge note's facts are not cached, as when parsed here (cache.ts writePack).
            if (result.huge) this.cache.setUncached(hash);
            else this.cache.setSerialized(hash, json);
            // Decoded only when a view needs the facts; the verdict came from the worker.
            const facts = this.cache.enabled && !result.huge ? () => this.cache.get(hash) ?? deserializeFacts(json) : () => deserializeFacts(json);
            records[i] = this.record(f.rel, hash, facts, f.size, f.mtimeMs, result.verdict);
          }),
        );
      }
      await Promise.all(parsing);
    } finally {
      await pool.close();
    }
    return records;
  }

  private saveCache(readAt: number): void {
    this.cache.save([...this.notes.values()].filter((r) => r.hash && !r.overlay), readAt);
  }

  /**
   * Re-reads what changed on disk since the last look: notes by size and mtime (then content hash),
   * and the config and codebook. Returns the root-relative paths whose diagnostics may have changed.
   */
  async refresh(): Promise<string[]> {
    const startedAt = Date.now();
    const configChanged = this.readConfigAndCodebookIfChanged();
    const others: string[] = [];
    const files = listNoteFiles(this.root, this.matcher, this.config?.ignore ?? [], others);
    const unmatched = unmatchedMarkdown(others, this.config?.ignore ?? [], this.root);
    const changed: string[] = [];
    if (!sameItems(unmatched, this.unmatched)) {
      this.unmatched = unmatched;
      changed.push(CONFIG_FILE);
    }
    const present = new Set<string>();
    const candidates: NoteFile[] = [];
    for (const f of files) {
      present.add(f.rel);
      const old = this.notes.get(f.rel);
      if (old?.overlay) continue;
      if (old && old.size === f.size && old.mtimeMs === f.mtimeMs) continue;
      candidates.push(f);
    }
    // Many changed files at once (a git checkout) are parsed in worker threads like a cold load.
    const records = await this.readFiles(candidates);
    for (const r of records) {
      if (this.notes.get(r.file) === r) continue; // same content, new mtime
      this.notes.set(r.file, r);
      changed.push(r.file);
    }
    for (const rel of [...this.notes.keys()]) {
      if (!present.has(rel) && !this.notes.get(rel)!.overlay) {
        this.notes.delete(rel);
        changed.push(rel);
      }
    }
    if (configChanged) {
      this.revalidateAll();
      changed.push(...this.notes.keys());
    }
    if (changed.length || configChanged) {
      this.version++;
      this.saveCache(startedAt);
    }
    return [...new Set(changed)];
  }

  /**
   * Applies changes to specific files (from a watcher): a note re-read or removed, or the config or
   * codebook reloaded (which re-validates every note). Returns the paths whose diagnostics may have changed.
   */
  changeFiles(paths: string[]): string[] {
    const changed = new Set<string>();
    let configTouched = false;
    for (const p of paths) {
      const rel = p.startsWith("/") ? this.relative(p) : p;
      if (rel === undefined) continue;
      if (rel === CONFIG_FILE || rel === this.codebookPath) {
        configTouched = true;
        continue;
      }
      const existing = this.notes.get(rel);
      if (!this.isNote(rel) || inNestedStudy(this.root, rel)) {
        // Not (or no longer) this study's: a note of a study nested in it is that study's alone.
        if (existing && !existing.overlay && this.notes.delete(rel)) changed.add(rel);
        if (!this.isNote(rel) && this.noteUnmatched(rel)) changed.add(CONFIG_FILE);
        continue;
      }
      const abs = join(this.root, rel);
      if (existing?.overlay) continue;
      // A path under a linked folder is not a note of the study (the listing never enters links): the
      // folder is reported instead, and nothing behind it is read.
      const link = linkOnPath(this.root, rel);
      if (link && link !== rel) {
        if (this.notes.delete(rel)) changed.add(rel);
        if (this.matcher.folder?.(link) !== false && !this.notes.get(link)?.diagnostics.length) {
          this.notes.set(link, this.record(link, "", fatalFacts("file-skipped", linkedFolderMessage(link)), 0, 0));
          changed.add(link);
        }
        continue;
      }
      let f: NoteFile | undefined;
      try {
        const st = lstatSync(abs);
        if (!st.isDirectory()) f = { rel, abs, symlink: st.isSymbolicLink(), size: st.size, mtimeMs: st.mtimeMs };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "error";
        if (code !== "ENOENT" && code !== "ENOTDIR") f = { rel, abs, symlink: false, size: 0, mtimeMs: 0, skip: systemErrorSentence(rel, code) };
      }
      if (!f) {
        if (this.notes.delete(rel)) changed.add(rel);
      } else if (this.readNoteFromDisk(f)) changed.add(rel);
      // The version replaced (or removed) leaves memory unless another note has the same content.
      if (existing?.hash && this.notes.get(rel)?.hash !== existing.hash && ![...this.notes.values()].some((r) => r.hash === existing.hash)) {
        this.cache.forget(existing.hash);
      }
    }
    if (configTouched && this.readConfigAndCodebookIfChanged()) {
      // The globs may have changed too: a full refresh is needed for the note list.
      this.revalidateAll();
      for (const k of this.notes.keys()) changed.add(k);
    }
    if (changed.size || configTouched) this.version++;
    return [...changed];
  }

  /** The editor's unsaved text for a note (language server). */
  setNoteText(rel: string, text: string): NoteRecord {
    // Each open note keeps its parsed body chunks: a keystroke re-parses only the chunk it changed.
    let chunks = this.chunkCaches.get(rel);
    if (!chunks) this.chunkCaches.set(rel, (chunks = new Map()));
    const facts = parseUnsavedText(text.replace(/^\uFEFF/, ""), chunks);
    const record = this.record(rel, "", facts, text.length, 0);
    record.overlay = true;
    this.notes.set(rel, record);
    this.version++;
    return record;
  }

  /** The editor closed a note: its overlay goes, and the disk's text (or none, if the file is gone) counts again. */
  closeNoteText(rel: string): void {
    this.chunkCaches.delete(rel);
    const r = this.notes.get(rel);
    if (!r?.overlay) return;
    this.notes.delete(rel);
    this.changeFiles([rel]);
    this.version++;
  }

  /** The editor's unsaved text for fieldnotes.yaml or the codebook: everything is re-validated. */
  setConfigText(text: string): void {
    this.applyConfig(parseConfig(text.replace(/^\uFEFF/, "")));
    this.readCodebook();
    this.revalidateAll();
    this.version++;
  }

  setCodebookText(text: string): void {
    this.applyCodebook(parseCodebook(text.replace(/^\uFEFF/, "")));
    this.revalidateAll();
    this.version++;
  }

  /**
   * Reads fieldnotes.yaml and the codebook from disk again, whatever their stamps say, and re-validates
   * (the language server calls it when an editor overlay of either file is closed).
   */
  reloadConfig(): void {
    this.readConfigAndCodebook();
    this.revalidateAll();
    this.version++;
  }

  private lastConfigStamp = "";

  private stamp(file: string): string {
    try {
      const st = lstatSync(join(this.root, file));
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return "missing";
    }
  }

  private readConfigAndCodebookIfChanged(): boolean {
    const s = `${this.stamp(CONFIG_FILE)}|${this.stamp(this.codebookPath)}`;
    if (s === this.lastConfigStamp) return false;
    this.readConfigAndCodebook();
    return true;
  }

  private readConfigAndCodebook(): void {
    this.applyConfig(loadConfig(this.root, this.realRoot));
    this.readCodebook();
    this.lastConfigStamp = `${this.stamp(CONFIG_FILE)}|${this.stamp(this.codebookPath)}`;
  }

  private applyConfig(result: ConfigResult): void {
    this.configResult = result;
    const c = result.config;
    this.matcher = makeNoteMatcher(c?.notes ?? ["**/*.md"], c?.ignore ?? []);
  }

  private readCodebook(): void {
    const path = this.codebookPath;
    let text: string | undefined;
    let refused: StudyFileError | undefined;
    try {
      // Never a link, a pipe or a file outside the study (a codebook through a linked folder included).
      text = readStudyText(this.root, path, { realRoot: this.realRoot });
    } catch (err) {
      if (!(err instanceof StudyFileError)) throw err;
      if (err.reason !== "missing") refused = err;
    }
    if (text === undefined) {
      this.codebook = emptyCodebook();
      this.codebookDiagnostics = [];
      // Always called right after applyConfig, so the config's diagnostics are fresh here.
      this.configResult = {
        ...this.configResult,
        config: undefined,
        diagnostics: [...this.configResult.diagnostics, missingCodebookDiagnostic(path, this.configResult.codebookKeyRange, refused?.message)],
      };
      this.context = undefined;
      this.contextKey = "";
      return;
    }
    this.applyCodebook(parseCodebook(text));
  }

  private applyCodebook(result: { codebook: Codebook; diagnostics: Diagnostic[] }): void {
    this.codebook = result.codebook;
    this.codebookDiagnostics = result.diagnostics;
    const today = (this.today = this.options.today ?? localToday());
    this.context = this.config ? makeContext(this.config, this.codebook, today) : undefined;
    // Everything a verdict depends on besides the note itself.
    this.contextKey = this.config ? contentHash(JSON.stringify([FACTS_VERSION, today, this.config, [...this.codebook.codes.values()]])) : "";
  }

  /**
   * What is known of a file before parsing: its record (linked, too large, unchanged by stamp or by
   * content, or cached), or its bytes and hash to parse, or why it could not be read.
   */
  private prepare(f: NoteFile, fresh = false): { record: NoteRecord } | { bytes: Uint8Array; hash: string } {
    if (f.skip) return { record: this.record(f.rel, "", fatalFacts("file-skipped", f.skip), f.size, f.mtimeMs) };
    if (f.symlink) return { record: this.record(f.rel, "", symlinkFacts(), 0, f.mtimeMs) };
    if (f.size > MAX_FILE_BYTES) return { record: this.record(f.rel, "", tooLargeFacts(f.size), f.size, f.mtimeMs) };
    // Unchanged since the cache was written (same size and mtime): no need to read the file. Not when a
    // watcher says it changed: a chmod changes neither, and an unreadable note must say so.
    const known = fresh ? undefined : this.cache.stamped(f.rel, f.size, f.mtimeMs);
    if (known && this.cache.has(known)) {
      return { record: this.cachedRecord(f, known) };
    }
    let bytes: Uint8Array;
    try {
      bytes = readStudyFile(this.root, f.rel, { realRoot: this.realRoot, maxBytes: MAX_FILE_BYTES }).bytes;
    } catch (err) {
      if (!(err instanceof StudyFileError)) throw err;
      return { record: this.record(f.rel, "", refusedFacts(err), f.size, f.mtimeMs) };
    }
    const hash = contentHash(bytes);
    const current = this.notes.get(f.rel);
    if (current && !current.overlay && current.hash === hash) {
      current.size = f.size;
      current.mtimeMs = f.mtimeMs;
      return { record: current };
    }
    // Known content under another name or stamp (a git version's copy, a moved note): its facts are
    // decoded only if a view needs them; the verdict may be cached too.
    if (this.cache.has(hash)) {
      return { record: this.cachedRecord(f, hash) };
    }
    return { bytes, hash };
  }

  /** A record whose facts are in the cache under `hash`: decoded only if a view needs them (a damaged record: the file is parsed again). */
  private cachedRecord(f: NoteFile, hash: string): NoteRecord {
    return this.record(f.rel, hash, () => this.cache.get(hash) ?? this.readAndParse(f.rel), f.size, f.mtimeMs);
  }

  /** Re-reads one note (watcher path, parsed in this thread); true when its record changed. */
  private readNoteFromDisk(f: NoteFile): boolean {
    const prepared = this.prepare(f, true);
    let record: NoteRecord;
    if ("record" in prepared) {
      if (prepared.record === this.notes.get(f.rel)) return false;
      record = prepared.record;
    } else {
      const facts = parseNoteBytes(prepared.bytes);
      this.cache.set(prepared.hash, facts);
      record = this.record(f.rel, prepared.hash, facts, f.size, f.mtimeMs);
    }
    this.notes.set(f.rel, record);
    return true;
  }

  /** A stamped note whose cached facts went missing: read again (safely), or say why not. */
  private readAndParse(rel: string): NoteFacts {
    try {
      return parseNoteBytes(readStudyFile(this.root, rel, { realRoot: this.realRoot, maxBytes: MAX_FILE_BYTES }).bytes);
    } catch (err) {
      if (!(err instanceof StudyFileError)) throw err;
      return refusedFacts(err);
    }
  }

  private record(file: string, hash: string, facts: NoteFacts | (() => NoteFacts), size: number, mtimeMs: number, verdict?: Verdict): NoteRecord {
    const r = new NoteRecord(file, hash, facts, size, mtimeMs);
    this.validate(r, verdict);
    return r;
  }

  /** Applies a verdict: given (from a worker), cached for this context, or computed from the facts. */
  private validate(r: NoteRecord, given?: Verdict): void {
    const cached = !given && r.hash && this.contextKey ? this.cache.verdict(r.hash, this.contextKey) : undefined;
    const verdict = given ?? cached ?? verdictOf(r.facts, this.context);
    if (!cached && r.hash && this.contextKey) this.cache.setVerdict(r.hash, this.contextKey, verdict);
    const misplaced = verdict.practice && this.context ? practiceFolderMismatch(r.file, verdict.practice, this.context.practiceIds) : undefined;
    r.diagnostics = misplaced ? sortDiagnostics([...verdict.diagnostics, misplaced]) : verdict.diagnostics;
    r.errorRules = verdict.errorRules;
    r.excluded = r.errorRules.length > 0;
    r.resetReading();
  }

  private revalidateAll(): void {
    for (const r of this.notes.values()) this.validate(r);
  }

  /** Diagnostics per file (config, codebook, notes), files without diagnostics omitted, sorted by path. */
  fileDiagnostics(): FileDiagnostics[] {
    const files: FileDiagnostics[] = [];
    const config = this.configFileDiagnostics;
    if (config.length) files.push({ file: CONFIG_FILE, diagnostics: config });
    if (this.codebookDiagnostics.length) files.push({ file: this.codebookPath, diagnostics: this.codebookDiagnostics });
    const notes = [...this.notes.values()].filter((r) => r.diagnostics.length).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const r of notes) files.push({ file: r.file, diagnostics: r.diagnostics });
    return files;
  }

  diagnosticsReport(): DiagnosticsReport {
    const files = this.fileDiagnostics();
    const counts = { error: 0, warning: 0, information: 0 };
    for (const f of files) for (const d of f.diagnostics) counts[d.severity]++;
    return { files, counts };
  }

  /** The Summary of SPEC section 9 (memoised per index version; `generatedAt` is the time of the call). */
  summary(now = new Date()): Summary {
    if (!this.config) throw new Error("The study configuration is invalid; fix fieldnotes.yaml first.");
    if (!this.summaryMemo || this.summaryMemo.version !== this.version) {
      // Practices whose notes (and context) are unchanged keep their summary: one saved note
      // recomputes one practice, not the study.
      const key = this.contextKey;
      const summarise: PracticeSummariser = (practice, notes, config, codebook) => {
        const memo = this.practiceMemo.get(practice.id);
        if (memo && memo.key === key && memo.practice === practice && sameItems(memo.notes, notes)) return memo.summary;
        const summary = summarisePractice(practice, notes, config, codebook);
        this.practiceMemo.set(practice.id, { key, practice, notes, summary });
        return summary;
      };
      this.summaryMemo = { version: this.version, summary: buildSummary(this.config, this.codebook, [...this.notes.values()], now, summarise) };
    }
    return { ...this.summaryMemo.summary, generatedAt: now.toISOString() };
  }

  practiceDetail(id: string): PracticeDetail | undefined {
    const summary = this.summary();
    const practice = summary.practices.find((p) => p.id === id);
    if (!practice) return undefined;
    return buildPracticeDetail(practice, this.codebook, [...this.notes.values()]);
  }
}

function symlinkFacts(): NoteFacts {
  return fatalFacts("file-skipped", "This note is a symbolic link; fieldnotes reads only regular files inside the study, so it was skipped.");
}

/** Facts for a note readStudyFile refused: too large, or skipped with its reason. */
function refusedFacts(err: StudyFileError): NoteFacts {
  return err.reason === "too-large" ? tooLargeFacts(err.size ?? MAX_FILE_BYTES + 1) : fatalFacts("file-skipped", err.message);
}

function sameItems<T>(a: T[], b: T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
