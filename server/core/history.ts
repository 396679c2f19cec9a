// Time (SPEC section 15): the study as of a date, and each practice's history of assessments and
// classification. The classification rule itself lives here, once, for the Summary and the history.
import type { IntegrationRule, PracticeSummary } from "./types.js";
import type { NoteRecord, Study } from "./study.js";
import { CONSTRUCTS } from "./npt.js";
import { isRealDate } from "./config.js";

/** A classification made under an integration rule (never null: without a rule there is none). */
export type Integration = NonNullable<PracticeSummary["integration"]>;
export type AssessmentHistory = PracticeSummary["history"];
export type IntegrationHistory = PracticeSummary["integrationHistory"];

/**
 * The classification of section 9: "unassessed" when no construct of the rule has an assessment,
 * "full" when every construct of the rule is assessed full and every level of the rule has a note,
 * else "partial". `assessment(c)` is the latest assessment of construct c (null when none),
 * `levelNotes(l)` the number of notes at level l.
 */
export function classify(rule: IntegrationRule, assessment: (c: string) => string | null, levelNotes: (l: string) => number): Integration {
  if (!rule.constructs.some((c) => assessment(c) !== null)) return "unassessed";
  const full = rule.constructs.every((c) => assessment(c) === "full") && rule.levels.every((l) => levelNotes(l) > 0);
  return full ? "full" : "partial";
}

const byDateThenPath = (a: NoteRecord, b: NoteRecord) => {
  const da = a.reading!.date;
  const db = b.reading!.date;
  return da < db ? -1 : da > db ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
};

/**
 * A practice's `history` (per core construct with at least one assessment: every assessment as
 * `{date, assessment, file}` in the order that decides the latest, date then path) and
 * `integrationHistory` (`{date, integration}` on each date one of its notes falls on, kept only where
 * it differs from the entry before). `notes` are the practice's included notes, in any order.
 * Linear in the notes after sorting: the classification is carried forward date by date.
 */
export function practiceHistory(notes: NoteRecord[], rule: IntegrationRule | null): { history: AssessmentHistory; integrationHistory: IntegrationHistory } {
  const sorted = [...notes].sort(byDateThenPath);
  const history: AssessmentHistory = {};
  const latest = new Map<string, string>();
  const levels = new Map<string, number>();
  const integrationHistory: IntegrationHistory = [];
  for (let i = 0; i < sorted.length; i++) {
    const n = sorted[i].reading!;
    for (const l of n.levels) levels.set(l, (levels.get(l) ?? 0) + 1);
    for (const [construct, value] of n.assessment) {
      if (!(CONSTRUCTS as readonly string[]).includes(construct)) continue;
      (history[construct] ??= []).push({ date: n.date, assessment: value, file: sorted[i].file });
      latest.set(construct, value);
    }
    // The classification as of a date counts every note of that date: decide after the last one.
    // Without an integration rule (`integration: false`) there is no classification to follow.
    if (!rule) continue;
    if (i + 1 < sorted.length && sorted[i + 1].reading!.date === n.date) continue;
    const integration = classify(rule, (c) => latest.get(c) ?? null, (l) => levels.get(l) ?? 0);
    if (integrationHistory[integrationHistory.length - 1]?.integration !== integration) integrationHistory.push({ date: n.date, integration });
  }
  // Constructs in section 4 order.
  const ordered: AssessmentHistory = {};
  for (const c of CONSTRUCTS) if (history[c]) ordered[c] = history[c];
  return { history: ordered, integrationHistory };
}

/** A note's date for as-of: its frontmatter `date` when it is a real YYYY-MM-DD day, else undefined. */
export function noteDate(r: NoteRecord): string | undefined {
  if (r.reading) return r.reading.date;
  const v = r.facts.fields?.find((f) => f.key === "date")?.value;
  return v?.kind === "scalar" && isRealDate(v.text) ? v.text : undefined;
}

/**
 * The study as of `date` (YYYY-MM-DD): a read-only view holding only the notes dated on or before it
 * (notes without a readable date, which are excluded anyway, stay listed as excluded). Every view of
 * a Study (summary, practice detail, reports, CSV) works on it unchanged. The view shares the
 * study's config, codebook and note records; it must not be refreshed or edited.
 */
export function studyAsOf(study: Study, date: string): Study {
  const view = Object.create(study) as Study;
  const notes = new Map<string, NoteRecord>();
  for (const [file, r] of study.notes) {
    const d = noteDate(r);
    if (d === undefined || d <= date) notes.set(file, r);
  }
  // Own state for the view: its notes, and memo tables of its own (the study's stay untouched). A
  // version of its own too, so that anything memoised by version misses and is kept on the view.
  Object.defineProperty(view, "notes", { value: notes });
  Object.defineProperty(view, "version", { value: -1 - study.version, writable: true });
  Object.defineProperty(view, "summaryMemo", { value: undefined, writable: true });
  Object.defineProperty(view, "practiceMemo", { value: new Map(), writable: true });
  return view;
}

/** The plain message for an as-of value that is not a real YYYY-MM-DD day, or undefined when it is one. */
export function asOfProblem(value: string): string | undefined {
  return isRealDate(value) ? undefined : `'${value}' is not a date: give the as-of date as YYYY-MM-DD (a real calendar day).`;
}
