// Inter-coder agreement between two versions of a study (SPEC section 14): the compared notes, the
// units, per-code 2×2 tables with percent agreement, Cohen's κ and Krippendorff's α, pooled figures,
// every disagreement, and the assessments and classifications of the two coders.
import type { StudyVersion } from "../git/revision.js";
import { matchUnits, type Segment, type Unit } from "./units.js";
import { scanSegments } from "./scan.js";
import { binaryAgreement, cohensKappa, type TwoByTwo } from "./coefficients.js";

export interface CodeAgreement extends TwoByTwo {
  code: string;
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
}

export interface Disagreement {
  file: string;
  /** The unit's line in A (1-based). */
  line: number;
  /** The unit's text in A. */
  text: string;
  code: string;
  a: boolean;
  b: boolean;
}

/** The JSON of SPEC section 14 (plus `warnings`: the codebooks differ, and so on). */
export interface AgreementReport {
  a: { source: string; commit: string | null };
  b: { source: string; commit: string | null };
  notes: { compared: number; onlyInA: string[]; onlyInB: string[]; excluded: { file: string; side: "a" | "b"; rules: string[] }[] };
  units: number;
  unmatched: { file: string; line: number; side: "a" | "b" }[];
  codes: CodeAgreement[];
  overall: { agreement: number | null; kappa: number | null; alpha: number | null };
  disagreements: Disagreement[];
  assessments: { pairs: { practice: string; construct: string; a: string | null; b: string | null }[]; agreement: number | null; kappa: number | null };
  integration: { practice: string; a: string | null; b: string | null }[];
  warnings: string[];
}

/** What the HTML report shows beside the JSON: each unit's codes on both sides, by file and A's line. */
export interface AgreementDetail {
  units: Unit[];
}

/** There is nothing to compare (no note in common, or no unit): the CLI's exit 2. */
export class NothingToCompareError extends Error {}

const byString = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Compares the coding of A and B. Notes compared: same path in both, included in both. Codes: every
 * code either side uses inline in a compared note, in A's codebook order, then B's, then any other.
 * Throws NothingToCompareError when no note or no unit is in common.
 */
export async function compareCoding(a: StudyVersion, b: StudyVersion): Promise<{ report: AgreementReport; detail: AgreementDetail }> {
  const warnings: string[] = [];
  const notesA = a.study.notes;
  const notesB = b.study.notes;
  const onlyInA = [...notesA.keys()].filter((f) => !notesB.has(f)).sort(byString);
  const onlyInB = [...notesB.keys()].filter((f) => !notesA.has(f)).sort(byString);
  const excluded: AgreementReport["notes"]["excluded"] = [];
  for (const [side, notes] of [["a", notesA], ["b", notesB]] as const) {
    for (const r of [...notes.values()].sort((x, y) => byString(x.file, y.file))) if (r.excluded) excluded.push({ file: r.file, side, rules: r.errorRules });
  }
  const compared = [...notesA.keys()].filter((f) => notesB.has(f) && !notesA.get(f)!.excluded && !notesB.get(f)!.excluded).sort(byString);
  if (!compared.length) throw new NothingToCompareError(`No note is in both ${a.source} and ${b.source} and included in both: there is nothing to compare.`);

  const units: Unit[] = [];
  const unmatched: AgreementReport["unmatched"] = [];
  // Codes used inline in a compared note on either side (in a unit or not).
  const used = new Set<string>();
  // In slices, so that only a slice's bytes are held at once; each slice scanned on every core.
  for (let from = 0; from < compared.length; from += SLICE) {
    const files = compared.slice(from, from + SLICE);
    const both = await segmentsOfBoth(a, b, files);
    files.forEach((file, i) => {
      const [sa, sb] = both[i];
      for (const s of sa) for (const c of s.codes) used.add(c);
      for (const s of sb) for (const c of s.codes) used.add(c);
      const m = matchUnits(file, sa, sb);
      for (const u of m.units) units.push(u);
      for (const u of m.unmatched) unmatched.push(u);
    });
  }
  if (!units.length) throw new NothingToCompareError(`The ${compared.length} note(s) in common share no segment of text: there is no unit to compare.`);

  const codebookNote = codebookDifference(a, b);
  if (codebookNote) warnings.push(codebookNote);

  // In codebook order (A's, then B's), then any other.
  const order = [...new Set([...a.study.codebook.order, ...b.study.codebook.order, ...[...used].sort(byString)])].filter((c) => used.has(c));

  const tables = new Map<string, TwoByTwo>(order.map((c) => [c, { a: 0, b: 0, both: 0, neither: 0 }]));
  const disagreements: Disagreement[] = [];
  for (const u of units) {
    const inA = new Set(u.a.codes);
    const inB = new Set(u.b.codes);
    for (const c of inA) tables.get(c)!.a++;
    for (const c of inB) {
      const t = tables.get(c)!;
      t.b++;
      if (inA.has(c)) t.both++;
    }
    // Only codes one of them applied can differ (not every code of the study: units × codes is large).
    for (const c of inA) if (!inB.has(c)) disagreements.push({ file: u.file, line: u.a.line, text: u.a.text, code: c, a: true, b: false });
    for (const c of inB) if (!inA.has(c)) disagreements.push({ file: u.file, line: u.a.line, text: u.a.text, code: c, a: false, b: true });
  }
  const pooled: TwoByTwo = { a: 0, b: 0, both: 0, neither: 0 };
  const codes: CodeAgreement[] = order.map((code) => {
    const t = tables.get(code)!;
    t.neither = units.length - t.a - t.b + t.both;
    pooled.a += t.a;
    pooled.b += t.b;
    pooled.both += t.both;
    pooled.neither += t.neither;
    return { code, ...t, ...binaryAgreement(t) };
  });
  const kappas = codes.map((c) => c.kappa).filter((k): k is number => k !== null);
  const overallPooled = binaryAgreement(pooled);
  disagreements.sort((x, y) => byString(x.file, y.file) || x.line - y.line || byString(x.code, y.code));

  const report: AgreementReport = {
    a: { source: a.source, commit: a.commit },
    b: { source: b.source, commit: b.commit },
    notes: { compared: compared.length, onlyInA, onlyInB, excluded },
    units: units.length,
    unmatched,
    codes,
    overall: { agreement: overallPooled.agreement, kappa: kappas.length ? kappas.reduce((s, k) => s + k, 0) / kappas.length : null, alpha: overallPooled.alpha },
    disagreements,
    ...judgements(a, b),
    warnings,
  };
  return { report, detail: { units } };
}

