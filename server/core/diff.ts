// What changed between two versions of a study (SPEC section 15): classifications, latest
// assessments, notes, exclusions, codes and diagnostic counts. Pure: two opened Studies in, data out.
import type { DiagnosticsReport, PracticeSummary } from "./types.js";
import type { Study } from "./study.js";
import { CONSTRUCTS } from "./npt.js";

export interface VersionRef {
  source: string;
  commit: string | null;
}

export interface AssessmentRef {
  assessment: string;
  date: string;
  file: string;
}

export interface StudyDiff {
  a: VersionRef;
  b: VersionRef;
  /** Practices whose classification changed; `reasons` are B's (why it is not full now). */
  practices: { practice: string; from: PracticeSummary["integration"] | null; to: PracticeSummary["integration"] | null; reasons: string[] }[];
  /** Constructs whose latest assessment (value or the note deciding it) changed, per practice. */
  assessments: { practice: string; construct: string; from: AssessmentRef | null; to: AssessmentRef | null }[];
  notes: { added: string[]; removed: string[]; newlyExcluded: { file: string; rules: string[] }[]; noLongerExcluded: string[] };
  codes: { added: string[]; removed: string[]; newlyDeprecated: string[] };
  diagnostics: { a: DiagnosticsReport["counts"]; b: DiagnosticsReport["counts"] };
  /** False when nothing of the above differs: no change of substance. */
  changed: boolean;
}

const sorted = (xs: Iterable<string>) => [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

function latest(p: PracticeSummary | undefined, c: string): AssessmentRef | null {
  const k = p?.constructs[c];
  return k && k.assessment !== null ? { assessment: k.assessment, date: k.assessedOn!, file: k.assessedIn! } : null;
}

/**
 * The differences from study `a` to study `b` (both opened, configs valid). Practices in B's registry
 * order, then those only in A; notes and codes sorted (codes: B's codebook order for added ones).
 */
export function diffStudies(a: Study, b: Study, refs: { a: VersionRef; b: VersionRef }): StudyDiff {
  const sa = a.summary();
  const sb = b.summary();
  const pa = new Map(sa.practices.map((p) => [p.id, p]));
  const pb = new Map(sb.practices.map((p) => [p.id, p]));
  const ids = [...sb.practices.map((p) => p.id), ...sa.practices.map((p) => p.id).filter((id) => !pb.has(id))];

  const practices: StudyDiff["practices"] = [];
  const assessments: StudyDiff["assessments"] = [];
  for (const id of ids) {
    const x = pa.get(id);
    const y = pb.get(id);
    if (x?.integration !== y?.integration) practices.push({ practice: id, from: x?.integration ?? null, to: y?.integration ?? null, reasons: y?.reasons ?? [] });
    for (const c of CONSTRUCTS) {
      const from = latest(x, c);
      const to = latest(y, c);
      if (JSON.stringify(from) !== JSON.stringify(to)) assessments.push({ practice: id, construct: c, from, to });
    }
  }

  const added = sorted([...b.notes.keys()].filter((f) => !a.notes.has(f)));
  const removed = sorted([...a.notes.keys()].filter((f) => !b.notes.has(f)));
  const newlyExcluded = sorted([...b.notes.values()].filter((r) => r.excluded && !a.notes.get(r.file)?.excluded).map((r) => r.file)).map((file) => ({
    file,
    rules: b.notes.get(file)!.errorRules,
  }));
  const noLongerExcluded = sorted([...a.notes.values()].filter((r) => r.excluded && b.notes.has(r.file) && !b.notes.get(r.file)!.excluded).map((r) => r.file));

  const codesAdded = b.codebook.order.filter((id) => !a.codebook.codes.has(id));
  const codesRemoved = a.codebook.order.filter((id) => !b.codebook.codes.has(id));
  const newlyDeprecated = b.codebook.order.filter((id) => b.codebook.codes.get(id)!.deprecated && !a.codebook.codes.get(id)?.deprecated);

  const counts = { a: a.diagnosticsReport().counts, b: b.diagnosticsReport().counts };
  const changed =
    practices.length + assessments.length + added.length + removed.length + newlyExcluded.length + noLongerExcluded.length +
      codesAdded.length + codesRemoved.length + newlyDeprecated.length > 0 ||
    JSON.stringify(counts.a) !== JSON.stringify(counts.b);
  return {
    a: refs.a,
    b: refs.b,
    practices,
    assessments,
    notes: { added, removed, newlyExcluded, noLongerExcluded },
    codes: { added: codesAdded, removed: codesRemoved, newlyDeprecated },
    diagnostics: counts,
    changed,
  };
}
