// Content-addressed cache in <study>/.fieldnotes/cache/: per note (by content hash) its facts, which do
// not depend on the config or codebook, and its verdict (diagnostics) under one validation context (a
// hash of the config, the codebook and today's date). A changed config or codebook changes the context,
// so stale verdicts are never served; facts stay valid.
//
// Layout (issue 15: a warm run must not decode, or even read, every note's facts, and no cache file may
// be read as one string):
//   index        one line per record, each `JSON<TAB>checksum`, read in chunks:
//                  line 1 {"format","context","packs":[names]}
//                  ["p", rel, size, mtimeMs, hash]          the stamp of a path as last read
//                  ["h", hash, pack, offset, length, verdict] where a hash's facts are, and its verdict
//   facts-*.pack facts records `hash<TAB>checksum<TAB>JSON\n`, read one at a time by offset, only when a
//                view needs that note's facts. Each save writes new facts to a new pack (so two
//                processes never write into one file) and merges the packs when they multiply or
//                hold mostly dead records.
// Every line and record carries its own checksum (issue 9, section 6): one that does not verify is
// dropped and its note parsed again, so a damaged cache can slow a run but never change an answer.
// A cache that cannot be read or written is said in one line (`problems`), never silently.
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic, NoteFacts, Range } from "./types.js";
import { FACTS_VERSION } from "./note.js";
import { cacheRefusal } from "./cachepath.js";
import { writeNewIfAbsent, writeReplacing } from "./safewrite.js";

const GITIGNORE = "# fieldnotes cache: never commit\n*\n";

/** Checksums: CRC-32 (zlib, Node ≥ 20.15), else the first 8 hex digits of SHA-1. Named in the format. */
const crc32 = (zlib as unknown as { crc32?: (data: string | Uint8Array) => number }).crc32;
const CHECKSUM = crc32 ? "crc32" : "sha1";
function checksum(text: string): string {
  if (crc32) return crc32(text).toString(16).padStart(8, "0");
  return createHash("sha1").update(text).digest("hex").slice(0, 8);
}

const CACHE_FORMAT = `fieldnotes-cache-2-${FACTS_VERSION}-${CHECKSUM}`;
export const INDEX_FILE = "index";
const READ_CHUNK = 1 << 20;
/** Merge the packs when there are more than this many, or when dead records outweigh live ones. */
const MAX_PACKS = 12;
/** Packs not in the index are removed only when older than this (another process may be about to name them). */
const ORPHAN_AGE_MS = 60_000;

export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha1").update(bytes).digest("base64url");
}

export interface Verdict {
  diagnostics: Diagnostic[];
  errorRules: string[];
  /** The note's practice (a study id) and its value's range, for the path-dependent practice-folder-mismatch. */
  practice?: { id: string; range: Range };
}

interface Location {
  pack: string;
  offset: number;
  length: number;
}

export class FactsCache {
  /** Facts not written to a pack yet: decoded objects, or compact JSON from a worker. */
  private fresh = new Map<string, NoteFacts | string>();
  /** Where each hash's facts are on disk. */
  private locations = new Map<string, Location>();
  /** rel path -> [size, mtimeMs, hash] as last read, so an unchanged file need not be read again. */
  private stamps = new Map<string, [number, number, string]>();
  private verdicts = new Map<string, Verdict>();
  /** Hashes whose facts are deliberately not kept (see writePack); written in the index as pack -2. */
  private huge = new Set<string>();
  private verdictContext = "";
  private dirty = false;
  private readonly dir: string;
  /** Packs this cache has named (read from the index, or written): safe to remove once unnamed. */
  private known = new Set<string>();
  /** Open pack files by name (opened on first read). */
  private fds = new Map<string, number>();
  /** One line each for the user: why the cache could not be read or written. */
  readonly problems: string[] = [];

  /**
   * @param root the study root; the cache lives in `<root>/.fieldnotes/cache/`.
   * @param enabled false: nothing is read or kept.
   * @param readOnly entries are looked up, never saved, and size/mtime stamps are not trusted (a study
   *   read from another revision shares the working study's facts without touching its cache).
   */
  constructor(private readonly root: string, readonly enabled: boolean, private readonly readOnly = false) {
    this.dir = join(root, ".fieldnotes", "cache");
    if (!enabled) return;
    this.load();
  }

