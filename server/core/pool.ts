// A small pool of worker threads for cold parsing. Falls back to parsing in this thread when the
// compiled worker is absent (running from TypeScript sources) or the batch is small.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import type { NoteFacts } from "./types.js";
import { parseNoteBytes } from "./note.js";

const WORKER_FILE = fileURLToPath(new URL("./worker.js", import.meta.url));
const BATCH = 64;
/** Below this many notes, starting workers costs more than it saves. */
export const PARALLEL_THRESHOLD = 300;

export async function parseAll(jobs: Uint8Array[], workers = availableParallelism()): Promise<NoteFacts[]> {
  const results: NoteFacts[] = new Array(jobs.length);
  if (jobs.length < PARALLEL_THRESHOLD || workers < 2 || !existsSync(WORKER_FILE)) {
    for (let i = 0; i < jobs.length; i++) results[i] = parseNoteBytes(jobs[i]);
    return results;
  }
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(WORKER_FILE));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= jobs.length) return resolve();
              const batch = [];
              for (let k = 0; k < BATCH && next < jobs.length; k++, next++) batch.push({ id: next, bytes: jobs[next] });
              worker.postMessage(batch);
            };
            worker.on("message", (done: { id: number; facts: NoteFacts }[]) => {
              for (const d of done) results[d.id] = d.facts;
              send();
            });
            worker.on("error", reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
