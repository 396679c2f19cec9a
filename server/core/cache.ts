// Content-addressed cache in <study>/.fieldnotes/cache/: per note (by content hash) its facts, which do
// not depend on the config or codebook, and its verdict (diagnostics) under one validation context (a
// hash of the config, the codebook and today's date). A changed config or codebook changes the context,
// so stale verdicts are never served; facts stay valid. Entries are decoded lazily: a warm `check`
// needs the verdicts, not the facts.
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic, NoteFacts } from "./types.js";
import { FACTS_VERSION } from "./note.js";

const CACHE_FORMAT = `fieldnotes-facts-${FACTS_VERSION}`;

export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha1").update(bytes).digest("base64url");
}

export interface Verdict {
  diagnostics: Diagnostic[];
  errorRules: string[];
}

export class FactsCache {
  /** Facts by content hash: decoded objects, or compact JSON from disk not decoded yet. */
  private entries = new Map<string, NoteFacts | string>();
  /** rel path -> [size, mtimeMs, hash] as last read, so an unchanged file need not be read again. */
  private stamps = new Map<string, [number, number, string]>();
  private verdicts = new Map<string, Verdict>();
  private verdictContext = "";
  private dirty = false;
  private readonly file: string;

  /** `readOnly`: entries are looked up and kept in memory, never saved, and size/mtime stamps are not trusted. */
  constructor(private readonly root: string, readonly enabled: boolean, private readonly readOnly = false) {
    this.file = join(root, ".fieldnotes", "cache", "facts.json");
    if (!enabled) return;
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8"));
      if (!data || data.format !== CACHE_FORMAT || !data.entries || typeof data.entries !== "object") return;
      for (const [k, v] of Object.entries(data.entries)) if (typeof v === "string") this.entries.set(k, v);
      if (data.stamps && typeof data.stamps === "object") {
        for (const [k, v] of Object.entries(data.stamps)) if (Array.isArray(v) && v.length === 3) this.stamps.set(k, v as [number, number, string]);
      }
      const verdicts = data.verdicts;
      if (verdicts && typeof verdicts.context === "string" && verdicts.byHash && typeof verdicts.byHash === "object") {
        this.verdictContext = verdicts.context;
        for (const [k, v] of Object.entries(verdicts.byHash)) {
          const [diagnostics, errorRules] = v as [unknown, unknown];
          if (Array.isArray(diagnostics) && Array.isArray(errorRules)) {
            this.verdicts.set(k, { diagnostics: expandRanges(diagnostics) as Diagnostic[], errorRules: errorRules.map(String) });
          }
        }
      }
    } catch {
      // no cache yet, or a damaged one: start empty
    }
  }

  get(hash: string): NoteFacts | undefined {
    if (!this.enabled) return undefined;
    const stored = this.entries.get(hash);
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
      return undefined;
    }
    this.entries.set(hash, facts);
    return facts;
  }

  has(hash: string): boolean {
    return this.enabled && this.entries.has(hash);
  }

  set(hash: string, facts: NoteFacts): void {
    if (!this.enabled) return;
    this.entries.set(hash, facts);
    this.dirty = true;
  }

  /** Stores facts already serialised by a worker (see serializeFacts). */
  setSerialized(hash: string, json: string): void {
    if (!this.enabled) return;
    this.entries.set(hash, json);
    this.dirty = true;
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
   * Writes the cache keeping only the given notes (those that exist now). Never throws.
   * Stamps are kept only for files modified well before `readAt`, so a file changed again within the
   * file system's timestamp granularity is always re-read (the "racy git" problem).
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
    for (const map of [this.entries, this.verdicts] as Map<string, unknown>[]) {
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
      const byHash: Record<string, unknown> = {};
      for (const [k, v] of this.verdicts) byHash[k] = [v.diagnostics, v.errorRules];
      // Written piece by piece: one string of the whole cache (tens of MB for 10,000 notes) would be
      // the peak of a cold run's memory.
      const out = new FileWriter(tmp);
      try {
        out.write(`{"format":${JSON.stringify(CACHE_FORMAT)},"stamps":${JSON.stringify(Object.fromEntries(this.stamps))},`);
        out.write(`"verdicts":${JSON.stringify({ context: this.verdictContext, byHash }, compactRange)},"entries":{`);
        let first = true;
        for (const [k, v] of this.entries) {
          out.write(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(typeof v === "string" ? v : serializeFacts(v))}`);
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
