// YAML to position-carrying facts. fieldnotes never converts YAML to JS values (toJS would expand
// aliases and could be bombed); it walks the Document's nodes and keeps source text and ranges.
import { parseDocument, isAlias, isMap, isScalar, isSeq, isPair, type Node as YamlNode } from "yaml";
import type { EntryFact, Range, ValueFact } from "./types.js";
import type { LineIndex } from "./text.js";
import { simpleYamlFacts } from "./yamlsimple.js";

export const MAX_YAML_DEPTH = 64;

export interface YamlProblem {
  message: string;
  range: Range;
}

export interface ParsedYaml {
  value?: ValueFact;
  problems: YamlProblem[];
}

/**
 * Offset of the first flow bracket nested deeper than the limit, or -1. yaml 2.x aborts the process on
 * very deep flow nesting, so this runs before the parser. Quoted scalars and comments are skipped.
 */
export function excessiveFlowDepth(src: string, limit = MAX_YAML_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "[" || ch === "{") {
      if (++depth > limit) return i;
    } else if ((ch === "]" || ch === "}") && depth > 0) depth--;
    else if (ch === "#" && (i === 0 || /\s/.test(src[i - 1]))) {
      // A comment runs to the end of its line (LF, CRLF or CR).
      while (i < src.length && src[i] !== "\n" && src[i] !== "\r") i++;
    } else if (ch === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === "\\") i++;
    } else if (ch === "'" && (i === 0 || /[\s[{,:]/.test(src[i - 1]))) {
      for (i++; i < src.length && src[i] !== "'"; i++);
    }
  }
  return -1;
}

function nodeDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_YAML_DEPTH) return d;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, d + 1]);
          stack.push([item.value, d + 1]);
        } else stack.push([item, d + 1]);
      }
    }
  }
  return max;
}

/**
 * Parses YAML `text` that starts at `base` in the text indexed by `index` (lines end at LF, CRLF or CR).
 * Problems (syntax, duplicate keys, nesting) carry ranges in the whole text. `simple` (a note's
 * frontmatter, whose entries alone are used): try the fast reader of yamlsimple.ts first.
 */
