// A small pool of worker threads for cold parsing: notes are submitted as they are read, so reading
// on the main thread overlaps parsing in the workers. Falls back to parsing in this thread when the
// compiled worker is absent (running from TypeScript sources) or there is little to parse.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import type { Codebook, NoteFacts, StudyConfig } from "./types.js";
import type { Verdict } from "./cache.js";
import { parseNoteBytes } from "./note.js";

const WORKER_FILE = fileURLToPath(new URL("./worker.js", import.meta.url));
const BATCH = 32;
/**
 * A worker that runs out of memory on a huge note dies; its batch is then parsed in the main thread
 * (see the error handler), and the other notes go on.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 512 };
/** Reading runs ahead of parsing by at most this many notes, so their bytes do not pile up in memory. */
const MAX_QUEUED = 256;

/** Below this many notes, starting workers costs more than it saves. */
export const PARALLEL_THRESHOLD = 300;

/** What workers validate against (the main thread's context, cloned). */
export interface WorkerContext {
  config: StudyConfig;
  codebook: Codebook;
  today: string;
}

/**
 * Parsed in this thread: the facts; in a worker: the serialised facts, with a context the verdict, and
 * whether the facts are too many to cache (cache.ts isHugeFacts).
 */
export type ParseResult = { facts: NoteFacts } | { json: string; verdict?: Verdict; huge: boolean };

interface Job {
  bytes: Uint8Array;
  resolve: (result: ParseResult) => void;
}

const inThread = (bytes: Uint8Array): ParseResult => ({ facts: parseNoteBytes(bytes) });

export class ParsePool {
  private queue: Job[] = [];
  private workers: { worker: Worker; busy: Job[] | undefined }[] = [];
  private waiting: (() => void)[] = [];

  private started = false;

  /**
   * `expected`: how many notes may be submitted (an upper bound: those found in the cache never are).
   * Workers start only at the first submit, and only when enough notes may still come to pay for
   * them: a warm run, every note cached, starts no thread.
   */
  constructor(private readonly expected: number, private readonly size = availableParallelism(), private readonly context?: WorkerContext) {}

  private start(remaining: number): void {
    // Too few to come: this note is parsed here, and a later submit may still start them.
    if (remaining < PARALLEL_THRESHOLD) return;
    this.started = true;
    if (this.size >= 2 && existsSync(WORKER_FILE)) {
      for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
    }
  }

  /** True once threads are running (for tests and benchmarks). */
  get threaded(): boolean {
    return this.workers.length > 0;
  }

  private spawn() {
    const slot: { worker: Worker; busy: Job[] | undefined } = { worker: new Worker(WORKER_FILE, { resourceLimits: WORKER_LIMITS }), busy: undefined };
    slot.worker.postMessage({ context: this.context });
    slot.worker.on("message", (done: { id: number; json: string; verdict?: Verdict; huge: boolean }[]) => {
      const jobs = slot.busy!;
      slot.busy = undefined;
      for (const d of done) jobs[d.id].resolve({ json: d.json, verdict: d.verdict, huge: d.huge });
      this.dispatch();
    });
    slot.worker.on("error", () => {
      // A worker that dies takes no note with it: its batch is parsed here instead.
      const jobs = slot.busy ?? [];
      slot.busy = undefined;
      this.workers = this.workers.filter((w) => w !== slot);
      for (const j of jobs) j.resolve(inThread(j.bytes));
      this.dispatch();
    });
    return slot;
  }

  /** Resolves when the queue is short enough to read more files (backpressure for the reader). */
  room(): Promise<void> | undefined {
    if (this.queue.length < MAX_QUEUED) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Parses a note's bytes. `remaining`: how many more notes are likely to need parsing (an estimate;
   * defaults to `expected`): threads start once it reaches PARALLEL_THRESHOLD.
   */
  submit(bytes: Uint8Array, remaining = this.expected): Promise<ParseResult> {
    if (!this.started) this.start(remaining);
    if (!this.workers.length) return Promise.resolve(inThread(bytes));
    return new Promise((resolve) => {
      this.queue.push({ bytes, resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (!this.workers.length) {
      for (const j of this.queue.splice(0)) j.resolve(inThread(j.bytes));
      for (const wake of this.waiting.splice(0)) wake();
      return;
    }
    for (const slot of this.workers) {
      if (slot.busy || !this.queue.length) continue;
      const jobs = this.queue.splice(0, BATCH);
      slot.busy = jobs;
      if (this.queue.length < MAX_QUEUED / 2) for (const wake of this.waiting.splice(0)) wake();
      slot.worker.postMessage(jobs.map((j, id) => ({ id, bytes: j.bytes })));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
  }
}
