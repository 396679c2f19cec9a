// Content-addressed cache in <study>/.fieldnotes/cache/: per note (by content hash) its facts, which do
// not depend on the config or codebook, and its verdict (diagnostics) under one validation context (a
// hash of the config, the codebook and today's date). A changed config or codebook changes the context,
// so stale verdicts are never served; facts stay valid. Entries are decoded lazily: a warm `check`
// needs the verdicts, not the facts. Every record on disk carries a checksum and is discarded (its
// note parsed again) when it does not verify: the cache is input from the study folder like any other.
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic, NoteFacts } from "./types.js";
import { FACTS_VERSION } from "./note.js";

const CACHE_FORMAT = `fieldnotes-facts-${FACTS_VERSION}`;

export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha1").update(bytes).digest("base64url");
}

/**
 * A record's checksum: SHA-1 of its key and its stored text (16 base64url characters, 96 bits).
 * Every record on disk carries one and is used only if it verifies, so a damaged byte anywhere in
 * a record (its key, a verdict, facts, a stamp) costs a re-parse of that note, never a wrong answer.
 */
function recordSum(key: string, body: string): string {
  return createHash("sha1").update(key).update("\u0000").update(body).digest("base64url").slice(0, 16);
}

/** `sum:body` as stored, or the body when the checksum verifies; undefined otherwise. */
function verified(key: string, stored: unknown): string | undefined {
  if (typeof stored !== "string" || stored.charCodeAt(16) !== 58) return undefined; // ":"
  const body = stored.slice(17);
  return stored.slice(0, 16) === recordSum(key, body) ? body : undefined;
}

function sealed(key: string, body: string): string {
  return `${recordSum(key, body)}:${body}`;
}

export interface Verdict {
  diagnostics: Diagnostic[];
  errorRules: string[];
}

export class FactsCache {
  /** Facts by content hash: decoded objects, or compact JSON (from a worker) not decoded yet. */
  private entries = new Map<string, NoteFacts | string>();
  /** Facts as read from disk (`sum:json`), verified and decoded on first use. */
  private stored = new Map<string, string>();
  /** rel path -> [size, mtimeMs, hash] as last read, so an unchanged file need not be read again. */
  private stamps = new Map<string, [number, number, string]>();
  private verdicts = new Map<string, Verdict>();
  /** Verdicts as read from disk (`sum:json`), verified and decoded on first use. */
  private storedVerdicts = new Map<string, string>();
  private verdictContext = "";
  private dirty = false;
  private readonly file: string;

