// CSV exports (SPEC section 8): the framework matrix and one row per coded segment and code.
//
// RFC 4180: CRLF line ends; a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled.
// Formula injection: spreadsheet programs run a cell that starts with = + - @ (or a tab or CR) as a
// formula. Text cells (file, practice, type, observer, code, text, attribute strings) that start with one of
// those characters get a leading apostrophe ('), which spreadsheets hide and treat as "this is text".
// Numeric cells (counts, line numbers, numeric attributes) are never changed.
import type { Study } from "../core/study.js";
import type { Codebook, Summary } from "../core/types.js";
import { CONSTRUCTS, LEVELS, coreConstruct } from "../core/npt.js";
import { includedNotes } from "./util.js";
import { noteSegments } from "../core/analysis/segments.js";
import { frameworkMatrix, type Matrix, type MatrixParams } from "../core/analysis/matrix.js";

export type MatrixBy = "construct" | "code" | "level" | "assessment";

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: guarded against formula injection, then quoted as RFC 4180 requires. */
export function textCell(value: string): string {
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A cell holding a number or a word we produced ourselves (never from the notes): quoted only if needed. */
function plainCell(value: string | number): string {
  const v = String(value);
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Lines of cells as CSV text: cells joined with `,`, each line ended with CRLF. */
export function csvRows(lines: string[][]): string {
  return lines.map((l) => l.join(",")).join("\r\n") + "\r\n";
}

/** The framework matrix: one row per practice (registry order), first column `practice`. */
export function matrixCsv(summary: Summary, codebook: Codebook, by: MatrixBy = "construct", presence = false): string {
  const count = (n: number) => (presence ? (n > 0 ? 1 : 0) : n);
  let columns: string[];
  let cell: (p: Summary["practices"][number], column: string) => string;
  switch (by) {
    case "construct":
      columns = [...CONSTRUCTS];
      cell = (p, c) => String(count(p.constructs[c].notes));
      break;
    case "code":
      columns = [...codebook.order];
      cell = (p, c) => String(count(p.codes[c]?.notes ?? 0));
      break;
    case "level":
      columns = [...LEVELS];
      cell = (p, l) => String(count(p.levels[l] ?? 0));
      break;
    case "assessment":
      columns = [...CONSTRUCTS];
      cell = (p, c) => p.constructs[c].assessment ?? "";
      break;
  }
  const lines = [["practice", ...columns.map(textCell)]];
  for (const p of summary.practices) lines.push([textCell(p.id), ...columns.map((c) => plainCell(cell(p, c)))]);
  return csvRows(lines);
}

const SEGMENT_COLUMNS = ["file", "line", "practice", "practice_name", "date", "type", "observer", "participants", "constructs", "code", "code_construct", "text"];

/**
 * One row per coded segment and code (a segment with two codes gives two rows), included notes in path
 * order. `participants`: the note's participants, `;`-separated. `constructs`: the core constructs the segment's codes map to (`;`-separated, section 4 order);
 * `code_construct`: the core construct of this row's code. Then one column per practice attribute
 * (named as in fieldnotes.yaml, prefixed `practice_` if the name clashes with a column above).
 */
export function segmentsCsv(study: Study): string {
  const config = study.config;
  const practices = new Map((config?.practices ?? []).map((p) => [p.id, p]));
  const attrNames: string[] = [];
  for (const p of practices.values()) for (const k of Object.keys(p.attributes)) if (!attrNames.includes(k)) attrNames.push(k);
  const header = [...SEGMENT_COLUMNS, ...attrNames.map((a) => (SEGMENT_COLUMNS.includes(a) ? `practice_${a}` : a))];
  const lines: string[][] = [header.map(textCell)];
  const core = (id: string) => {
    const npt = study.codebook.codes.get(id)?.npt;
    return npt ? coreConstruct(npt) : undefined;
  };
  for (const r of includedNotes(study)) {
    if (!r.facts.segments.length) continue;
    const n = r.reading!;
    const practice = practices.get(n.practice);
    const attrs = attrNames.map((a) => {
      const v = practice?.attributes[a];
      return v === undefined ? "" : typeof v === "string" ? textCell(v) : plainCell(String(v));
    });
    for (const seg of noteSegments(r, study.codebook)) {
      const constructs = seg.constructs.join(";");
      for (const code of seg.codes) {
        lines.push([
          textCell(r.file),
          String(seg.line),
          textCell(n.practice),
          textCell(practice?.name ?? ""),
          plainCell(n.date),
          textCell(n.type ?? ""),
          textCell(seg.observer ?? ""),
          textCell(seg.participants.join(";")),
          plainCell(constructs),
          textCell(code),
          plainCell(core(code) ?? ""),
          textCell(seg.text),
          ...attrs,
        ]);
      }
    }
  }
  return csvRows(lines);
}

/** A framework matrix of SPEC 12.3 as CSV: first column the rows' kind, row labels guarded as text. */
export function frameworkMatrixCsv(m: Matrix): string {
  const lines = [m.header.map(textCell)];
  for (const r of m.rows) lines.push([textCell(r.label), ...r.cells.map((c) => plainCell(c))]);
  return csvRows(lines);
}

/**
 * The matrix for `by`/`presence` and the parameters of SPEC 12.3. With only `by` and `presence` it is
 * exactly the Summary-based matrix of section 8 (byte for byte).
 */
export function matrixCsvFor(study: Study, params: MatrixParams): string {
  if (params.plain) return matrixCsv(study.summary(), study.codebook, params.by, params.presence);
  return frameworkMatrixCsv(frameworkMatrix(study, params));
}

/** Co-occurrence (SPEC 12.4): first column `code`, one column and one row per code in codebook order. */
export function cooccurrenceCsv(m: { codes: string[]; counts: number[][] }): string {
  const lines = [["code", ...m.codes.map(textCell)]];
  m.codes.forEach((c, i) => lines.push([textCell(c), ...m.counts[i].map(String)]));
  return csvRows(lines);
}
