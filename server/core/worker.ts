// Worker thread: parses batches of note bytes into facts, validates them against the study's context
// and serialises them for the cache, so a cold run uses every core and leaves the main thread free.
import { parentPort } from "node:worker_threads";
import { parseNoteBytes } from "./note.js";
import { makeContext, verdictOf, type ValidationContext } from "./validate.js";
import { isHugeFacts, serializeFacts } from "./cache.js";
import type { WorkerContext } from "./pool.js";

let context: ValidationContext | undefined;

parentPort!.on("message", (message: { context: WorkerContext | undefined } | { id: number; bytes: Uint8Array }[]) => {
  if (!Array.isArray(message)) {
    const c = message.context;
    context = c ? makeContext(c.config, c.codebook, c.today) : undefined;
    return;
  }
  parentPort!.postMessage(
    message.map(({ id, bytes }) => {
      const facts = parseNoteBytes(bytes);
      return { id, json: serializeFacts(facts), verdict: context ? verdictOf(facts, context) : undefined, huge: isHugeFacts(facts) };
    }),
  );
});
