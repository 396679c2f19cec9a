// Framework matrices (SPEC 12.3): rows are cases of some kind (practices, participants, note types,
// months, or values of a practice or participant attribute), columns constructs, codes or levels, cells
// counts of notes or coded segments, or the latest assessment.
import type { Codebook, StudyConfig } from "../types.js";
import type { NoteRecord, Study } from "../study.js";
import { CONSTRUCTS, LEVELS, coreConstruct } from "../npt.js";
import { closest, didYouMean } from "../suggest.js";
import { AnalysisUsageError, attributeNames, attributeText, descendants, noteMatcher, parseFilters, segmentFilterNames, type Filters } from "./filters.js";
import { byString } from "./segments.js";

export const MATRIX_BY = ["construct", "code", "level", "assessment"] as const;
export type MatrixBy = (typeof MATRIX_BY)[number];
export const MATRIX_COUNT = ["notes", "segments"] as const;
/** Parameters of the matrix besides the filters. */
export const MATRIX_PARAMS = ["by", "presence", "rows", "count", "rollup"] as const;

export interface MatrixParams {
  by: MatrixBy;
  /** `practice`, `participant`, `type`, `month`, `practice.ATTR` or `participant.ATTR`. */
  rows: string;
  count: "notes" | "segments";
  rollup: boolean;
  presence: boolean;
  filters: Filters;
  /** True when only `by` and `presence` were given: the output is exactly SPEC section 8's. */
  plain: boolean;
}

export interface Matrix {
  /** The first column's header (the `rows` value), then one per column id. */
  header: string[];
  /** Row labels and cells (counts, or assessment words with "" for none). */
  rows: { label: string; cells: (number | string)[] }[];
}

const FLAG = ["", "0", "1", "true", "false"];

/**
 * Reads `by`, `presence`, `rows`, `count`, `rollup` and the note-level filters from name/value pairs
 * (query parameters or CLI options). Throws AnalysisUsageError for a bad value or combination
 * (SPEC 12.3: count=segments with by=level or assessment, by=assessment with rows other than practice,
 * rollup without by=code, any segment-level filter).
 */
export function parseMatrixParams(pairs: [string, string][], config: StudyConfig, codebook: Codebook): MatrixParams {
  const one = (name: string): string | undefined => {
    const vs = pairs.filter(([n]) => n === name).map(([, v]) => v);
    if (vs.length > 1) throw new AnalysisUsageError(`'${name}' is given ${vs.length} times; give it once.`);
    return vs[0];
  };
  const by = (one("by") ?? "construct") as MatrixBy;
  if (!MATRIX_BY.includes(by)) throw new AnalysisUsageError(`'by' must be one of ${MATRIX_BY.join(", ")}, not '${by}'.${didYouMean(closest(by, MATRIX_BY, 1))}`);
  const flag = (name: string): boolean | undefined => {
    const v = one(name);
    if (v === undefined) return undefined;
    if (!FLAG.includes(v)) throw new AnalysisUsageError(`'${name}' must be 1 or 0, not '${v}'.`);
    return v === "1" || v === "true" || v === "";
  };
  const presence = flag("presence") ?? false;
  const rollupGiven = flag("rollup");
  const rollup = rollupGiven ?? false;
  const rowsGiven = one("rows");
  const rows = rowsGiven ?? "practice";
  checkRows(rows, config);
  const countGiven = one("count");
  const count = (countGiven ?? "notes") as MatrixParams["count"];
  if (!MATRIX_COUNT.includes(count)) throw new AnalysisUsageError(`'count' must be notes or segments, not '${count}'.${didYouMean(closest(count, MATRIX_COUNT, 1))}`);
  if (count === "segments" && (by === "level" || by === "assessment")) {
    throw new AnalysisUsageError(`'count=segments' needs by=code or by=construct: a ${by === "level" ? "level belongs to a note" : "assessment belongs to a note"}, not to a segment.`);
  }
  if (by === "assessment" && rows !== "practice") throw new AnalysisUsageError(`'by=assessment' takes only rows=practice (an assessment is of a practice), not rows=${rows}.`);
  if (rollup && by !== "code") throw new AnalysisUsageError(`'rollup' works with by=code (it adds the codes below each code), not by=${by}.`);
  const filterPairs = pairs.filter(([n]) => !(MATRIX_PARAMS as readonly string[]).includes(n));
  const filters = parseFilters(filterPairs, { config, codebook }, MATRIX_PARAMS);
  const segmentLevel = segmentFilterNames(filters);
  if (segmentLevel.length) {
    throw new AnalysisUsageError(`'${segmentLevel[0]}' is a segment filter; a matrix counts notes and takes only note filters (practice, participant, type, from, to, practice.ATTR, participant.ATTR).`);
  }
  const plain = rowsGiven === undefined && countGiven === undefined && rollupGiven === undefined && filterPairs.length === 0;
  return { by, rows, count, rollup, presence, filters, plain };
}

