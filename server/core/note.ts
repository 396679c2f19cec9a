// Parses one note into config-independent facts: frontmatter entries with ranges, inline and
// frontmatter code uses, coded segments, and the diagnostics that need no config or codebook.
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import type { Nodes, Parents, Root } from "mdast";
import type { CodeUse, Diagnostic, NoteFacts, Range, SegmentFact, ValueFact } from "./types.js";
import { LineIndex, MAX_FILE_BYTES, decodeBytes, lineRange } from "./text.js";
import { parseYamlFacts } from "./yamlfacts.js";
import { findIdentifiers } from "./identifiers.js";

/** Bumped whenever the shape or meaning of NoteFacts changes: old cache entries are then ignored. */
export const FACTS_VERSION = 4;

const markdown = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);

export function parseMarkdown(text: string): Root {
  return markdown.parse(text) as Root;
}

const TAG = /#([A-Za-z0-9][A-Za-z0-9-]*)/g;
const HAS_LETTER = /[A-Za-z]/;
const TAG_PRECEDERS = new Set(["(", "[", "{", '"', "'"]);

function precedesTag(text: string, hashOffset: number): boolean {
  if (hashOffset === 0) return true;
  const ch = text[hashOffset - 1];
  return TAG_PRECEDERS.has(ch) || /\s/u.test(ch);
}

export function fatalFacts(rule: "file-too-large" | "file-binary" | "file-skipped", message: string): NoteFacts {
  const severity = rule === "file-skipped" ? "warning" : "error";
  const range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { fatal: true, openRange: range, hasFrontmatter: false, codes: [], segments: [], diagnostics: [{ rule, severity, message, range }], lineCount: 0 };
}

/** Facts for a file's bytes: binary, oversized and mis-encoded files are handled here. */
export function parseNoteBytes(bytes: Uint8Array): NoteFacts {
  if (bytes.length > MAX_FILE_BYTES) {
    return fatalFacts("file-too-large", `The file is larger than 10 MB (${(bytes.length / 1048576).toFixed(1)} MB), so it was not read. Split it into smaller notes.`);
  }
  const decoded = decodeBytes(bytes);
  if (decoded.binary) {
    return fatalFacts("file-binary", "The file holds a NUL byte in its first 8 KB: it looks binary, not a Markdown note, so it was not parsed.");
  }
  try {
    return parseNoteText(decoded.text, decoded.invalidUtf8);
  } catch (err) {
    // A parser failure on hostile input must cost one note, never the run.
    return fatalFacts("file-skipped", `The note could not be parsed (${(err as Error).name}); it was skipped. Simplify its structure.`);
  }
}

interface Frontmatter {
  /** Offsets of the YAML content (between the delimiter lines). */
  contentStart: number;
  contentEnd: number;
  /** Offset just after the closing delimiter line (start of the body). */
  bodyStart: number;
  closeLine: number;
}

function findFrontmatter(index: LineIndex): Frontmatter | "unclosed" | undefined {
  if (index.lineText(0).trimEnd() !== "---") return undefined;
  for (let line = 1; line < index.lineCount; line++) {
    const t = index.lineText(line);
    if (t.trimEnd() === "---") {
      const contentStart = index.starts[1];
      const contentEnd = index.starts[line];
      const bodyStart = line + 1 < index.lineCount ? index.starts[line + 1] : index.text.length;
      return { contentStart, contentEnd, bodyStart, closeLine: line };
    }
  }
  return "unclosed";
}

