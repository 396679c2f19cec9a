// The themes part of the reports (SPEC 12.5): every code in use, in codebook order with children under
// their parents, and its coded segments grouped by practice (registry order), each in retrieval order.
import type { CodedSegment } from "../core/types.js";
import type { Study } from "../core/study.js";
import { studySegments } from "../core/analysis/segments.js";

export interface Theme {
  code: string;
  label: string;
  /** 0 for a top-level code, 1 for its children, … */
  depth: number;
  /** Coded segments carrying the code inline. */
  total: number;
  practices: { practice: string; segments: CodedSegment[] }[];
}

/** An in-page anchor for a code's segments of one practice (code and practice ids are anchor-safe). */
export function themeAnchor(code: string, practice?: string): string {
  return practice === undefined ? `theme-${code}` : `t-${code}--${practice}`;
}

/**
 * The codes in use (carried inline by at least one coded segment of an included note), depth-first
 * through the codebook hierarchy in codebook order, with their segments by practice.
 */
export function themes(study: Study): Theme[] {
  const codebook = study.codebook;
  const byCode = new Map<string, Map<string, CodedSegment[]>>();
  for (const s of studySegments(study)) {
    for (const c of s.codes) {
      let m = byCode.get(c);
      if (!m) byCode.set(c, (m = new Map()));
      const list = m.get(s.practice);
      if (list) list.push(s);
      else m.set(s.practice, [s]);
    }
  }
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const id of codebook.order) {
    const parent = codebook.codes.get(id)?.parent;
    if (parent && codebook.codes.has(parent) && parent !== id) (children.get(parent) ?? children.set(parent, []).get(parent)!).push(id);
    else roots.push(id);
  }
  const practiceOrder = study.config?.practices.map((p) => p.id) ?? [];
  const out: Theme[] = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number) => {
    if (seen.has(id)) return; // a cycle of parents (reported by the codebook checks)
    seen.add(id);
    const m = byCode.get(id);
    if (m) {
      const practices = practiceOrder.filter((p) => m.has(p)).map((p) => ({ practice: p, segments: m.get(p)! }));
      out.push({ code: id, label: codebook.codes.get(id)?.label ?? id, depth, total: practices.reduce((n, p) => n + p.segments.length, 0), practices });
    }
    for (const c of children.get(id) ?? []) visit(c, depth + 1);
  };
  for (const id of roots) visit(id, 0);
  // Codes in a cycle are not reachable from a root: list them at the top level.
  for (const id of codebook.order) visit(id, 0);
  return out;
}
