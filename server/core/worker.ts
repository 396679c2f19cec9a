// Worker thread: parses batches of note bytes into facts, so a cold run uses every core.
import { parentPort } from "node:worker_threads";
import { parseNoteBytes } from "./note.js";

parentPort!.on("message", (batch: { id: number; bytes: Uint8Array }[]) => {
  parentPort!.postMessage(batch.map(({ id, bytes }) => ({ id, facts: parseNoteBytes(bytes) })));
});