  private load(): void {
    const file = join(this.dir, INDEX_FILE);
    if (!existsSync(file)) return;
    type Header = { format?: unknown; context?: unknown; packs?: unknown };
    let header: Header | undefined;
    let packs: string[] = [];
    let damaged = 0;
    try {
      forEachLine(file, (line) => {
        const value = verifiedLine(line);
        if (value === undefined) {
          damaged++;
          if (!header) throw new Error("header");
          return;
        }
        if (!header) {
          const h = (value && typeof value === "object" ? value : {}) as Header;
          header = h;
          if (h.format !== CACHE_FORMAT) throw new Error("format");
          packs = Array.isArray(h.packs) ? h.packs.filter((p): p is string => typeof p === "string" && /^facts-[\w.-]+\.pack$/.test(p)) : [];
          this.verdictContext = typeof h.context === "string" ? h.context : "";
          for (const p of packs) this.known.add(p);
          return;
        }
        if (!Array.isArray(value)) return void damaged++;
        if (value[0] === "p" && value.length === 5 && typeof value[1] === "string" && typeof value[2] === "number" && typeof value[3] === "number" && typeof value[4] === "string") {
          this.stamps.set(value[1], [value[2], value[3], value[4]]);
        } else if (value[0] === "h" && value.length === 6 && typeof value[1] === "string") {
          const [, hash, pack, offset, length, verdict] = value as [string, string, number, number, number, unknown];
          if (typeof pack === "number" && pack >= 0 && pack < packs.length && Number.isInteger(offset) && Number.isInteger(length) && length > 0) {
            this.locations.set(hash, { pack: packs[pack], offset, length });
          } else if (pack === HUGE_PACK) this.huge.add(hash);
          if (Array.isArray(verdict) && (verdict.length === 2 || verdict.length === 3) && Array.isArray(verdict[0]) && Array.isArray(verdict[1])) {
            const v: Verdict = { diagnostics: expandRanges(verdict[0]) as Diagnostic[], errorRules: (verdict[1] as unknown[]).map(String) };
            const p = expandRanges(verdict[2]) as Verdict["practice"] | null;
            if (p && typeof p.id === "string" && typeof p.range?.start?.line === "number") v.practice = p;
            this.verdicts.set(hash, v);
          }
        } else damaged++;
      });
    } catch (err) {
      // An old format, or a damaged header: start empty (the next save writes a good one).
      this.stamps.clear();
      this.locations.clear();
      this.verdicts.clear();
      this.huge.clear();
      this.verdictContext = "";
      const reason = (err as Error).message;
      if (reason !== "format" && reason !== "header") this.problems.push(`fieldnotes: warning: the cache index could not be read (${describe(err)}); notes are parsed again.`);
      this.dirty = true;
      return;
    }
    if (damaged) {
      // Damaged lines are dropped; their notes are parsed again and the index is rewritten.
      this.dirty = true;
    }
  }

  /** The facts stored for a content hash, or undefined (not stored, or a record that does not verify). */
  get(hash: string): NoteFacts | undefined {
    if (!this.enabled) return undefined;
    const fresh = this.fresh.get(hash);
    if (fresh !== undefined) return typeof fresh === "string" ? decode(fresh) : fresh;
    const loc = this.locations.get(hash);
    if (!loc) return undefined;
    const facts = this.readRecord(hash, loc);
    if (!facts) {
      // Damaged or gone: forget it, so the note is parsed again and the next save stores it afresh.
      this.locations.delete(hash);
      this.dirty = true;
    }
    return facts;
  }

