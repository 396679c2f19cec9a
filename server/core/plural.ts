// Counts in messages: "1 note", "2 notes", "1 study", "2 studies". One helper so that every count the
// CLI, the server and the reports print agrees in number.

/**
 * `n` followed by `word` in the singular when n is 1 and in the plural otherwise (`plural` when given,
 * else `word` + "s"). Numbers are printed as given (no thousands separators).
 * Example: plural(1, "practice") = "1 practice"; plural(2, "study", "studies") = "2 studies".
 */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
