// micromark closes a list item or block quote by moving the container's exit events to before its
// last line ending, through an EditMap on the document's whole event list. EditMap.consume copies
// the whole list for every edit (micromark-util-edit-map 1.0.0), so a note with n container closings
// costs n × its length: 8,000 `- a\n  - b` pairs took 32 s of CPU, 32,000 took minutes (measured
// with bench/hostile.mjs). This module replaces consume with one that leaves the events before the
// first edit where they are and rebuilds only the rest: the same result, and the document's closings
// cost what follows them (a line or two). Imported once by markdown.ts, before any parse.
import { EditMap } from "micromark-util-edit-map";
import type { Event } from "micromark-util-types";

type Change = [at: number, remove: number, add: Event[]];
interface EditMapState {
  map: Change[];
  index: Map<number, Change>;
}

/** The library's own consume, kept for the equivalence test. */
export const originalConsume: (this: EditMap, events: Event[]) => undefined = EditMap.prototype.consume;

/** How many times the linear consume ran (a test checks micromark's tokenizers use it). */
export let linearConsumeCalls = 0;

/**
 * Applies the edits (sorted by index; edits at one index were merged by `add`) to `events` in place:
 * events[0, first edit) stay, the rest is rebuilt once. Same output as the original for any edits.
 */
function linearConsume(this: EditMap, events: Event[]): undefined {
  const self = this as unknown as EditMapState;
  const map = self.map;
  linearConsumeCalls++;
  if (map.length === 0) return;
  map.sort((a, b) => a[0] - b[0]);
  const first = map[0][0];
  const tail: Event[] = [];
  let pos = first;
  for (const [at, remove, add] of map) {
    for (let i = pos; i < at; i++) tail.push(events[i]);
    for (const e of add) tail.push(e);
    pos = at + remove;
  }
  for (let i = pos; i < events.length; i++) tail.push(events[i]);
  events.length = first;
  for (const e of tail) events.push(e);
  map.length = 0;
  self.index.clear();
}

EditMap.prototype.consume = linearConsume;