export function parseNoteText(text: string, invalidUtf8 = false): NoteFacts {
  const index = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const openRange = lineRange(index, 0);
  const facts: NoteFacts = { openRange, hasFrontmatter: false, codes: [], segments: [], diagnostics, lineCount: index.lineCount };

  if (invalidUtf8) {
    const at = text.indexOf("\uFFFD");
    diagnostics.push({
      rule: "encoding-invalid",
      severity: "warning",
      message: "The file holds bytes that are not valid UTF-8; they are shown as U+FFFD. Re-save the file as UTF-8.",
      range: index.range(Math.max(0, at), Math.max(0, at) + 1),
    });
  }

  const fm = findFrontmatter(index);
  let bodyStart = 0;
  if (fm === undefined) {
    diagnostics.push({
      rule: "frontmatter-missing",
      severity: "error",
      message: "The note has no frontmatter. Start it with a line '---', the fields (practice, date, npt), and a closing '---'.",
      range: openRange,
    });
  } else if (fm === "unclosed") {
    diagnostics.push({
      rule: "frontmatter-missing",
      severity: "error",
      message: "The frontmatter is not closed. Add a line '---' after the last field.",
      range: openRange,
    });
    bodyStart = text.length;
  } else {
    facts.hasFrontmatter = true;
    bodyStart = fm.bodyStart;
    const yamlSrc = text.slice(fm.contentStart, fm.contentEnd);
    const parsed = parseYamlFacts(yamlSrc, fm.contentStart, index);
    for (const p of parsed.problems) diagnostics.push({ rule: "yaml-syntax", severity: "error", message: `Frontmatter YAML: ${p.message}`, range: p.range });
    if (!parsed.problems.length) {
      if (parsed.value === undefined) facts.fields = [];
      else if (parsed.value.kind === "map") facts.fields = parsed.value.entries;
      else {
        diagnostics.push({
          rule: "field-type",
          severity: "error",
          message: "The frontmatter must be a mapping of fields (practice: …, date: …, npt: …), not a list or a single value.",
          range: index.range(fm.contentStart, fm.contentEnd),
        });
      }
    }
    if (!text.slice(fm.bodyStart).trim()) {
      diagnostics.push({
        rule: "body-empty",
        severity: "warning",
        message: "The note has nothing after its frontmatter. Write what was observed, said or thought.",
        range: lineRange(index, fm.closeLine),
      });
    }
    collectFrontmatterCodes(facts);
  }

  const deep = bodyStart < text.length ? excessiveMarkdownNesting(text, bodyStart) : -1;
  if (deep !== -1) {
    // micromark's time grows with the square of list/quote nesting: such a body is not parsed.
    facts.fatal = true;
    facts.fields = undefined;
    facts.codes = [];
    const line = index.position(deep).line;
    diagnostics.push({
      rule: "file-skipped",
      severity: "warning",
      message: `Lists or block quotes nest too deeply here (more than ${MAX_MARKDOWN_DEPTH} levels, or too many deeply nested lines), so the note was not parsed. Flatten its structure.`,
      range: lineRange(index, line),
    });
  } else if (bodyStart < text.length) collectBody(text, index, facts);
  diagnostics.push(...findIdentifiers(text, index));
  return facts;
}

function collectFrontmatterCodes(facts: NoteFacts): void {
  const codes = facts.fields?.find((e) => e.key === "codes")?.value;
  const items: ValueFact[] = codes ? (codes.kind === "seq" ? codes.items : [codes]) : [];
  for (const item of items) {
    if (item.kind === "scalar" && item.type === "string" && item.text) {
      facts.codes.push({ id: item.text, range: item.range, idRange: item.range, inline: false, segment: -1 });
    }
  }
}

export const MAX_MARKDOWN_DEPTH = 32;
/**
 * micromark's time grows with the square of the number of lines inside nested lists or quotes (some
 * 3 s for 2,000 such lines on a slow core): the sum of the depths of lines nested 2 or more levels
 * deep is bounded. Real notes stay far below it.
 */
export const NESTING_BUDGET = 6000;

const isBlankOrEnd = (text: string, i: number) => {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 32 || c === 9 || c === 10 || c === 13;
};

/**
 * Offset of the first line (from `from`) whose list/block-quote nesting is too deep, or where the
 * nesting budget runs out; -1 when the text is safe to hand to micromark. A line's depth is its
 * container markers (`>`, `-`, `*`, `+`, `1.`, `1)`) plus half its leading indentation.
 */
