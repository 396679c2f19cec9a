// "Did you mean" suggestions by edit distance (case-insensitive optimal-string-alignment
// Damerau-Levenshtein, bounded), and an index that keeps their cost flat however large the list of
// ids (a codebook of 26,000 codes) and however many unknown ids a study holds.

/** How many edit distances have been computed since the process started (tests assert cost with it). */
export const suggestStats = { distances: 0 };

/**
 * Optimal-string-alignment distance between `a` and `b` (insertions, deletions, substitutions and
 * transpositions of neighbours each cost 1); any value above `limit` is returned as `limit + 1`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  suggestStats.distances++;
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const prevPrev: number[] = new Array(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur: number[] = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    for (let j = 0; j <= b.length; j++) prevPrev[j] = prev[j];
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The largest distance still offered for `word`: a third of its length, at least 2. */
function limitFor(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

function byDistance(scored: { c: string; d: number }[], max: number): string[] {
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, max).map((s) => s.c);
}

/**
 * Up to `max` candidates closest to `word`, nearest first; only plausible ones (distance within a
 * third of the length, at least 2, or a prefix or a `/`-segment of at least 4 characters). A
 * candidate that differs only in case is the one answer (`Coherence` → just `coherence`).
 * Scans every candidate: for short lists (NPT ids, fields); see Suggester for long ones.
 */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const limit = limitFor(word);
  const scored: { c: string; d: number }[] = [];
  const sameButCase: string[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) {
      sameButCase.push(c);
      continue;
    }
    let d = editDistance(lower, cl, limit);
    // A prefix or a segment match (e.g. `enrolment` for `cognitive-participation/enrolment`) is also plausible.
    if (d > limit && lower.length >= 4 && (cl.endsWith("/" + lower) || cl.startsWith(lower))) d = limit;
    if (d <= limit) scored.push({ c, d });
  }
  if (sameButCase.length) return sameButCase.sort().slice(0, max);
  return byDistance(scored, max);
}

/** Lists up to this long are scanned whole (the exact answer of `closest`); longer ones use the index. */
export const SCAN_LIMIT = 256;
/** Answers remembered per Suggester before the memory starts afresh. */
const MEMO_LIMIT = 50_000;
/** At most this many prefix matches are weighed for one word in a long list. */
const PREFIX_CANDIDATES = 16;

/**
 * "Did you mean" over a fixed list of ids (a codebook's codes, a study's practices), answering each
 * distinct word once (memoised for the life of the object, i.e. of one validation context).
 *
 * A list longer than SCAN_LIMIT is indexed by its one-character deletions (the symmetric-deletion
 * scheme of SymSpell, W. Garbe 2012): two ids within one edit of each other share a deletion
 * variant, as do most pairs two edits apart, so a word is compared only with ids that share one of
 * its variants, plus a few ids it is a prefix of. The cost of a suggestion then depends on the
 * word's length and its near neighbours, not on the size of the list; what is lost against a full
 * scan are the looser matches (three or more edits) in lists of over SCAN_LIMIT ids.
 */
export class Suggester {
  private readonly ids: string[];
  private readonly byLower = new Map<string, string[]>();
  private variants?: Map<string, number[]>;
  private sortedLower?: { lower: string; id: number }[];
  private readonly memo = new Map<string, string[]>();

  constructor(ids: Iterable<string>) {
    this.ids = [...new Set(ids)];
    for (const id of this.ids) {
      const l = id.toLowerCase();
      const same = this.byLower.get(l);
      if (same) same.push(id);
      else this.byLower.set(l, [id]);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** Up to `max` ids closest to `word`, by the rules of `closest`. */
  closest(word: string, max = 3): string[] {
    const key = `${max}\u0000${word}`;
    let answer = this.memo.get(key);
    if (!answer) {
      answer = this.compute(word, max);
      // An editor session types many passing words into one context: the memory stays bounded.
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, answer);
    }
    return answer;
  }

  private compute(word: string, max: number): string[] {
    const lower = word.toLowerCase();
    const same = this.byLower.get(lower);
    if (same) return [...same].sort().slice(0, max);
    if (this.ids.length <= SCAN_LIMIT) return closest(word, this.ids, max);
    const limit = limitFor(word);
    const seen = new Set<number>();
    const scored: { c: string; d: number }[] = [];
    const consider = (i: number, prefix: boolean) => {
      if (seen.has(i)) return;
      seen.add(i);
      const c = this.ids[i];
      let d = editDistance(lower, c.toLowerCase(), limit);
      if (d > limit && prefix) d = limit;
      if (d <= limit) scored.push({ c, d });
    };
    const variants = this.index();
    for (const v of deletions(lower)) for (const i of variants.get(v) ?? []) consider(i, false);
    if (lower.length >= 4) {
      const sorted = this.sortedLower!;
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid].lower < lower) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < sorted.length && k < lo + PREFIX_CANDIDATES && sorted[k].lower.startsWith(lower); k++) consider(sorted[k].id, true);
    }
    return byDistance(scored, max);
  }

  /** Built on first need: ids by each of their one-deletion variants (and themselves), and sorted for prefixes. */
  private index(): Map<string, number[]> {
    if (this.variants) return this.variants;
    const variants = new Map<string, number[]>();
    this.ids.forEach((id, i) => {
      for (const v of deletions(id.toLowerCase())) {
        const list = variants.get(v);
        if (!list) variants.set(v, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
    this.sortedLower = this.ids.map((id, i) => ({ lower: id.toLowerCase(), id: i })).sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
    return (this.variants = variants);
  }
}

/** `s` itself and every string made by deleting one of its characters. */
function deletions(s: string): Set<string> {
  const out = new Set<string>([s]);
  for (let i = 0; i < s.length; i++) out.add(s.slice(0, i) + s.slice(i + 1));
  return out;
}

/** " Did you mean 'a' or 'b'?" for a message, or "" without suggestions. */
export function didYouMean(suggestions: string[]): string {
  if (!suggestions.length) return "";
  return ` Did you mean ${suggestions.map((s) => `'${s}'`).join(" or ")}?`;
}