  constructor(private readonly root: string, readonly enabled: boolean) {
    this.file = join(root, ".fieldnotes", "cache", "facts.json");
    if (!enabled) return;
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8"));
      if (!data || data.format !== CACHE_FORMAT || !data.entries || typeof data.entries !== "object") return;
      for (const [k, v] of Object.entries(data.entries)) if (typeof v === "string") this.stored.set(k, v);
      if (data.stamps && typeof data.stamps === "object") {
        for (const [k, v] of Object.entries(data.stamps)) {
          // [size, mtimeMs, hash, checksum of the first three]
          if (!Array.isArray(v) || v.length !== 4 || typeof v[0] !== "number" || typeof v[1] !== "number" || typeof v[2] !== "string") continue;
          if (v[3] === recordSum(k, JSON.stringify(v.slice(0, 3)))) this.stamps.set(k, [v[0], v[1], v[2]]);
        }
      }
      const verdicts = data.verdicts;
      if (verdicts && typeof verdicts.context === "string" && verdicts.byHash && typeof verdicts.byHash === "object") {
        this.verdictContext = verdicts.context;
        for (const [k, v] of Object.entries(verdicts.byHash)) if (typeof v === "string") this.storedVerdicts.set(k, v);
      }
    } catch {
      // no cache yet, or a damaged one: start empty
    }
  }

  get(hash: string): NoteFacts | undefined {
    if (!this.enabled) return undefined;
    let stored = this.entries.get(hash);
    if (stored === undefined) {
      const raw = this.stored.get(hash);
      if (raw === undefined) return undefined;
      this.stored.delete(hash);
      const body = verified(hash, raw);
      if (body === undefined) {
        this.dirty = true;
        return undefined;
      }
      stored = body;
    }
    if (typeof stored !== "string") return stored;
    let facts: NoteFacts | undefined;
    try {
      facts = deserializeFacts(stored);
    } catch {
      facts = undefined;
    }
    // The cache lives in the study folder, so it is input like any other: check its shape.
    if (!facts || !plausibleFacts(facts)) {
      this.entries.delete(hash);
      this.dirty = true;
      return undefined;
    }
    this.entries.set(hash, facts);
    return facts;
  }

  has(hash: string): boolean {
    return this.enabled && (this.entries.has(hash) || this.stored.has(hash));
  }

  set(hash: string, facts: NoteFacts): void {
    if (!this.enabled) return;
    this.entries.set(hash, facts);
    this.stored.delete(hash);
    this.dirty = true;
  }

  /** Stores facts already serialised by a worker (see serializeFacts). */
  setSerialized(hash: string, json: string): void {
    if (!this.enabled) return;
    this.entries.set(hash, json);
    this.stored.delete(hash);
    this.dirty = true;
  }

  verdict(hash: string, context: string): Verdict | undefined {
    if (!this.enabled || context !== this.verdictContext) return undefined;
    const known = this.verdicts.get(hash);
    if (known) return known;
    const raw = this.storedVerdicts.get(hash);
    if (raw === undefined) return undefined;
    this.storedVerdicts.delete(hash);
    // The context is part of what the checksum covers: a verdict is only ever read for its context.
    const body = verified(`${context}\u0000${hash}`, raw);
    let verdict: Verdict | undefined;
    try {
      const [diagnostics, errorRules] = body === undefined ? [] : (JSON.parse(body) as [unknown, unknown]);
      if (Array.isArray(diagnostics) && Array.isArray(errorRules)) {
        verdict = { diagnostics: expandRanges(diagnostics) as Diagnostic[], errorRules: errorRules.map(String) };
      }
    } catch {
      verdict = undefined;
    }
    if (!verdict) {
      this.dirty = true;
      return undefined;
    }
    this.verdicts.set(hash, verdict);
    return verdict;
  }

  setVerdict(hash: string, context: string, verdict: Verdict): void {
    if (!this.enabled || !hash) return;
    if (context !== this.verdictContext) {
      this.verdicts.clear();
      this.storedVerdicts.clear();
      this.verdictContext = context;
    }
    this.verdicts.set(hash, verdict);
    this.storedVerdicts.delete(hash);
    this.dirty = true;
  }

  /** The content hash recorded for this path when its size and mtime were exactly these. */
  stamped(rel: string, size: number, mtimeMs: number): string | undefined {
    const s = this.enabled ? this.stamps.get(rel) : undefined;
    return s && s[0] === size && s[1] === mtimeMs ? s[2] : undefined;
  }

  /**
   * Writes the cache keeping only the given notes (those that exist now). Never throws.
   * Stamps are kept only for files modified well before `readAt`, so a file changed again within the
   * file system's timestamp granularity is always re-read (the "racy git" problem).
   */
  save(notes: { file: string; hash: string; size: number; mtimeMs: number }[], readAt: number): void {
    if (!this.enabled) return;
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
    for (const map of [this.entries, this.stored, this.verdicts, this.storedVerdicts] as Map<string, unknown>[]) {
      for (const k of map.keys()) {
        if (!live.has(k)) {
          map.delete(k);
          this.dirty = true;
        }
      }
    }
    if (!this.dirty) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const dir = join(this.root, ".fieldnotes");
      mkdirSync(join(dir, "cache"), { recursive: true });
      if (!existsSync(join(dir, ".gitignore"))) writeFileSync(join(dir, ".gitignore"), "# fieldnotes cache: never commit\n*\n");
      const context = this.verdictContext;
      const byHash: Record<string, string> = {};
      for (const [k, v] of this.storedVerdicts) byHash[k] = v;
      for (const [k, v] of this.verdicts) byHash[k] = sealed(`${context}\u0000${k}`, JSON.stringify([v.diagnostics, v.errorRules], compactRange));
      const stampRecords: Record<string, unknown> = {};
      for (const [k, v] of this.stamps) stampRecords[k] = [...v, recordSum(k, JSON.stringify(v))];
      // Written piece by piece: one string of the whole cache (tens of MB for 10,000 notes) would be
      // the peak of a cold run's memory.
      const out = new FileWriter(tmp);
      try {
        out.write(`{"format":${JSON.stringify(CACHE_FORMAT)},"stamps":${JSON.stringify(stampRecords)},`);
        out.write(`"verdicts":${JSON.stringify({ context, byHash })},"entries":{`);
        let first = true;
        for (const [k, v] of this.stored) {
          out.write(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`);
          first = false;
        }
        for (const [k, v] of this.entries) {
          out.write(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(sealed(k, typeof v === "string" ? v : serializeFacts(v)))}`);
          first = false;
        }
        out.write("}}");
      } finally {
        out.close();
      }
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // a read-only study still works, just without a cache
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
}

/** Buffers small writes into large ones. */
class FileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(s: string): void {
    this.parts.push(s);
    if ((this.size += s.length) >= 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.parts.length) writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

export function serializeFacts(facts: NoteFacts): string {
  return JSON.stringify(facts, compactRange);
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
