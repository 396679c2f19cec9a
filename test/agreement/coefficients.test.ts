// The closed forms of the 2×2 coefficients (used for pooled tables of millions of decisions) agree with
// the general definitions over category pairs, and the general κ gives a hand-worked multi-category value.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { binaryAgreement, cohensKappa, krippendorffAlpha } from "../../server/core/agreement/coefficients.js";

describe("agreement coefficients", () => {
  it("binaryAgreement equals κ and α computed from the expanded pairs", () => {
    fc.assert(
      fc.property(fc.nat(30), fc.nat(30), fc.nat(30), fc.nat(30), (both, onlyA, onlyB, neither) => {
        const pairs: [boolean, boolean][] = [];
        const push = (x: boolean, y: boolean, k: number) => {
          for (let i = 0; i < k; i++) pairs.push([x, y]);
        };
        push(true, true, both);
        push(true, false, onlyA);
        push(false, true, onlyB);
        push(false, false, neither);
        const closed = binaryAgreement({ a: both + onlyA, b: both + onlyB, both, neither });
        const k = cohensKappa(pairs);
        const a = krippendorffAlpha(pairs);
        if (k === null) expect(closed.kappa).toBeNull();
        else expect(closed.kappa).toBeCloseTo(k, 12);
        if (a === null) expect(closed.alpha).toBeNull();
        else expect(closed.alpha).toBeCloseTo(a, 12);
      }),
      { numRuns: 300 },
    );
  });

  it("Cohen's κ with three categories, a worked example by hand (κ = 0.29 / 0.59 = 0.492)", () => {
    // Rows: rater A's category, columns: rater B's; counts out of 100.
    const table = [
      [44, 5, 1],
      [7, 20, 3],
      [9, 5, 6],
    ];
    const pairs: [number, number][] = [];
    table.forEach((row, i) => row.forEach((k, j) => { for (let n = 0; n < k; n++) pairs.push([i, j]); }));
    // p_o = 0.70; p_e = 0.5·0.6 + 0.3·0.3 + 0.2·0.1 = 0.41; κ = 0.29 / 0.59.
    expect(cohensKappa(pairs)).toBeCloseTo(0.29 / 0.59, 12);
    expect(cohensKappa(pairs)!.toFixed(3)).toBe("0.492");
  });
});
