// The filters of SPEC 12.1: parsed once, from query parameters or command-line options (both arrive
// as name/value pairs), into one shape that retrieval, matrices and co-occurrence share.
import type { Codebook, CodedSegment, StudyConfig } from "../types.js";
import { CONSTRUCTS } from "../npt.js";
import { isRealDate } from "../config.js";
import { closest, didYouMean } from "../suggest.js";
import { suggestIds } from "../validate.js";

/** A usage error in a filter or an analysis parameter: HTTP 400 `{"error"}`, CLI exit 2. The message names the bad value. */
export class AnalysisUsageError extends Error {}

export const SEGMENT_FILTERS = ["code", "under", "construct", "text"] as const;
export const NOTE_FILTERS = ["practice", "participant", "type", "from", "to"] as const;
export const FILTER_NAMES: readonly string[] = [...SEGMENT_FILTERS, ...NOTE_FILTERS];

/**
 * Parsed filters. Every present key restricts (AND across keys); the values of one key are
 * alternatives (OR). Attribute filters are keyed by attribute name.
 */
export interface Filters {
  /** Segment level: codes carried inline (`code`), expanded with descendants for `under`. */
  code?: Set<string>;
  under?: Set<string>;
  construct?: Set<string>;
  /** Lower-cased words; a segment matches when its lower-cased text contains one of them. */
  text?: string[];
  /** Note level. */
  practice?: Set<string>;
  participant?: Set<string>;
  /** Note types; `unspecified` matches notes without a type. */
  type?: Set<string>;
  /** Earliest `from` (dates on or after any given `from`) and latest `to`. */
  from?: string;
  to?: string;
  practiceAttr: Map<string, Set<string>>;
  participantAttr: Map<string, Set<string>>;
}

/** What parsing checks values against. */
export interface FilterContext {
  config: StudyConfig;
  codebook: Codebook;
}

export function emptyFilters(): Filters {
  return { practiceAttr: new Map(), participantAttr: new Map() };
}

/** True when any segment-level filter is present (matrices and co-occurrence refuse them). */
export function segmentFilterNames(f: Filters): string[] {
  return SEGMENT_FILTERS.filter((k) => f[k] !== undefined);
}

export function hasFilters(f: Filters): boolean {
  return [...FILTER_NAMES].some((k) => f[k as keyof Filters] !== undefined) || f.practiceAttr.size > 0 || f.participantAttr.size > 0;
}

/** An attribute value as the filters and matrix rows write it: `true`, `5130`, `north`. */
export function attributeText(v: number | boolean | string): string {
  return String(v);
}

/** The attribute names of a registry, in the order they first appear. */
export function attributeNames(entries: { attributes: Record<string, unknown> }[]): string[] {
  const names: string[] = [];
  for (const e of entries) for (const k of Object.keys(e.attributes)) if (!names.includes(k)) names.push(k);
  return names;
}