function checkRows(rows: string, config: StudyConfig): void {
  const kinds = ["practice", "participant", "type", "month"];
  if (kinds.includes(rows)) return;
  for (const [prefix, entries] of [["practice.", config.practices], ["participant.", config.participants]] as const) {
    if (!rows.startsWith(prefix)) continue;
    const attr = rows.slice(prefix.length);
    const names = attributeNames(entries);
    if (names.includes(attr)) return;
    const none = prefix === "participant." && !entries.length ? " (this study has no participant registry)" : "";
    throw new AnalysisUsageError(`'rows=${rows}': '${attr}' is not a ${prefix.slice(0, -1)} attribute${none}.${didYouMean(closest(attr, names, 1))}`);
  }
  const options = [...kinds, ...attributeNames(config.practices).map((a) => `practice.${a}`), ...attributeNames(config.participants).map((a) => `participant.${a}`)];
  throw new AnalysisUsageError(`'rows' must be practice, participant, type, month, practice.ATTR or participant.ATTR, not '${rows}'.${didYouMean(closest(rows, options, 1))}`);
}

/** Attribute values in row order: numbers ascending by value, then the rest in JavaScript string order. */
function attributeOrder(values: (number | boolean | string)[]): string[] {
  const nums = [...new Set(values.filter((v): v is number => typeof v === "number"))].sort((a, b) => a - b).map(attributeText);
  const rest = [...new Set(values.filter((v) => typeof v !== "number").map(attributeText))].filter((v) => !nums.includes(v)).sort(byString);
  return [...nums, ...rest];
}

const NONE = "(none)";