  private readRecord(hash: string, loc: Location): NoteFacts | undefined {
    try {
      let fd = this.fds.get(loc.pack);
      if (fd === undefined) {
        fd = openSync(join(this.dir, loc.pack), "r");
        this.fds.set(loc.pack, fd);
      }
      const buf = Buffer.allocUnsafe(loc.length);
      if (readSync(fd, buf, 0, loc.length, loc.offset) !== loc.length) return undefined;
      const text = buf.toString("utf8");
      const tab1 = text.indexOf("\t");
      const tab2 = text.indexOf("\t", tab1 + 1);
      if (tab1 < 0 || tab2 < 0 || !text.endsWith("\n") || text.slice(0, tab1) !== hash) return undefined;
      const json = text.slice(tab2 + 1, -1);
      if (text.slice(tab1 + 1, tab2) !== checksum(json)) return undefined;
      return decode(json);
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the cache knows this content: its facts, or that they are not kept (a huge note's, see
   * writePack; its verdict may be). get() then returns undefined: the caller parses the note again.
   */
  has(hash: string): boolean {
    return this.enabled && (this.fresh.has(hash) || this.locations.has(hash) || this.huge.has(hash));
  }

  set(hash: string, facts: NoteFacts): void {
    if (!this.enabled) return;
    this.fresh.set(hash, facts);
    this.dirty = true;
  }

  /**
   * Stores facts already serialised by a worker (see serializeFacts). They are also written at once to
   * a new pack (while the workers parse the next notes), so that the save after a cold load only
   * renames that pack and writes the index, instead of writing every note's facts in a serial tail.
   */
  /**
   * Records that this content's facts are not kept (a huge note's, see writePack), when they were
   * parsed elsewhere (a worker thread): its verdict and stamp are, and has() is true for it.
   */
  setUncached(hash: string): void {
    if (!this.enabled || this.huge.has(hash)) return;
    this.huge.add(hash);
    this.dirty = true;
  }

  setSerialized(hash: string, json: string): void {
    if (!this.enabled) return;
    this.fresh.set(hash, json);
    this.dirty = true;
    this.stream(hash, json);
  }

  /** The pack being streamed (see setSerialized); it becomes part of the cache at the next save. */
  private streaming?: { name: string; tmp: string; out: FileWriter; placed: Map<string, Location> };
  /** Streaming failed once (or the cache folder is refused): facts wait for save() as before. */
  private streamOff = false;

  private stream(hash: string, json: string): void {
    if (this.readOnly || this.streamOff) return;
    try {
      if (!this.streaming) {
        if (cacheRefusal(this.root)) {
          this.streamOff = true;
          return;
        }
        this.prepareDir();
        const name = packName();
        const tmp = join(this.dir, `${name}.tmp`);
        this.streaming = { name, tmp, out: new FileWriter(tmp), placed: new Map() };
      }
      const s = this.streaming;
      const record = packRecord(hash, json);
      s.placed.set(hash, { pack: s.name, offset: s.out.bytes, length: Buffer.byteLength(record) });
      s.out.write(record);
    } catch {
      // A full disk or a vanished folder: save() writes (or reports) what is left.
      this.dropStream();
      this.streamOff = true;
    }
  }

  private dropStream(): void {
    const s = this.streaming;
    this.streaming = undefined;
    s?.out.abandon();
  }

  /** Closes and names the streamed pack; its live records leave `fresh`. Returns the pack's name. */
  private finishStream(live: Set<string>): string | undefined {
    const s = this.streaming;
    if (!s) return undefined;
    this.streaming = undefined;
    try {
      s.out.close();
      renameSync(s.tmp, join(this.dir, s.name));
    } catch (err) {
      s.out.abandon();
      throw err;
    }
    this.known.add(s.name);
    for (const [hash, loc] of s.placed) {
      if (!live.has(hash)) continue;
      this.locations.set(hash, loc);
      this.fresh.delete(hash);
    }
    return s.name;
  }

  /** The cache folder and its .gitignore (the cache holds note text: it must never be committed). */
  private prepareDir(): void {
    mkdirSync(this.dir, { recursive: true });
    // Whole or not at all (safewrite.ts); an empty one (left by a full disk before) is written again.
    const ignore = join(this.root, ".fieldnotes", ".gitignore");
    const st = statSync(ignore, { throwIfNoEntry: false });
    if (!st) writeNewIfAbsent(ignore, GITIGNORE);
    else if (st.isFile() && st.size === 0) writeReplacing(ignore, GITIGNORE);
  }

  /**
   * Drops a content hash's facts and verdict (a note's old version, replaced by a watcher event):
   * otherwise every saved version stayed in memory until the next full save of the cache.
   */
  forget(hash: string): void {
    const dropped = [this.fresh.delete(hash), this.locations.delete(hash), this.verdicts.delete(hash), this.huge.delete(hash)].some(Boolean);
    if (dropped) this.dirty = true;
  }

  verdict(hash: string, context: string): Verdict | undefined {
    return this.enabled && context === this.verdictContext ? this.verdicts.get(hash) : undefined;
  }

  setVerdict(hash: string, context: string, verdict: Verdict): void {
    if (!this.enabled || !hash) return;
    if (context !== this.verdictContext) {
      this.verdicts.clear();
      this.verdictContext = context;
    }
    this.verdicts.set(hash, verdict);
    this.dirty = true;
  }

  /** The content hash recorded for this path when its size and mtime were exactly these. */
  stamped(rel: string, size: number, mtimeMs: number): string | undefined {
    const s = this.enabled && !this.readOnly ? this.stamps.get(rel) : undefined;
    return s && s[0] === size && s[1] === mtimeMs ? s[2] : undefined;
  }

  /**
   * Writes the cache keeping only the given notes (those that exist now). Never throws; a failure is
   * one line in `problems`. Stamps are kept only for files modified well before `readAt`, so a file
   * changed again within the file system's timestamp granularity is always re-read ("racy git").
   */
  save(notes: { file: string; hash: string; size: number; mtimeMs: number }[], readAt: number): void {
    if (!this.enabled || this.readOnly) return;
    const live = new Set(notes.map((n) => n.hash));
    const stamps = new Map<string, [number, number, string]>();
    for (const n of notes) if (n.mtimeMs > 0 && n.mtimeMs < readAt - 2000) stamps.set(n.file, [n.size, n.mtimeMs, n.hash]);
    const sameStamps = stamps.size === this.stamps.size && [...stamps].every(([k, v]) => {
      const o = this.stamps.get(k);
      return o && o[0] === v[0] && o[1] === v[1] && o[2] === v[2];
    });
    if (!sameStamps) {
      this.stamps = stamps;
      this.dirty = true;
    }
    for (const map of [this.fresh, this.locations, this.verdicts, this.huge] as { keys(): Iterable<string>; delete(k: string): boolean }[]) {
      for (const k of map.keys()) {
        if (!live.has(k)) {
          map.delete(k);
          this.dirty = true;
        }
      }
    }
    if (!this.dirty) return this.dropStream();
    if (cacheRefusal(this.root)) return this.dropStream(); // a link appeared since the study was opened: write nothing through it
    const written: string[] = [];
    try {
      this.prepareDir();
      const streamed = this.finishStream(live);
      if (streamed) written.push(streamed);
      if (this.fresh.size) written.push(this.writePack(this.fresh));
      this.compactIfWorthIt(written);
      this.writeIndex();
      // The facts are on disk now: keep only where they are.
      this.fresh.clear();
      this.dirty = false;
      this.removeOrphans();
    } catch (err) {
      for (const p of written) rmQuietly(join(this.dir, p));
      this.problems.push(`fieldnotes: warning: the cache could not be written (${describe(err)}); the next run parses changed notes again.`);
    }
  }

  /**
   * Writes records (facts, or their JSON) to a new pack and points their hashes at it; returns the
   * pack's name. Each record is serialised only when written, so at most one is held as text.
   */
  private writePack(records: Iterable<[string, NoteFacts | string]>): string {
    const name = packName();
    const tmp = join(this.dir, `${name}.tmp`);
    const out = new FileWriter(tmp);
    const placed: [string, Location][] = [];
    try {
      for (const [hash, facts] of records) {
        // A huge note's facts (hostile, or a book pasted into a note) are not kept: writing them took
        // longer than parsing them again when a view needs them. Its stamp and verdict are kept, so a
        // warm check still does not read it.
        if (typeof facts !== "string" && isHugeFacts(facts)) {
          this.huge.add(hash);
          continue;
        }
        const record = packRecord(hash, typeof facts === "string" ? facts : serializeFacts(facts));
        placed.push([hash, { pack: name, offset: out.bytes, length: Buffer.byteLength(record) }]);
        out.write(record);
      }
      out.close();
      renameSync(tmp, join(this.dir, name));
    } catch (err) {
      out.abandon();
      throw err;
    }
    this.known.add(name);
    for (const [hash, loc] of placed) this.locations.set(hash, loc);
    return name;
  }

  /** Merges every live record into one pack when the packs multiply or are mostly dead records. */
  private compactIfWorthIt(written: string[]): void {
    const liveBytes = new Map<string, number>();
    for (const loc of this.locations.values()) liveBytes.set(loc.pack, (liveBytes.get(loc.pack) ?? 0) + loc.length);
    let total = 0;
    let live = 0;
    for (const [pack, bytes] of liveBytes) {
      live += bytes;
      try {
        total += statSync(join(this.dir, pack)).size;
      } catch {
        total += bytes;
      }
    }
    if (liveBytes.size <= MAX_PACKS && total <= 2 * live + (1 << 20)) return;
    // Read one record, write it, let it go: the whole cache is never in memory at once.
    const self = this;
    function* records(): Generator<[string, NoteFacts]> {
      for (const [hash, loc] of [...self.locations]) {
        const facts = self.readRecord(hash, loc);
        if (facts) yield [hash, facts];
        else self.locations.delete(hash);
      }
    }
    written.push(this.writePack(records()));
  }

  private writeIndex(): void {
    const packs = [...new Set([...this.locations.values()].map((l) => l.pack))];
    const packNo = new Map(packs.map((p, i) => [p, i]));
    const file = join(this.dir, INDEX_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    const out = new FileWriter(tmp);
    try {
      const line = (value: unknown) => {
        const json = JSON.stringify(value, compactRange);
        out.write(`${json}\t${checksum(json)}\n`);
      };
      line({ format: CACHE_FORMAT, context: this.verdictContext, packs });
      for (const [rel, s] of this.stamps) line(["p", rel, s[0], s[1], s[2]]);
      const hashes = new Set([...this.locations.keys(), ...this.verdicts.keys(), ...this.huge]);
      for (const hash of hashes) {
        const loc = this.locations.get(hash);
        const v = this.verdicts.get(hash);
        line(["h", hash, loc ? packNo.get(loc.pack)! : this.huge.has(hash) ? HUGE_PACK : -1, loc?.offset ?? 0, loc?.length ?? 0, v ? (v.practice ? [v.diagnostics, v.errorRules, v.practice] : [v.diagnostics, v.errorRules]) : 0]);
      }
      out.close();
      renameSync(tmp, file);
    } catch (err) {
      out.abandon();
      throw err;
    }
  }

  /**
   * Removes packs the index no longer names: at once those this cache knew (an index it replaced named
   * them, or it wrote them), others only when old enough that no other process is about to name them.
   */
  private removeOrphans(): void {
    const named = new Set([...this.locations.values()].map((l) => l.pack));
    const now = Date.now();
    for (const name of readdirSync(this.dir)) {
      if (!/^facts-[\w.-]+\.pack(\.tmp)?$/.test(name) && !/^facts\.json$/.test(name)) continue;
      if (named.has(name)) continue;
      const path = join(this.dir, name);
      try {
        if (name === "facts.json" || this.known.has(name) || now - statSync(path).mtimeMs > ORPHAN_AGE_MS) {
          const fd = this.fds.get(name);
          if (fd !== undefined) {
            closeSync(fd);
            this.fds.delete(name);
          }
          rmSync(path, { force: true });
          this.known.delete(name);
        }
      } catch {
        // another process removed it first
      }
    }
  }
}

let packCounter = 0;
/** One pack record: `hash<TAB>checksum<TAB>JSON\n` (read back by readRecord). */
const packRecord = (hash: string, json: string) => `${hash}\t${checksum(json)}\t${json}\n`;
/** A pack name no other process or save uses. */
const packName = () => `facts-${Date.now().toString(36)}-${process.pid}-${(packCounter++).toString(36)}.pack`;


/** Calls `onLine` for each line of a file, reading it in chunks (never the whole file as one string). */
export function forEachLine(file: string, onLine: (line: string) => void): void {
  const fd = openSync(file, "r");
  try {
    if (!fstatSync(fd).isFile()) throw new Error("not a regular file");
    let carry: Buffer | undefined;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, READ_CHUNK, null);
      if (n === 0) break;
      let chunk = buf.subarray(0, n);
      if (carry) {
        chunk = Buffer.concat([carry, chunk]);
        carry = undefined;
      }
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        onLine(chunk.toString("utf8", start, nl));
        start = nl + 1;
      }
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
    }
    if (carry && carry.length) onLine(carry.toString("utf8"));
  } finally {
    closeSync(fd);
  }
}

