// What is under the cursor, found from the index's facts (ranges), never by re-parsing: a code use
// (inline or in the frontmatter `codes`), a practice value, an NPT value, a frontmatter key, a code key
// or a parent/replacedBy value in the codebook, a practice id in fieldnotes.yaml; a participant
// (a `participants` value, or an id of the registry in fieldnotes.yaml).
import { containsPosition, type CodeUse, type Position, type Range, type ValueFact } from "../core/index.js";
import type { Located } from "./workspace.js";

export type Target =
  | { kind: "code"; id: string; range: Range }
  | { kind: "practice"; id: string; range: Range }
  | { kind: "participant"; id: string; range: Range }
  | { kind: "npt"; id: string; range: Range }
  | { kind: "field"; key: string; range: Range };

/** A quoted scalar's range includes its quotes; ids never need escapes, so `"id"` is id.length + 2 wide. */
export function unquote(range: Range, id: string): Range {
  if (range.start.line === range.end.line && range.end.character - range.start.character === id.length + 2) {
    return { start: { line: range.start.line, character: range.start.character + 1 }, end: { line: range.end.line, character: range.end.character - 1 } };
  }
  return range;
}

/** The range of the id alone: without `#` inline, without quotes in the frontmatter. */
export function idRangeOf(use: CodeUse): Range {
  return use.inline ? use.idRange : unquote(use.idRange, use.id);
}

function scalars(v: ValueFact | undefined): { text: string; range: Range }[] {
  if (!v) return [];
  const items = v.kind === "seq" ? v.items : [v];
  return items.flatMap((i) => (i.kind === "scalar" && i.type !== "null" ? [{ text: i.text, range: i.range }] : []));
}

export function targetAt(loc: Located, pos: Position): Target | undefined {
  const { study } = loc;
  if (loc.kind === "note") {
    const record = study.notes.get(loc.rel);
    if (!record) return undefined;
    const facts = record.facts;
    for (const use of facts.codes) {
      if (containsPosition(use.range, pos)) return { kind: "code", id: use.id, range: idRangeOf(use) };
    }
    for (const f of facts.fields ?? []) {
      if (f.key === "practice") {
        for (const s of scalars(f.value)) if (containsPosition(s.range, pos)) return { kind: "practice", id: s.text, range: unquote(s.range, s.text) };
      } else if (f.key === "participants") {
        for (const s of scalars(f.value)) if (containsPosition(s.range, pos)) return { kind: "participant", id: s.text, range: unquote(s.range, s.text) };
      } else if (f.key === "npt") {
        for (const s of scalars(f.value)) if (containsPosition(s.range, pos)) return { kind: "npt", id: s.text, range: unquote(s.range, s.text) };
      }
      if (containsPosition(f.keyRange, pos)) return { kind: "field", key: f.key, range: f.keyRange };
    }
    return undefined;
  }
  if (loc.kind === "codebook") {
    for (const entry of study.codebook.codes.values()) {
      if (containsPosition(entry.range, pos)) return { kind: "code", id: entry.id, range: unquote(entry.range, entry.id) };
      for (const ref of entry.references) {
        if (containsPosition(ref.range, pos)) return { kind: "code", id: ref.id, range: unquote(ref.range, ref.id) };
      }
    }
    return undefined;
  }
  for (const p of study.config?.practices ?? []) {
    if (containsPosition(p.range, pos)) return { kind: "practice", id: p.id, range: unquote(p.range, p.id) };
  }
  for (const p of study.config?.participants ?? []) {
    if (containsPosition(p.range, pos)) return { kind: "participant", id: p.id, range: unquote(p.range, p.id) };
  }
  return undefined;
}
