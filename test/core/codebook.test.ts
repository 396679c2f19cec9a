// Codebook hierarchies (SPEC section 3): cycles of parents reported once each, located on the first
// member in codebook order; long chains and cycles are checked in linear time.
import { describe, expect, it } from "vitest";
import { parseCodebook, parentCycles } from "../../server/core/codebook.js";
import type { CodeEntry, Codebook } from "../../server/core/types.js";

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function codebook(entries: [string, string | undefined][]): string {
  return "codes:\n" + entries.map(([id, parent]) => `  ${id}:\n    label: ${id}\n${parent ? `    parent: ${parent}\n` : ""}`).join("");
}

describe("cycles of parents", () => {
  it("each cycle is reported once, on its first member's parent, naming its members", () => {
    const text = codebook([["x", undefined], ["a", "b"], ["b", "c"], ["c", "a"], ["d", "a"], ["e", "e"], ["f", "x"]]);
    const ds = parseCodebook(text).diagnostics;
    expect(ds.map((d) => [d.rule, d.range.start.line])).toEqual([["codebook-reference", 5], ["codebook-reference", 17]]);
    expect(ds[0].message).toContain("'a' → 'b' → 'c' → 'a'");
    expect(ds[1].message).toContain("'e' → 'e'");
  });
  it("a cycle entered from a code outside it is still one cycle, starting at its first member", () => {
    const cb = parseCodebook(codebook([["tail", "m2"], ["m1", "m2"], ["m2", "m3"], ["m3", "m1"]])).codebook;
    expect(parentCycles(cb)).toEqual([["m1", "m2", "m3"]]);
  });
  it("10,000 codes in one cycle, and a chain of 10,000: one cycle found, each code walked once", () => {
    const n = 10_000;
    const ids = Array.from({ length: n }, (_, i) => `code-${i}`);
    const make = (parent: (i: number) => string | undefined): Codebook => {
      const codes = new Map<string, CodeEntry>();
      ids.forEach((id, i) => codes.set(id, { id, label: id, parent: parent(i), deprecated: false, range: ZERO, references: [], entryRange: ZERO }));
      // A Map that counts lookups: a linear walk makes O(n) of them, the old per-code walk O(n²).
      let lookups = 0;
      const get = codes.get.bind(codes);
      codes.get = (k: string) => (lookups++, get(k));
      return Object.assign({ order: ids, codes }, { lookups: () => lookups });
    };
    const cycle = make((i) => ids[(i + 1) % n]);
    expect(parentCycles(cycle)).toEqual([ids]);
    expect((cycle as unknown as { lookups(): number }).lookups()).toBeLessThanOrEqual(2 * n);
    const chain = make((i) => (i + 1 < n ? ids[i + 1] : undefined));
    expect(parentCycles(chain)).toEqual([]);
    expect((chain as unknown as { lookups(): number }).lookups()).toBeLessThanOrEqual(2 * n);
  });
});