/** Notes per slice of the comparison. */
const SLICE = 2000;

/** Segments of each note on both sides, in order; identical bytes (same content hash) are scanned once. */
async function segmentsOfBoth(a: StudyVersion, b: StudyVersion, files: string[]): Promise<[Segment[], Segment[]][]> {
  const bytes: Uint8Array[] = [];
  const empty = new Uint8Array(0);
  const slots = files.map((file) => {
    const ra = a.study.notes.get(file)!;
    const rb = b.study.notes.get(file)!;
    const ia = bytes.push(a.read(ra.file) ?? empty) - 1;
    const ib = ra.hash && ra.hash === rb.hash ? ia : bytes.push(b.read(rb.file) ?? empty) - 1;
    return [ia, ib] as const;
  });
  const scanned = await scanSegments(bytes);
  return slots.map(([ia, ib]) => [scanned[ia], scanned[ib]]);
}

/** A sentence when the two codebooks differ (codes only on one side, or changed entries), else undefined. */
function codebookDifference(a: StudyVersion, b: StudyVersion): string | undefined {
  const ca = a.study.codebook.codes;
  const cb = b.study.codebook.codes;
  const onlyA = [...ca.keys()].filter((k) => !cb.has(k));
  const onlyB = [...cb.keys()].filter((k) => !ca.has(k));
  const strip = (e: object) => JSON.stringify({ ...e, range: undefined, entryRange: undefined, references: undefined });
  const changed = [...ca.keys()].filter((k) => cb.has(k) && strip(ca.get(k)!) !== strip(cb.get(k)!));
  if (!onlyA.length && !onlyB.length && !changed.length) return undefined;
  const parts = [
    onlyA.length ? `only in ${a.source}: ${onlyA.join(", ")}` : "",
    onlyB.length ? `only in ${b.source}: ${onlyB.join(", ")}` : "",
    changed.length ? `defined differently: ${changed.join(", ")}` : "",
  ].filter(Boolean);
  return `The two codebooks differ (${parts.join("; ")}); agreement is computed over the union of the codes used.`;
}

/** Latest assessments per practice and rule construct on both sides, their agreement and κ, and the classifications. */
function judgements(a: StudyVersion, b: StudyVersion): Pick<AgreementReport, "assessments" | "integration"> {
  const sa = a.study.summary();
  const sb = b.study.summary();
  const pb = new Map(sb.practices.map((p) => [p.id, p]));
  const pairs: AgreementReport["assessments"]["pairs"] = [];
  const integration: AgreementReport["integration"] = [];
  const constructs = sa.rule?.constructs ?? [];
  for (const p of sa.practices) {
    const q = pb.get(p.id);
    integration.push({ practice: p.id, a: p.integration, b: q?.integration ?? null });
    for (const c of constructs) pairs.push({ practice: p.id, construct: c, a: p.constructs[c]?.assessment ?? null, b: q?.constructs[c]?.assessment ?? null });
  }
  for (const q of sb.practices) if (!sa.practices.some((p) => p.id === q.id)) integration.push({ practice: q.id, a: null, b: q.integration });
  const both = pairs.filter((p) => p.a !== null && p.b !== null).map((p) => [p.a, p.b] as [string, string]);
  return {
    assessments: { pairs, agreement: both.length ? both.filter(([x, y]) => x === y).length / both.length : null, kappa: cohensKappa(both) },
    integration,
  };
}
