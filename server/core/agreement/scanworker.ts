// Worker thread for inter-coder agreement: reads every segment of a batch of notes (unitSegments), so
// that the two coders' versions of thousands of notes are scanned on every core.
import { parentPort } from "node:worker_threads";
import { unitSegments } from "./units.js";

parentPort!.on("message", (batch: { id: number; bytes: Uint8Array }[]) => {
  parentPort!.postMessage(batch.map(({ id, bytes }) => ({ id, segments: unitSegments(bytes) })));
});