/** The JSON value of an index line whose checksum verifies, else undefined. */
function verifiedLine(line: string): unknown {
  const tab = line.lastIndexOf("\t");
  if (tab < 0) return undefined;
  const json = line.slice(0, tab);
  if (line.slice(tab + 1) !== checksum(json)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function decode(json: string): NoteFacts | undefined {
  let facts: NoteFacts | undefined;
  try {
    facts = deserializeFacts(json);
  } catch {
    return undefined;
  }
  // The cache lives in the study folder, so it is input like any other: check its shape too.
  return facts && plausibleFacts(facts) ? facts : undefined;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(err));
}

function rmQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing more to do
  }
}

/** Buffers small writes into large ones; counts the bytes written (the next record's offset). */
class FileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private closed = false;
  bytes = 0;
  constructor(private readonly path: string) {
    this.fd = openSync(path, "wx");
  }
  /** Closes without writing what is buffered, and removes the file (a write that failed: nothing half-written stays). */
  abandon(): void {
    this.parts = [];
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
    }
    rmQuietly(this.path);
  }
  write(s: string): void {
    this.parts.push(s);
    this.bytes += Buffer.byteLength(s);
    if ((this.size += s.length) >= 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.parts.length) writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}

export function serializeFacts(facts: NoteFacts): string {
  // A copy with compact ranges, then a plain stringify: half the CPU of a replacer function, same text.
  // A huge note's copy would double its memory for a moment: that one goes piece by piece.
  if (isHugeFacts(facts)) return [...jsonPieces(facts)].join("");
  return JSON.stringify(compactCopy(facts));
}
/** Code uses, segments and diagnostics beyond which facts are serialised piece by piece, and not cached. */
const HUGE_FACTS = 20_000;
/** The pack number, in the index, of a note whose facts are not kept (see writePack). */
const HUGE_PACK = -2;
const PIECE_ITEMS = 5_000;
/** Whether a note's facts are too many to keep in the cache (see writePack) and are serialised in pieces. */
export const isHugeFacts = (facts: NoteFacts) => facts.codes.length + facts.segments.length + facts.diagnostics.length > HUGE_FACTS;

