// Adding a code to a codebook's text, as one insertion that keeps every other byte, in whatever style
// the codebook is written (block or flow mappings, comments, CRLF, any indentation, no final newline).
// Each candidate edit is applied and the result parsed with the `yaml` library; an edit is offered
// only when the result parses without error, holds the new code with its label, and everything else
// reads exactly as before. When no candidate passes, nothing is offered (never a broken codebook).
import { isDeepStrictEqual } from "node:util";
import { isMap, isPair, isScalar, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { LineIndex, type Range } from "../core/index.js";

export interface TextInsertion {
  range: Range;
  newText: string;
}

/** "gp-buy-in" → "Gp buy in": a label the researcher will edit. */
export function humanLabel(id: string): string {
  const words = id.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A label as a YAML scalar: plain when it cannot be read as anything but that string, else quoted. */
function labelScalar(label: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9 ]*$/.test(label) && !/^(null|true|false|yes|no|on|off|y|n)$/i.test(label);
  return plain ? label : JSON.stringify(label);
}

/** The `yaml` library's reading of a text, or undefined when it has errors (or is not one document). */
function readYaml(text: string): { doc: Document.Parsed; value: unknown } | undefined {
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length) return undefined;
    return { doc, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    return undefined;
  }
}

/** Does `after` read as `before` with `codes[id] = {label}` added, and nothing else changed? */
export function addsExactlyTheCode(before: unknown, afterText: string, id: string, label: string): boolean {
  const after = readYaml(afterText)?.value as Record<string, unknown> | undefined;
  if (!after || typeof after !== "object" || Array.isArray(after)) return false;
  const codes = after.codes as Record<string, unknown> | undefined;
  if (!codes || typeof codes !== "object" || !isDeepStrictEqual(codes[id], { label })) return false;
  const { [id]: _added, ...restCodes } = codes;
  const expected = { ...((before ?? {}) as Record<string, unknown>) };
  const beforeCodes = expected.codes;
  if (beforeCodes === null || beforeCodes === undefined || (typeof beforeCodes === "object" && !Array.isArray(beforeCodes))) {
    expected.codes = { ...((beforeCodes ?? {}) as Record<string, unknown>) };
  } else return false;
  return isDeepStrictEqual({ ...after, codes: restCodes }, expected);
}

/**
 * One insertion adding `id` (with a label made from it) at the end of the codebook's `codes`
 * mapping, checked as described above; undefined when the codebook cannot be edited safely (it does
 * not parse, `codes` is not a mapping, the id is there already, or no candidate passes the check).
 */
export function addCodeEdit(codebookText: string, id: string): TextInsertion | undefined {
  const read = readYaml(codebookText);
  if (!read) return undefined;
  const label = humanLabel(id);
  const existing = (read.value as { codes?: Record<string, unknown> } | null)?.codes;
  if (existing && typeof existing === "object" && id in existing) return undefined;
  const index = new LineIndex(codebookText);
  for (const c of candidates(codebookText, read.doc, id, labelScalar(label))) {
    const after = codebookText.slice(0, c.from) + c.text + codebookText.slice(c.to);
    if (addsExactlyTheCode(read.value, after, id, label)) return { range: index.range(c.from, c.to), newText: c.text };
  }
  return undefined;
}

interface Candidate {
  from: number;
  to: number;
  text: string;
}

