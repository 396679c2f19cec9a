// A fast reader for the frontmatter most notes have: top-level `key: value` lines whose values are
// plain words, dates or one-line flow lists, and `key:` followed by an indented block of such entries
// or `- item` lines. It gives exactly the facts the yaml package's walk gives (yamlfacts.ts), ranges
// included, at a fraction of its cost; anything else (quotes, comments, numbers, tags, anchors, blank
// lines, CR, deeper nesting, duplicate keys…) returns undefined and is read by the yaml package.
// Exactness is held by a differential test against the yaml path (test/core/yamlsimple.test.ts).
import type { EntryFact, Range, ValueFact } from "./types.js";

type At = (start: number, end: number) => Range;

/** A key YAML 1.2's core schema reads as this same string (lower case, never true/false/null). */
const KEY = /^[a-z][a-z0-9_-]*$/;
/** A plain scalar the core schema reads as a string: starts with a letter, no indicator or comment characters. */
const WORD = /^[A-Za-z][A-Za-z0-9_./()-]*(?: [A-Za-z0-9_./()-]+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NOT_STRINGS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);

function plainString(text: string): boolean {
  return (WORD.test(text) && !NOT_STRINGS.has(text)) || DATE.test(text);
}

/** What follows a key's colon is one space, then a value with no space before or after it. */
function oneSpaceThenValue(rest: string): boolean {
  return rest[0] === " " && rest[1] !== " " && !rest.endsWith(" ");
}

/** A plain string scalar, a flow list of them, or undefined (not in the subset). `from` is the value's offset. */
function inlineValue(text: string, from: number, at: At): ValueFact | undefined {
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) return undefined;
    const items: ValueFact[] = [];
    const inner = text.slice(1, -1);
    if (inner !== "") {
      let offset = from + 1;
      for (const part of inner.split(",")) {
        const lead = part.length - part.trimStart().length;
        const item = part.trim();
        if (!plainString(item)) return undefined;
        const s = offset + lead;
        items.push({ kind: "scalar", text: item, type: "string", range: at(s, s + item.length) });
        offset += part.length + 1;
      }
    }
    return { kind: "seq", items, range: at(from, from + text.length) };
  }
  return plainString(text) ? { kind: "scalar", text, type: "string", range: at(from, from + text.length) } : undefined;
}

/**
 * The top-level mapping of frontmatter `src` as facts, or undefined when `src` is outside the simple
 * subset described above (the caller then parses it with the yaml package). Offsets are into `src`;
 * `at` turns them into ranges. Every entry, value and range equals the yaml package's; the top
 * mapping's own range (which notes never use) is the whole text.
 */
export function simpleYamlFacts(src: string, at: At): ValueFact | undefined {
  if (src === "" || src.includes("\r") || src.includes("\t")) return undefined;
  const lines = src.split("\n");
  // A final newline ends the last line; anything after it would be a line of its own.
  const last = lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;
  const starts: number[] = [];
  for (let i = 0, o = 0; i < lines.length; o += lines[i].length + 1, i++) starts.push(o);
  const endOfLine = (i: number) => Math.min(starts[i] + lines[i].length + 1, src.length);

  const entries: EntryFact[] = [];
  const keys = new Set<string>();
  let i = 0;
  while (i < last) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const key = line.slice(0, colon);
    if (!KEY.test(key) || NOT_STRINGS.has(key) || keys.has(key)) return undefined;
    keys.add(key);
    const ks = starts[i];
    const keyRange = at(ks, ks + key.length);
    const rest = line.slice(colon + 1);
    if (rest !== "") {
      if (!oneSpaceThenValue(rest)) return undefined;
      const value = inlineValue(rest.slice(1), ks + colon + 2, at);
      if (!value) return undefined;
      entries.push({ key, keyRange, value, range: at(ks, ks + line.length) });
      i++;
      continue;
    }
    // `key:` alone: an indented block follows, or the value is empty.
    i++;
    if (i >= last || !lines[i].startsWith(" ")) {
      entries.push({ key, keyRange, value: undefined, range: keyRange });
      continue;
    }
    const blockStart = starts[i] + 2;
    let value: ValueFact;
    if (lines[i].startsWith("  - ")) {
      const items: ValueFact[] = [];
      for (; i < last && lines[i].startsWith(" "); i++) {
        if (!lines[i].startsWith("  - ")) return undefined;
        const text = lines[i].slice(4);
        if (!plainString(text)) return undefined;
        items.push({ kind: "scalar", text, type: "string", range: at(starts[i] + 4, starts[i] + 4 + text.length) });
      }
      value = { kind: "seq", items, range: at(blockStart, endOfLine(i - 1)) };
    } else {
      const nested: EntryFact[] = [];
      const nestedKeys = new Set<string>();
      for (; i < last && lines[i].startsWith(" "); i++) {
        const l = lines[i];
        if (!l.startsWith("  ") || l[2] === " ") return undefined;
        const c = l.indexOf(":");
        const k = l.slice(2, c);
        if (c < 3 || !KEY.test(k) || NOT_STRINGS.has(k) || nestedKeys.has(k)) return undefined;
        nestedKeys.add(k);
        const r = l.slice(c + 1);
        if (!oneSpaceThenValue(r)) return undefined;
        const s = starts[i] + 2;
        const v = inlineValue(r.slice(1), starts[i] + c + 2, at);
        if (!v) return undefined;
        nested.push({ key: k, keyRange: at(s, s + k.length), value: v, range: at(s, starts[i] + l.length) });
      }
      value = { kind: "map", entries: nested, range: at(blockStart, endOfLine(i - 1)) };
    }
    entries.push({ key, keyRange, value, range: at(ks, endOfLine(i - 1)) });
  }
  return { kind: "map", entries, range: at(0, src.length) };
}
