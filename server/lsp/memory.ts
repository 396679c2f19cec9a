// Peak memory: indexing a large study leaves a big heap of garbage, and V8 sizes its next collection
// from the heap it saw, so the editing that follows would grow the process far beyond what it keeps
// alive (measured on 10,000 notes: ~400 MB peak RSS vs ~230 MB with one full collection after the
// load). One full collection after an indexing pass resets that baseline. `global.gc` is exposed
// through V8's flags at runtime; when that is not possible nothing happens.
import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  try {
    gc?.();
  } catch {
    // never fatal
  }
}