/**
 * The text of serializeFacts(facts), in pieces of at most PIECE_ITEMS array items each: the same bytes
 * as JSON.stringify(compactCopy(facts)), without a copy of the whole facts or one string of all of them.
 */
export function* jsonPieces(facts: NoteFacts): Generator<string> {
  const obj = facts as unknown as Record<string, unknown>;
  let first = true;
  yield "{";
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue; // as JSON.stringify
    yield `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (Array.isArray(v) && v.length > PIECE_ITEMS) {
      yield "[";
      for (let i = 0; i < v.length; i += PIECE_ITEMS) yield (i ? "," : "") + JSON.stringify(compactCopy(v.slice(i, i + PIECE_ITEMS))).slice(1, -1);
      yield "]";
    } else yield JSON.stringify(compactCopy(v));
  }
  yield "}";
}


/** A copy of a JSON value in which every range is [line, character, line, character] (see compactRange). */
function compactCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactCopy);
  if (value && typeof value === "object") {
    const compact = compactRange("", value);
    if (compact !== value) return compact;
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key in obj) {
      const v = obj[key];
      out[key] = v && typeof v === "object" ? compactCopy(v) : v;
    }
    return out;
  }
  return value;
}

export function deserializeFacts(json: string): NoteFacts {
  return expandRanges(JSON.parse(json)) as NoteFacts;
}

function plausibleFacts(f: NoteFacts): boolean {
  return (
    typeof f === "object" && f !== null &&
    Array.isArray(f.codes) && Array.isArray(f.segments) && Array.isArray(f.diagnostics) &&
    typeof f.openRange?.start?.line === "number" && (f.fields === undefined || Array.isArray(f.fields))
  );
}

/** Ranges are most of the facts: stored as [line, character, line, character] they take a third of the space. */
function compactRange(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "start" in value && "end" in value) {
    const r = value as { start: { line: number; character: number }; end: { line: number; character: number } };
    if (typeof r.start?.line === "number" && typeof r.end?.line === "number") return [r.start.line, r.start.character, r.end.line, r.end.character];
  }
  return value;
}

const RANGE_KEYS = new Set(["range", "keyRange", "idRange", "openRange", "replaceRange"]);

function expandRanges(root: unknown): unknown {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) if (item && typeof item === "object") stack.push(item);
    } else if (node && typeof node === "object") {
      const obj = node as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const v = obj[key];
        if (RANGE_KEYS.has(key) && Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === "number")) {
          obj[key] = { start: { line: v[0], character: v[1] }, end: { line: v[2], character: v[3] } };
        } else if (v && typeof v === "object") stack.push(v);
      }
    }
  }
  return root;
}
