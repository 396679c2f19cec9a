// The Summary (SPEC section 9) and the evidence of one practice, computed from the index's records.
import type { Codebook, Evidence, GroupSummary, PracticeDetail, PracticeSummary, StudyConfig, Summary } from "./types.js";
import type { NoteRecord } from "./study.js";
import { CONSTRUCTS, LEVELS, constructWords, coreConstruct } from "./npt.js";
import { noteSegments } from "./analysis/segments.js";
import { classify, practiceHistory } from "./history.js";

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export type PracticeSummariser = (practice: StudyConfig["practices"][number], notes: NoteRecord[], config: StudyConfig, codebook: Codebook) => PracticeSummary;

export function buildSummary(
  config: StudyConfig,
  codebook: Codebook,
  records: NoteRecord[],
  now: Date,
  summarise: PracticeSummariser = summarisePractice,
): Summary {
  const included = records.filter((r) => !r.excluded && r.reading);
  const excluded = records
    .filter((r) => r.excluded)
    .map((r) => ({ file: r.file, rules: r.errorRules }))
    .sort((a, b) => byPath(a.file, b.file));
  const byPractice = new Map<string, NoteRecord[]>();
  for (const r of included) {
    const list = byPractice.get(r.reading!.practice);
    if (list) list.push(r);
    else byPractice.set(r.reading!.practice, [r]);
  }
  const practices = config.practices.map((p) => summarise(p, byPractice.get(p.id) ?? [], config, codebook));
  // `integration: false` (SPEC section 11): no judgement, so no groups to compare.
  const rule = config.integration;
  const groups: Summary["groups"] = rule
    ? { full: group(practices, "full"), partial: group(practices, "partial"), unassessed: group(practices, "unassessed") }
    : {};
  return {
    study: config.study,
    generatedAt: now.toISOString(),
    rule: rule ? { constructs: [...rule.constructs], levels: [...rule.levels] } : null,
    totals: { notes: records.length, included: records.length - excluded.length, excluded: excluded.length, practices: config.practices.length },
    practices,
    groups,
    excluded,
  };
}

/**
 * `byType` with its keys in one fixed order, the study's `types` and then any other type by name, so
 * that the CLI and the server (whose notes map changes order as files change) print the same JSON.
 */
function typeOrder(byType: Record<string, number>, types: readonly string[]): Record<string, number> {
  const rank = (t: string) => {
    const i = types.indexOf(t);
    return i < 0 ? types.length : i;
  };
  const keys = Object.keys(byType).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, number> = Object.create(null);
  for (const k of keys) out[k] = byType[k];
  return out;
}

export function summarisePractice(
  p: StudyConfig["practices"][number],
  notes: NoteRecord[],
  config: StudyConfig,
  codebook: Codebook,
): PracticeSummary {
  const constructs: PracticeSummary["constructs"] = {};
  for (const c of CONSTRUCTS) constructs[c] = { notes: 0, codedSegments: 0, assessment: null, assessedOn: null, assessedIn: null };
  const levels: Record<string, number> = {};
  for (const l of LEVELS) levels[l] = 0;
  const byType: Record<string, number> = Object.create(null);
  // Null prototypes: code ids are user text (a code named `constructor` must not hit Object.prototype).
  const codes: Record<string, { notes: number; segments: number }> = Object.create(null);
  let firstDate: string | null = null;
  let lastDate: string | null = null;

  for (const r of notes) {
    const n = r.reading!;
    if (firstDate === null || n.date < firstDate) firstDate = n.date;
    if (lastDate === null || n.date > lastDate) lastDate = n.date;
    const type = n.type ?? "unspecified";
    byType[type] = (byType[type] ?? 0) + 1;
    for (const c of n.constructs) constructs[c].notes++;
    for (const l of n.levels) if (l in levels) levels[l]++;
    const inNote = new Set<string>(n.frontCodes);
    for (const seg of r.facts.segments) {
      for (const id of seg.codes) {
        inNote.add(id);
        (codes[id] ??= { notes: 0, segments: 0 }).segments++;
      }
      for (const c of segmentConstructs(seg.codes, codebook)) constructs[c].codedSegments++;
    }
    for (const id of inNote) (codes[id] ??= { notes: 0, segments: 0 }).notes++;
    for (const [construct, value] of n.assessment) {
      const k = constructs[construct];
      if (!k) continue;
      if (k.assessedOn === null || n.date > k.assessedOn || (n.date === k.assessedOn && r.file > k.assessedIn!)) {
        k.assessment = value;
        k.assessedOn = n.date;
        k.assessedIn = r.file;
      }
    }
  }

  // Codes in codebook order, then any others (cannot happen for included notes, kept for safety).
  const orderedCodes: typeof codes = Object.create(null);
  for (const id of codebook.order) if (codes[id]) orderedCodes[id] = codes[id];
  for (const id of Object.keys(codes).sort(byPath)) if (!orderedCodes[id]) orderedCodes[id] = codes[id];

  const rule = config.integration;
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (!rule) return practiceSummary(p, notes.length, firstDate, lastDate, typeOrder(byType, config.types), constructs, levels, orderedCodes, null, reasons, warnings, practiceHistory(notes, null));
  for (const c of rule.constructs) {
    const k = constructs[c];
    if (k.assessment === null) reasons.push(`${constructWords(c)} not assessed`);
    else if (k.assessment !== "full") reasons.push(`${constructWords(c)} assessed ${k.assessment} on ${k.assessedOn}`);
  }
  for (const l of rule.levels) if (levels[l] === 0) reasons.push(`no note at ${l} level`);
  const integration = classify(rule, (c) => constructs[c].assessment, (l) => levels[l]);
  for (const c of CONSTRUCTS) {
    const k = constructs[c];
    if (k.assessment === "full" && k.notes === 0) {
      warnings.push(`${constructWords(c)} assessed full on ${k.assessedOn} but no included note names ${constructWords(c)} in its npt`);
    }
  }
  return practiceSummary(p, notes.length, firstDate, lastDate, typeOrder(byType, config.types), constructs, levels, orderedCodes, integration, reasons, warnings, practiceHistory(notes, rule));
}

