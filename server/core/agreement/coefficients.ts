// The agreement coefficients, written once.
//
// Cohen's κ (Cohen, J. 1960. "A coefficient of agreement for nominal scales". Educational and
// Psychological Measurement 20(1): 37-46): κ = (p_o − p_e) / (1 − p_e), where p_o is the share of
// units both coders put in the same category and p_e = Σ_k p_A(k)·p_B(k) the agreement expected from
// each coder's own category shares.
//
// Krippendorff's α for nominal data (Krippendorff, K. 2011. "Computing Krippendorff's Alpha-
// Reliability", Annenberg School for Communication, University of Pennsylvania, section C):
// α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, with n the number of pairable values, o_ck the
// coincidence matrix and n_c the values of category c. With two coders and no missing values each unit
// adds one pair (x, y) to o_xy and one to o_yx, so Σ_{c≠k} o_ck = 2·D (D units on which they differ)
// and n = 2·units.
//
// A coefficient whose expected disagreement is 0 (1 − p_e = 0, or Σ n_c·n_k = 0: every value in one
// category) is undefined: null.

/** Cohen's κ from the coders' category pairs (one [a, b] per unit); null when undefined or no units. */
export function cohensKappa<T>(pairs: [T, T][]): number | null {
  const n = pairs.length;
  if (!n) return null;
  const a = new Map<T, number>();
  const b = new Map<T, number>();
  let same = 0;
  for (const [x, y] of pairs) {
    if (x === y) same++;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  let pe = 0;
  for (const [k, na] of a) pe += (na / n) * ((b.get(k) ?? 0) / n);
  const po = same / n;
  return 1 - pe === 0 ? null : (po - pe) / (1 - pe);
}

/** Krippendorff's α (nominal) for two coders without missing values, from the coders' category pairs; null when undefined. */
export function krippendorffAlpha<T>(pairs: [T, T][]): number | null {
  const values = new Map<T, number>();
  let differ = 0;
  for (const [x, y] of pairs) {
    if (x !== y) differ++;
    values.set(x, (values.get(x) ?? 0) + 1);
    values.set(y, (values.get(y) ?? 0) + 1);
  }
  const n = 2 * pairs.length;
  // Σ_{c≠k} n_c·n_k = n² − Σ_c n_c².
  let squares = 0;
  for (const v of values.values()) squares += v * v;
  const expected = n * n - squares;
  return expected === 0 ? null : 1 - ((n - 1) * 2 * differ) / expected;
}

/** The 2×2 table of one code over the units: how many units A codes with it, B, both, neither. */
export interface TwoByTwo {
  a: number;
  b: number;
  both: number;
  neither: number;
}

/**
 * Percent agreement, κ and α of a 2×2 table (agreement null when there are no units): the formulas
 * above with two categories, in closed form (pooled tables reach millions of decisions).
 * κ: p_o = (both + neither)/n, p_e = p_A·p_B + (1 − p_A)(1 − p_B). α: N = 2n values, n_1 = a + b,
 * n_0 = N − n_1, D = a + b − 2·both, Σ_{c≠k} n_c·n_k = 2·n_0·n_1.
 */
export function binaryAgreement(t: TwoByTwo): { agreement: number | null; kappa: number | null; alpha: number | null } {
  const n = t.a + t.b - t.both + t.neither;
  if (!n) return { agreement: null, kappa: null, alpha: null };
  const po = (t.both + t.neither) / n;
  const pa = t.a / n;
  const pb = t.b / n;
  const pe = pa * pb + (1 - pa) * (1 - pb);
  const values = 2 * n;
  const ones = t.a + t.b;
  const expected = 2 * (values - ones) * ones;
  const differ = t.a + t.b - 2 * t.both;
  return {
    agreement: po,
    kappa: 1 - pe === 0 ? null : (po - pe) / (1 - pe),
    alpha: expected === 0 ? null : 1 - ((values - 1) * 2 * differ) / expected,
  };
}
