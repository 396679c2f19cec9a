// Every segment of many notes at once (inter-coder agreement needs the uncoded segments too, which the
// facts cache does not keep): scanned in worker threads when there are enough notes to pay for them.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { unitSegments, type Segment } from "./units.js";

const WORKER_FILE = fileURLToPath(new URL("./scanworker.js", import.meta.url));
/** Below this many notes one thread is faster than starting workers. */
const PARALLEL_THRESHOLD = 200;
const BATCH = 32;

/**
 * The segments of each note's bytes (see unitSegments), in input order. Uses up to
 * availableParallelism() worker threads for `PARALLEL_THRESHOLD` notes or more (and when the compiled
 * worker exists); a worker that fails has its batch scanned in this thread, so no note is lost.
 */
export async function scanSegments(notes: Uint8Array[]): Promise<Segment[][]> {
  const threads = Math.min(availableParallelism(), Math.ceil(notes.length / BATCH));
  if (notes.length < PARALLEL_THRESHOLD || threads < 2 || !existsSync(WORKER_FILE)) return notes.map(unitSegments);
  const out: Segment[][] = new Array(notes.length);
  let next = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve) => {
      let batch: number[] = [];
      const send = () => {
        batch = [];
        while (batch.length < BATCH && next < notes.length) batch.push(next++);
        if (!batch.length) return resolve();
        worker.postMessage(batch.map((id) => ({ id, bytes: notes[id] })));
      };
      worker.on("message", (done: { id: number; segments: Segment[] }[]) => {
        for (const d of done) out[d.id] = d.segments;
        send();
      });
      worker.on("error", () => {
        // Its batch (and whatever is left for it) is scanned here instead.
        for (const id of batch) out[id] = unitSegments(notes[id]);
        resolve();
      });
      send();
    });
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_FILE));
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // A worker that died leaves what nobody took: scan it here.
  for (let i = 0; i < notes.length; i++) if (!out[i]) out[i] = unitSegments(notes[i]);
  return out;
}
