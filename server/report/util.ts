// Shared helpers for the reports: reading note facts the Summary does not carry, escaping, labels.
import type { Study, NoteRecord } from "../core/study.js";
import type { PracticeSummary } from "../core/types.js";
import { CONSTRUCTS, LEVELS, constructWords } from "../core/npt.js";

export { CONSTRUCTS, LEVELS };

/** Included notes, sorted by path (UTF-16 order): the order of evidence and segment rows. */
export function includedNotes(study: Study): NoteRecord[] {
  return [...study.notes.values()]
    .filter((r) => !r.excluded && r.reading)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** A string-valued frontmatter field of a note (e.g. `observer`), or "" when absent or not a string. */
export function stringField(r: NoteRecord, key: string): string {
  const v = r.facts.fields?.find((f) => f.key === key)?.value;
  return v?.kind === "scalar" && v.type !== "null" ? v.text : "";
}

/** "cognitive-participation" -> "Cognitive participation". */
export function constructTitle(id: string): string {
  const w = constructWords(id);
  return w[0].toUpperCase() + w.slice(1);
}

export const ASSESSMENT_SYMBOL: Record<string, string> = { full: "●", partial: "◐", absent: "○" };
export type Integration = NonNullable<PracticeSummary["integration"]>;
export const INTEGRATION_SYMBOL: Record<Integration, string> = { full: "✔", partial: "◐", unassessed: "?" };
export const INTEGRATION_WORDS: Record<Integration, string> = {
  full: "Fully integrated",
  partial: "Partially integrated",
  unassessed: "Not yet assessed",
};

/** A number for people: integers as they are, others to at most two decimals. */
export function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(2)));
}

/** The integration rule in words, from the Summary's `rule`. */
export function ruleWords(rule: { constructs: string[]; levels: string[] }): string {
  const list = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
  const parts: string[] = [];
  if (rule.constructs.length) parts.push(`${list(rule.constructs.map(constructWords))} are all assessed full`);
  if (rule.levels.length) parts.push(`there is at least one note at ${list(rule.levels)} level`);
  return `A practice is fully integrated when ${parts.join(" and ") || "it has been assessed"}.`;
}

/** Months "YYYY-MM" from the first to the last (inclusive). */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const ly = Number(last.slice(0, 4));
  const lm = Number(last.slice(5, 7));
  while ((y < ly || (y === ly && m <= lm)) && out.length < 1200) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