export function excessiveMarkdownNesting(text: string, from = 0): number {
  let cost = 0;
  let lineStart = from;
  while (lineStart < text.length) {
    let i = lineStart;
    let width = 0;
    let markers = 0;
    for (;;) {
      const ch = text.charCodeAt(i);
      // Only the indentation before the first marker counts; the spaces after a marker are part of it.
      if (ch === 32) (markers === 0 && width++, i++);
      else if (ch === 9) (markers === 0 && (width += 4), i++);
      else if (ch === 62) (markers++, i++);
      else if ((ch === 45 || ch === 42 || ch === 43) && isBlankOrEnd(text, i + 1)) (markers++, i++);
      else if (ch >= 48 && ch <= 57) {
        let j = i;
        while (j < text.length && j - i < 9 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
        const c = text.charCodeAt(j);
        if ((c === 46 || c === 41) && isBlankOrEnd(text, j + 1)) (markers++, (i = j + 1));
        else break;
      } else break;
    }
    const depth = markers + (width >> 1);
    if (depth > MAX_MARKDOWN_DEPTH) return lineStart;
    if (depth >= 2 && (cost += depth) > NESTING_BUDGET) return lineStart;
    const nl = text.indexOf("\n", i);
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return -1;
}

const SEGMENT_TYPES = new Set(["paragraph", "heading", "tableCell"]);
// Nodes whose text is never body text for codes.
const OPAQUE_TYPES = new Set(["code", "inlineCode", "html", "yaml", "definition", "image", "imageReference"]);

function collectBody(text: string, index: LineIndex, facts: NoteFacts): void {
  let root: Root;
  try {
    root = parseMarkdown(text);
  } catch {
    return; // micromark does not throw on any input we know of; stay safe if it ever does
  }
  // Iterative walk: deeply nested block quotes or lists must not overflow the stack.
  const stack: { node: Nodes; segment: number }[] = [{ node: root, segment: -1 }];
  const segmentStarts = new Map<number, { start: number; end: number; cell?: boolean }>();
  while (stack.length) {
    const { node, segment: outer } = stack.pop()!;
    if (OPAQUE_TYPES.has(node.type)) continue;
    let segment = outer;
    const pos = node.position;
    if (SEGMENT_TYPES.has(node.type) && pos?.start.offset !== undefined && pos.end.offset !== undefined) {
      segment = -2 - segmentStarts.size; // provisional id, made a real index when it gets a code
      segmentStarts.set(segment, { start: pos.start.offset, end: pos.end.offset, cell: node.type === "tableCell" });
    }
    if (node.type === "link" && pos?.start.offset !== undefined && text[pos.start.offset] !== "[") continue; // autolink or bare URL
    if (node.type === "text" && segment !== -1 && pos?.start.offset !== undefined && pos.end.offset !== undefined) {
      scanTags(text, index, pos.start.offset, pos.end.offset, segment, facts, segmentStarts);
      continue;
    }
    const children = (node as Parents).children as Nodes[] | undefined;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], segment });
  }
}

const realSegment = new WeakMap<NoteFacts, Map<number, number>>();

function scanTags(
  text: string,
  index: LineIndex,
  start: number,
  end: number,
  segment: number,
  facts: NoteFacts,
  segmentStarts: Map<number, { start: number; end: number; cell?: boolean }>,
): void {
  const slice = text.slice(start, end);
  if (!slice.includes("#")) return;
  TAG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG.exec(slice))) {
    const hash = start + m.index;
    const id = m[1];
    // The tag must end inside this text node: `#ab` followed by more tag characters elsewhere is one tag.
    if (!HAS_LETTER.test(id) || !precedesTag(text, hash)) continue;
    let ids = realSegment.get(facts);
    if (!ids) realSegment.set(facts, (ids = new Map()));
    let real = ids.get(segment);
    if (real === undefined) {
      const span = segmentStarts.get(segment)!;
      let raw = text.slice(span.start, span.end);
      let from = span.start;
      if (span.cell) {
        // A table cell's source span includes its delimiting pipes: they are not the cell's text.
        if (raw.startsWith("|")) (raw = raw.slice(1)), from++;
        if (raw.endsWith("|") && !raw.endsWith("\\|")) raw = raw.slice(0, -1);
      }
      const lead = raw.length - raw.trimStart().length;
      real = facts.segments.length;
      facts.segments.push({ line: index.position(from + lead).line + 1, text: raw.trim(), codes: [] });
      ids.set(segment, real);
    }
    const seg: SegmentFact = facts.segments[real];
    if (!seg.codes.includes(id)) seg.codes.push(id);
    const use: CodeUse = {
      id,
      range: index.range(hash, hash + 1 + id.length),
      idRange: index.range(hash + 1, hash + 1 + id.length),
      inline: true,
      segment: real,
    };
    facts.codes.push(use);
  }
}