function candidates(text: string, doc: Document.Parsed, id: string, label: string): Candidate[] {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const out: Candidate[] = [];
  const root = doc.contents;
  const lineStart = (offset: number) => Math.max(text.lastIndexOf("\n", offset - 1) + 1, 0);
  const column = (offset: number) => offset - lineStart(offset);
  /** Offset of the start of the line after the one holding `offset - 1`, or -1 at the last line. */
  const nextLine = (offset: number) => {
    const nl = text.indexOf("\n", Math.max(offset - 1, 0));
    return nl === -1 ? -1 : nl + 1;
  };
  const appendAtEnd = (block: string) => {
    const needsEol = text.length > 0 && !text.endsWith("\n");
    out.push({ from: text.length, to: text.length, text: `${needsEol ? eol : ""}${block}` });
  };

  if (!isMap(root)) {
    // An empty document: a new `codes` mapping.
    if (root === null || (isScalar(root) && root.value === null)) appendAtEnd(`codes:${eol}  ${id}:${eol}    label: ${label}${eol}`);
    return out;
  }
  const codesPair = root.items.find((p) => isScalar(p.key) && p.key.value === "codes") as Pair<Node, Node | null> | undefined;
  if (!codesPair) {
    if (root.flow) return out;
    const keyCol = isScalar(root.items[0]?.key) ? column((root.items[0].key as Node).range![0]) : 0;
    const pad = " ".repeat(keyCol);
    appendAtEnd(`${pad}codes:${eol}${pad}  ${id}:${eol}${pad}    label: ${label}${eol}`);
    return out;
  }
  const key = codesPair.key as Node;
  const keyCol = column(key.range![0]);
  const codes = codesPair.value;
  const flowEntry = `${id}: { label: ${label} }`;

  if (!codes || (isScalar(codes) && codes.value === null)) {
    // `codes:` with nothing (or `~`, `null`) yet: a block mapping below the key (a flow one in a flow root).
    const valueEnd = codes?.range ? codes.range[1] : key.range![1];
    const lineEnd = nextLine(valueEnd);
    const indent = " ".repeat(keyCol + 2);
    const block = `${indent}${id}:${eol}${indent}  label: ${label}`;
    if (codes?.range && codes.range[1] > codes.range[0]) out.push({ from: codes.range[0], to: codes.range[1], text: `{ ${flowEntry} }` });
    if (lineEnd === -1) out.push({ from: text.length, to: text.length, text: `${eol}${block}` });
    else out.push({ from: lineEnd, to: lineEnd, text: `${block}${eol}` });
    return out;
  }
  if (!isMap(codes)) return out;
  const map = codes as YAMLMap<Node, Node | null>;
  const [start, valueEnd] = map.range!;

  if (map.flow) {
    const close = text.lastIndexOf("}", valueEnd - 1);
    if (close < start) return out;
    if (!map.items.length) {
      // `codes: {}`: a block mapping when the key stands in a block mapping, else a flow entry.
      if (!root.flow) {
        const indent = " ".repeat(keyCol + 2);
        const colon = text.indexOf(":", key.range![1]);
        if (colon !== -1 && colon < start) out.push({ from: colon + 1, to: valueEnd, text: `${eol}${indent}${id}:${eol}${indent}  label: ${label}` });
      }
      out.push({ from: start + 1, to: close, text: ` ${flowEntry} ` });
      return out;
    }
    const last = map.items[map.items.length - 1];
    const lastEnd = nodeEnd(last);
    if (lastEnd !== undefined) out.push({ from: lastEnd, to: lastEnd, text: `, ${flowEntry}` });
    // After a trailing comma (`{ a: {…}, }`) the entry goes before the brace.
    out.push({ from: close, to: close, text: `${flowEntry} ` });
    return out;
  }

  // A block mapping: a new entry after the last one, at the entries' indentation, its label indented
  // as the existing entries indent theirs.
  const entryCol = map.items.length && isScalar(map.items[0].key) ? column((map.items[0].key as Node).range![0]) : keyCol + 2;
  let step = 2;
  for (const item of map.items) {
    const v = item.value;
    if (isMap(v) && !v.flow && v.items.length && isScalar(v.items[0].key)) {
      step = column((v.items[0].key as Node).range![0]) - entryCol;
      break;
    }
  }
  if (step <= 0) step = 2;
  const indent = " ".repeat(entryCol);
  const block = `${indent}${id}:${eol}${indent}${" ".repeat(step)}label: ${label}`;
  const last = map.items[map.items.length - 1];
  const end = nodeEnd(last) ?? valueEnd;
  const after = nextLine(end);
  if (after === -1) out.push({ from: text.length, to: text.length, text: `${eol}${block}` });
  else out.push({ from: after, to: after, text: `${block}${eol}` });
  return out;
}

/** End offset of a pair's content (its value's, else its key's), before trailing comments. */
function nodeEnd(pair: unknown): number | undefined {
  if (!isPair(pair)) return undefined;
  const v = pair.value as Node | null;
  if (v?.range) return v.range[1];
  const k = pair.key as Node | null;
  return k?.range?.[1];
}
