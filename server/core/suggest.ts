// "Did you mean" suggestions by edit distance (case-insensitive Damerau-Levenshtein, bounded).

export function editDistance(a: string, b: string, limit = Infinity): number {
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

/** Up to `max` candidates closest to `word`, nearest first; only plausible ones (distance within a third of the length, at least 2). */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(word.length / 3));
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    let d = cl === lower ? 0 : editDistance(lower, cl, limit);
    // A prefix or a segment match (e.g. `enrolment` for `cognitive-participation/enrolment`) is also plausible.
    if (d > limit && lower.length >= 4 && (cl.endsWith("/" + lower) || cl.startsWith(lower))) d = limit;
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, max).map((s) => s.c);
}

export function didYouMean(suggestions: string[]): string {
  if (!suggestions.length) return "";
  return ` Did you mean ${suggestions.map((s) => `'${s}'`).join(" or ")}?`;
}
