// Content-addressed cache of per-note facts in <study>/.fieldnotes/cache/. Facts do not depend on the
// config or codebook (validation runs on every load), so a config change can never serve stale results.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { NoteFacts } from "./types.js";
import { FACTS_VERSION } from "./note.js";

const CACHE_FORMAT = `fieldnotes-facts-${FACTS_VERSION}`;

export function contentHash(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("base64url");
}

export class FactsCache {
  private entries = new Map<string, NoteFacts>();
  private dirty = false;
  private readonly file: string;

  constructor(private readonly root: string, readonly enabled: boolean) {
    this.file = join(root, ".fieldnotes", "cache", "facts.json");
    if (!enabled) return;
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8"));
      if (data && data.format === CACHE_FORMAT && data.entries && typeof data.entries === "object") {
        for (const [k, v] of Object.entries(data.entries)) this.entries.set(k, v as NoteFacts);
      }
    } catch {
      // no cache yet, or a damaged one: start empty
    }
  }

  get(hash: string): NoteFacts | undefined {
    return this.enabled ? this.entries.get(hash) : undefined;
  }

  set(hash: string, facts: NoteFacts): void {
    if (!this.enabled) return;
    this.entries.set(hash, facts);
    this.dirty = true;
  }

  /** Writes the cache keeping only the given hashes (the notes that exist now). Never throws. */
  save(live: Set<string>): void {
    if (!this.enabled) return;
    for (const k of this.entries.keys()) {
      if (!live.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    try {
      const dir = join(this.root, ".fieldnotes");
      mkdirSync(join(dir, "cache"), { recursive: true });
      if (!existsSync(join(dir, ".gitignore"))) writeFileSync(join(dir, ".gitignore"), "# fieldnotes cache: never commit\n*\n");
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, entries: Object.fromEntries(this.entries) }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // a read-only study still works, just without a cache
    }
  }
}