/** A code and every code below it in the codebook hierarchy (cycles, which the codebook reports, are cut). */
export function descendants(id: string, codebook: Codebook): Set<string> {
  const children = new Map<string, string[]>();
  for (const cid of codebook.order) {
    const parent = codebook.codes.get(cid)?.parent;
    if (parent) {
      const list = children.get(parent);
      if (list) list.push(cid);
      else children.set(parent, [cid]);
    }
  }
  const out = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

/**
 * Parses filter pairs (`[name, value]`, in the order given). `other` lists the parameter names the
 * caller handles itself (e.g. `limit`, `by`); they are skipped here. Throws AnalysisUsageError naming
 * the bad name or value, with "did you mean" when one is close (SPEC 12.1).
 */
export function parseFilters(pairs: Iterable<[string, string]>, ctx: FilterContext, other: readonly string[] = []): Filters {
  const f = emptyFilters();
  const { config, codebook } = ctx;
  const practiceAttrs = attributeNames(config.practices);
  const participantAttrs = attributeNames(config.participants);
  const add = (key: "code" | "under" | "construct" | "practice" | "participant" | "type", v: string) => (f[key] ??= new Set()).add(v);
  for (const [name, raw] of pairs) {
    if (other.includes(name)) continue;
    const value = raw.trim();
    const known = FILTER_NAMES.includes(name) || name.startsWith("practice.") || name.startsWith("participant.");
    if (!known) {
      const names = [...FILTER_NAMES, ...practiceAttrs.map((a) => `practice.${a}`), ...participantAttrs.map((a) => `participant.${a}`), ...other];
      throw new AnalysisUsageError(`Unknown filter '${name}'.${didYouMean(closest(name, names, 1))} Filters: ${FILTER_NAMES.join(", ")}, practice.ATTR, participant.ATTR.`);
    }
    if (value === "") throw new AnalysisUsageError(`The filter '${name}' needs a value.`);
    switch (name) {
      case "code":
      case "under":
        if (!codebook.codes.has(value)) throw new AnalysisUsageError(`Unknown code '${value}' in '${name}': not in the codebook.${didYouMean(suggestIds(value, codebook.order))}`);
        if (name === "code") add("code", value);
        else for (const id of descendants(value, codebook)) add("under", id);
        break;
      case "construct":
        if (!(CONSTRUCTS as readonly string[]).includes(value)) {
          const core = value.includes("/") && (CONSTRUCTS as readonly string[]).includes(value.split("/")[0]) ? [value.split("/")[0]] : suggestIds(value, CONSTRUCTS);
          throw new AnalysisUsageError(`Unknown construct '${value}': give a core NPT construct (${CONSTRUCTS.join(", ")}).${didYouMean(core)}`);
        }
        add("construct", value);
        break;
      case "text":
        (f.text ??= []).push(value.toLowerCase());
        break;
      case "practice":
        if (!config.practices.some((p) => p.id === value)) {
          throw new AnalysisUsageError(`Unknown practice '${value}': not in fieldnotes.yaml.${didYouMean(suggestIds(value, config.practices.map((p) => p.id)))}`);
        }
        add("practice", value);
        break;
      case "participant":
        if (config.participants.length && !config.participants.some((p) => p.id === value)) {
          throw new AnalysisUsageError(`Unknown participant '${value}': not in fieldnotes.yaml.${didYouMean(suggestIds(value, config.participants.map((p) => p.id)))}`);
        }
        add("participant", value);
        break;
      case "type":
        if (value !== "unspecified" && !config.types.includes(value)) {
          throw new AnalysisUsageError(`Unknown note type '${value}' (${[...config.types, "unspecified"].join(", ")}).${didYouMean(suggestIds(value, [...config.types, "unspecified"]))}`);
        }
        add("type", value);
        break;
      case "from":
      case "to":
        if (!isRealDate(value)) throw new AnalysisUsageError(`'${value}' in '${name}' is not a date: write a real day as YYYY-MM-DD.`);
        // One filter given several times matches any value: the widest bound wins.
        if (name === "from") f.from = f.from === undefined || value < f.from ? value : f.from;
        else f.to = f.to === undefined || value > f.to ? value : f.to;
        break;
      default: {
        const participant = name.startsWith("participant.");
        const attr = name.slice(participant ? "participant.".length : "practice.".length);
        const names = participant ? participantAttrs : practiceAttrs;
        if (!names.includes(attr)) {
          const what = participant ? (config.participants.length ? "participant attribute" : "participant attribute (this study has no participant registry)") : "practice attribute";
          throw new AnalysisUsageError(`Unknown ${what} '${attr}' in '${name}'.${didYouMean(suggestIds(attr, names))}`);
        }
        const map = participant ? f.participantAttr : f.practiceAttr;
        const set = map.get(attr);
        if (set) set.add(value);
        else map.set(attr, new Set([value]));
      }
    }
  }
  return f;
}

/** The note-level part of the filters, compiled against the registries: a predicate on a note's metadata. */
export function noteMatcher(f: Filters, config: StudyConfig): (n: { practice: string; date: string; type: string | null; participants: string[] }) => boolean {
  const practices = new Map(config.practices.map((p) => [p.id, p]));
  const people = new Map(config.participants.map((p) => [p.id, p]));
  const pAttr = [...f.practiceAttr];
  const qAttr = [...f.participantAttr];
  return (n) => {
    if (f.practice && !f.practice.has(n.practice)) return false;
    if (f.type && !f.type.has(n.type ?? "unspecified")) return false;
    if (f.from !== undefined && n.date < f.from) return false;
    if (f.to !== undefined && n.date > f.to) return false;
    if (f.participant && !n.participants.some((q) => f.participant!.has(q))) return false;
    for (const [attr, values] of pAttr) {
      const v = practices.get(n.practice)?.attributes[attr];
      if (v === undefined || !values.has(attributeText(v))) return false;
    }
    for (const [attr, values] of qAttr) {
      const hit = n.participants.some((q) => {
        const v = people.get(q)?.attributes[attr];
        return v !== undefined && values.has(attributeText(v));
      });
      if (!hit) return false;
    }
    return true;
  };
}

/** The segment-level part of the filters: a predicate on a coded segment's codes, constructs and text. */
export function segmentMatcher(f: Filters): (s: CodedSegment) => boolean {
  return (s) => {
    if (f.code && !s.codes.some((c) => f.code!.has(c))) return false;
    if (f.under && !s.codes.some((c) => f.under!.has(c))) return false;
    if (f.construct && !s.constructs.some((c) => f.construct!.has(c))) return false;
    if (f.text) {
      const lower = s.text.toLowerCase();
      if (!f.text.some((w) => lower.includes(w))) return false;
    }
    return true;
  };
}

/** A stable key for caching a filtered view: the parsed filters, normalised. */
export function filtersKey(f: Filters): string {
  const set = (s?: Set<string>) => (s ? [...s].sort() : null);
  const map = (m: Map<string, Set<string>>) => [...m].map(([k, v]) => [k, [...v].sort()]).sort();
  return JSON.stringify([set(f.code), set(f.under), set(f.construct), f.text ?? null, set(f.practice), set(f.participant), set(f.type), f.from ?? null, f.to ?? null, map(f.practiceAttr), map(f.participantAttr)]);
}