/** Months YYYY-MM from `first` to `last` inclusive. */
function months(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const end = Number(last.slice(0, 4)) * 12 + Number(last.slice(5, 7));
  while (y * 12 + m <= end) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/**
 * The framework matrix of SPEC 12.3 over the study's included notes that pass the note filters.
 * A note counts once in every row it belongs to (each of its participants, each distinct attribute
 * value among them); cells count notes or coded segments, with `rollup` a code's cell counts the notes
 * (segments) carrying it or any code below it, each once.
 */
export function frameworkMatrix(study: Study, p: MatrixParams): Matrix {
  const config = study.config!;
  const codebook = study.codebook;
  const match = noteMatcher(p.filters, config);
  const notes: NoteRecord[] = [];
  for (const r of study.notes.values()) {
    const n = r.reading;
    if (r.excluded || !n) continue;
    if (match({ practice: n.practice, date: n.date, type: n.type ?? null, participants: n.participants })) notes.push(r);
  }
  const practices = new Map(config.practices.map((x) => [x.id, x]));
  const people = new Map(config.participants.map((x) => [x.id, x]));

  // Which rows a note belongs to, and the row order.
  let rowsOf: (r: NoteRecord) => string[];
  let order: string[];
  const rows = p.rows;
  if (rows === "practice") {
    rowsOf = (r) => [r.reading!.practice];
    order = config.practices.map((x) => x.id);
  } else if (rows === "participant") {
    rowsOf = (r) => r.reading!.participants;
    order = config.participants.length ? config.participants.map((x) => x.id) : [...new Set(notes.flatMap((r) => r.reading!.participants))].sort(byString);
  } else if (rows === "type") {
    rowsOf = (r) => [r.reading!.type ?? "unspecified"];
    order = [...config.types, ...(notes.some((r) => r.reading!.type === undefined) ? ["unspecified"] : [])];
  } else if (rows === "month") {
    rowsOf = (r) => [r.reading!.date.slice(0, 7)];
    const dates = notes.map((r) => r.reading!.date).sort(byString);
    order = dates.length ? months(dates[0], dates[dates.length - 1]) : [];
  } else if (rows.startsWith("practice.")) {
    const attr = rows.slice("practice.".length);
    rowsOf = (r) => {
      const v = practices.get(r.reading!.practice)?.attributes[attr];
      return [v === undefined ? NONE : attributeText(v)];
    };
    order = attributeOrder(config.practices.flatMap((x) => (x.attributes[attr] === undefined ? [] : [x.attributes[attr]])));
    if (notes.some((r) => rowsOf(r)[0] === NONE)) order.push(NONE);
  } else {
    const attr = rows.slice("participant.".length);
    rowsOf = (r) => {
      const vs = new Set<string>();
      for (const q of r.reading!.participants) {
        const v = people.get(q)?.attributes[attr];
        vs.add(v === undefined ? NONE : attributeText(v));
      }
      return [...vs];
    };
    order = attributeOrder(config.participants.flatMap((x) => (x.attributes[attr] === undefined ? [] : [x.attributes[attr]])));
    if (notes.some((r) => rowsOf(r).includes(NONE))) order.push(NONE);
  }
  const rowIndex = new Map(order.map((k, i) => [k, i]));

  const columns: string[] = p.by === "code" ? [...codebook.order] : p.by === "level" ? [...LEVELS] : [...CONSTRUCTS];
  const colIndex = new Map(columns.map((c, i) => [c, i]));

  if (p.by === "assessment") {
    // The latest assessment of each construct among the counted notes (by date, then path), per practice.
    const latest = order.map(() => new Map<string, { value: string; date: string; file: string }>());
    for (const r of notes) {
      const n = r.reading!;
      const i = rowIndex.get(n.practice);
      if (i === undefined) continue;
      for (const [c, value] of n.assessment) {
        const k = latest[i].get(c);
        if (!k || n.date > k.date || (n.date === k.date && r.file > k.file)) latest[i].set(c, { value, date: n.date, file: r.file });
      }
    }
    return { header: [rows, ...columns], rows: order.map((label, i) => ({ label, cells: columns.map((c) => latest[i].get(c)?.value ?? "") })) };
  }

  // For each column, the set of codes that count for it (a code alone, or with its descendants).
  const core = new Map<string, string>();
  for (const id of codebook.order) {
    const npt = codebook.codes.get(id)?.npt;
    const c = npt ? coreConstruct(npt) : undefined;
    if (c) core.set(id, c);
  }
  const codeColumns = new Map<string, number[]>(); // code id -> column indexes it counts towards
  if (p.by === "code") {
    columns.forEach((col, j) => {
      for (const id of p.rollup ? descendants(col, codebook) : [col]) (codeColumns.get(id) ?? codeColumns.set(id, []).get(id)!).push(j);
    });
  }

  const counts = order.map(() => new Array<number>(columns.length).fill(0));
  const hit = new Set<number>();
  for (const r of notes) {
    const n = r.reading!;
    const rowIds = [...new Set(rowsOf(r))].map((k) => rowIndex.get(k)).filter((i): i is number => i !== undefined);
    if (!rowIds.length) continue;
    if (p.count === "notes") {
      hit.clear();
      if (p.by === "construct") {
        for (const c of n.constructs) hit.add(colIndex.get(c)!);
      } else if (p.by === "level") {
        for (const l of n.levels) if (colIndex.has(l)) hit.add(colIndex.get(l)!);
      } else {
        for (const id of n.frontCodes) for (const j of codeColumns.get(id) ?? []) hit.add(j);
        for (const seg of r.facts.segments) for (const id of seg.codes) for (const j of codeColumns.get(id) ?? []) hit.add(j);
      }
      for (const i of rowIds) for (const j of hit) counts[i][j]++;
    } else {
      for (const seg of r.facts.segments) {
        if (!seg.codes.length) continue;
        hit.clear();
        if (p.by === "construct") {
          for (const id of seg.codes) {
            const c = core.get(id);
            if (c) hit.add(colIndex.get(c)!);
          }
        } else for (const id of seg.codes) for (const j of codeColumns.get(id) ?? []) hit.add(j);
        for (const i of rowIds) for (const j of hit) counts[i][j]++;
      }
    }
  }
  const shown = (v: number) => (p.presence ? (v > 0 ? 1 : 0) : v);
  return { header: [rows, ...columns], rows: order.map((label, i) => ({ label, cells: counts[i].map(shown) })) };
}