function practiceSummary(
  p: StudyConfig["practices"][number],
  notes: number,
  firstDate: string | null,
  lastDate: string | null,
  byType: PracticeSummary["byType"],
  constructs: PracticeSummary["constructs"],
  levels: PracticeSummary["levels"],
  codes: PracticeSummary["codes"],
  integration: PracticeSummary["integration"],
  reasons: string[],
  warnings: string[],
  history: Pick<PracticeSummary, "history" | "integrationHistory">,
): PracticeSummary {
  return {
    id: p.id,
    ...(p.name !== undefined ? { name: p.name } : {}),
    attributes: Object.assign(Object.create(null), p.attributes),
    notes,
    firstDate,
    lastDate,
    byType,
    constructs,
    levels,
    codes,
    integration,
    reasons,
    warnings,
    ...history,
  };
}

function group(practices: PracticeSummary[], kind: PracticeSummary["integration"]): GroupSummary {
  const members = practices.filter((p) => p.integration === kind);
  if (!members.length) return { practices: [], attributes: {} };
  // Attribute names in the order they first appear across the study's practices.
  const names: string[] = [];
  for (const p of practices) for (const k of Object.keys(p.attributes)) if (!names.includes(k)) names.push(k);
  const attributes: GroupSummary["attributes"] = Object.create(null);
  for (const name of names) {
    const all = practices.map((p) => p.attributes[name]).filter((v) => v !== undefined);
    const types = new Set(all.map((v) => typeof v));
    const values = members.map((p) => p.attributes[name]).filter((v) => v !== undefined);
    if (types.size === 1 && types.has("number")) {
      const nums = values as number[];
      if (!nums.length) continue; // no member has it: nothing to compare
      attributes[name] = { mean: nums.reduce((a, b) => a + b, 0) / nums.length, min: Math.min(...nums), max: Math.max(...nums) };
    } else {
      // Booleans and strings (and mixed types, as strings): every value any practice has, zeros included.
      const counts: Record<string, number> = Object.create(null);
      const keys = [...new Set(all.map(String))];
      if (types.size === 1 && types.has("boolean")) keys.sort((a, b) => (a === "true" ? -1 : b === "true" ? 1 : 0));
      for (const k of keys) counts[k] = 0;
      for (const v of values) counts[String(v)]++;
      attributes[name] = counts;
    }
  }
  return { practices: members.map((p) => p.id), attributes };
}

export function buildPracticeDetail(practice: PracticeSummary, codebook: Codebook, records: NoteRecord[]): PracticeDetail {
  const evidence: Evidence[] = [];
  const notes = records.filter((r) => !r.excluded && r.reading?.practice === practice.id).sort((a, b) => byPath(a.file, b.file));
  for (const r of notes) {
    for (const seg of noteSegments(r, codebook)) evidence.push(seg);
  }
  return { ...practice, evidence };
}

/** The core constructs a segment's codes map to (each once), in section 4 order. */
export function segmentConstructs(codes: string[], codebook: Codebook): string[] {
  const cores = new Set<string>();
  for (const id of codes) {
    const npt = codebook.codes.get(id)?.npt;
    const core = npt ? coreConstruct(npt) : undefined;
    if (core) cores.add(core);
  }
  return CONSTRUCTS.filter((c) => cores.has(c));
}