export function parseYamlFacts(text: string, base: number, index: LineIndex, simple = false): ParsedYaml {
  // YAML 1.2 ends lines at a lone CR too, but the yaml package does not: give it LF instead (one
  // character for one, so every offset stays the same).
  const src = text.includes("\r") ? text.replace(/\r(?!\n)/g, "\n") : text;
  const at = (start: number, end: number): Range => index.range(base + start, base + Math.max(start, end));
  // Most frontmatter is a few plain `key: value` lines: read those without the yaml package.
  const fast = simple ? simpleYamlFacts(src, at) : undefined;
  if (fast) return { value: fast, problems: [] };
  const deep = excessiveFlowDepth(src);
  if (deep !== -1) {
    return { problems: [{ message: `YAML nests deeper than ${MAX_YAML_DEPTH} levels.`, range: at(deep, deep + 1) }] };
  }
  let doc;
  try {
    // yaml's own duplicate-key check compares each key with every earlier one (100,000 keys: minutes);
    // duplicateKeys below finds the same duplicates with one hash map per mapping.
    doc = parseDocument(src, { version: "1.2", schema: "core", uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  } catch (err) {
    return { problems: [{ message: `YAML could not be parsed: ${(err as Error).message}`, range: at(0, 0) }] };
  }
  const found: { offset: number; problem: YamlProblem }[] = [];
  for (const e of doc.errors) {
    const [s, t] = e.pos ?? [0, 0];
    found.push({ offset: s, problem: { message: cleanYamlMessage(e.message), range: at(s, t - s <= 1 ? tokenEnd(src, s) : t) } });
  }
  if (nodeDepth(doc.contents) <= MAX_YAML_DEPTH) {
    for (const s of duplicateKeys(doc.contents)) found.push({ offset: s, problem: { message: "Map keys must be unique.", range: at(s, tokenEnd(src, s)) } });
  }
  const problems = found.sort((a, b) => a.offset - b.offset).map((f) => f.problem);
  if (problems.length) return { problems };
  if (nodeDepth(doc.contents) > MAX_YAML_DEPTH) {
    return { problems: [{ message: `YAML nests deeper than ${MAX_YAML_DEPTH} levels.`, range: at(0, 0) }] };
  }
  if (doc.contents == null) return { problems };
  return { value: toFact(doc.contents as YamlNode, src, at), problems };
}

/**
 * Offsets of keys that repeat an earlier key of the same mapping (scalar keys equal by value, as
 * yaml's uniqueKeys compares them), in linear time. The tree is at most MAX_YAML_DEPTH deep.
 */
function duplicateKeys(root: unknown): number[] {
  const out: number[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (key && isScalar(key)) {
          if (seen.has(key.value)) out.push(key.range?.[0] ?? 0);
          else seen.add(key.value);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}

/** yaml marks some errors (a duplicate key) by their first character: widen to the whole token. */
function tokenEnd(src: string, start: number): number {
  let end = start + 1;
  while (end < src.length && !/[\s:,[\]{}#]/.test(src[end])) end++;
  return Math.min(end, src.length);
}

function cleanYamlMessage(message: string): string {
  // yaml appends a code excerpt after the first line; the range already points there.
  if (/call stack/i.test(message)) return `YAML nests too deeply (more than ${MAX_YAML_DEPTH} levels).`;
  const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return first.endsWith(".") ? first : first + ".";
}

type At = (start: number, end: number) => Range;

/** Tags of the YAML 1.2 core schema: the only ones fieldnotes reads (a tagged value is still a value). */
const READ_TAGS = new Set(["str", "int", "float", "bool", "null", "seq", "map"].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * The tag as written before the value that starts at `start` (`!!timestamp`, `!local`), skipping an
 * anchor between them, with its offset; undefined when none is found in the source.
 */
function writtenTag(src: string, start: number): { text: string; at: number } | undefined {
  let i = start;
  for (let tokens = 0; tokens < 2; tokens++) {
    while (i > 0 && /\s/.test(src[i - 1])) i--;
    let j = i;
    while (j > 0 && !/[\s[{,]/.test(src[j - 1])) j--;
    const token = src.slice(j, i);
    if (token.startsWith("!")) return { text: token, at: j };
    if (!token.startsWith("&")) return undefined;
    i = j;
  }
  return undefined;
}

function toFact(node: YamlNode, src: string, at: At): ValueFact {
  const [start, end] = node.range ?? [0, 0];
  const range = at(start, end);
  if (node.tag && !READ_TAGS.has(node.tag)) {
    // `!!timestamp 2016-03-14`, `!!binary`, `!!omap [x]`, `!local x`: yaml resolves some of these to
    // dates, buffers or pairs; fieldnotes reads none of them, and says so at the tag and the value.
    const tag = writtenTag(src, start);
    const untagged = src.slice(start, end).trim();
    return { kind: "other", range: at(tag?.at ?? start, end), tag: tag?.text ?? node.tag, ...(untagged && !/[\r\n]/.test(untagged) ? { untagged } : {}) };
  }
  if (isScalar(node)) {
    const v = node.value;
    const type = typeof v === "string" ? "string" : typeof v === "number" || typeof v === "bigint" ? "number" : typeof v === "boolean" ? "boolean" : "null";
    const text = type === "string" ? (v as string) : src.slice(start, end).trim();
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    return quoted ? { kind: "scalar", text, type, range, quoted } : { kind: "scalar", text, type, range };
  }
  if (isSeq(node)) {
    return { kind: "seq", items: node.items.map((item) => (item == null ? { kind: "other", range } : toFact(item as YamlNode, src, at))), range };
  }
  if (isMap(node)) {
    const entries: EntryFact[] = [];
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      const [ks, ke] = key?.range ?? [start, start];
      const keyText = key && isScalar(key) ? String(key.value ?? src.slice(ks, ke)) : src.slice(ks, ke);
      const value = pair.value == null ? undefined : toFact(pair.value as YamlNode, src, at);
      // A key without a value (`practice:`) parses as a null scalar whose range is empty.
      const emptyValue = value && value.kind === "scalar" && value.type === "null" && value.text === "";
      const valueEnd = value && !emptyValue ? (pair.value as YamlNode).range![1] : ke;
      entries.push({ key: keyText, keyRange: at(ks, ke), value: emptyValue ? undefined : value, range: at(ks, valueEnd) });
    }
    return { kind: "map", entries, range };
  }
  if (isAlias(node)) return { kind: "alias", range };
  return { kind: "other", range };
}

/** A scalar's text when the fact is a scalar that is not null. */
export function scalarText(v: ValueFact | undefined): string | undefined {
  return v && v.kind === "scalar" && v.type !== "null" ? v.text : undefined;
}

export function entry(map: ValueFact | undefined, key: string): EntryFact | undefined {
  return map && map.kind === "map" ? map.entries.find((e) => e.key === key) : undefined;
}
