// A note body's inline codes and the segments holding them, read from micromark's events (the
// tokenizer under remark-parse, with GFM). The index needs only where tags sit and which paragraph,
// heading or table cell holds each, so no syntax tree is built; one parser, its extensions combined
// once, serves every note. The events are read the way mdast-util-from-markdown reads them (text
// nodes, links, images, code...), which test/core/markdown.test.ts checks against a real mdast walk.
import "./micromark-linear.js";
import { parse, postprocess, preprocess } from "micromark";
import { gfm } from "micromark-extension-gfm";
import type { Event, ParseContext, Token } from "micromark-util-types";
import type { CodeUse, SegmentFact } from "./types.js";
import type { LineIndex } from "./text.js";

const parser = parse({ extensions: [gfm()] }) as ParseContext & { gfmFootnotes?: string[] };

/**
 * A set of definition labels that micromark can use where it expects an array: it only calls
 * `push` and `includes` on `parser.defined` and `parser.gfmFootnotes`, and `includes` on an array
 * costs the number of definitions for every reference (50,000 footnotes and their calls: quadratic).
 */
export class DefinedLabels {
  readonly labels = new Set<string>();
  push(...labels: string[]): number {
    for (const l of labels) this.labels.add(l);
    return this.labels.size;
  }
  includes(label: string): boolean {
    return this.labels.has(label);
  }
}

/**
 * Link reference and footnote definitions (normalised labels, as micromark keeps them). A note is
 * parsed in parts; the definitions of the whole note are handed to each part, the same two sets
 * for every part (never copied), since a reference in one part may be defined in another.
 */
export interface Definitions {
  links: DefinedLabels;
  footnotes: DefinedLabels;
}

/** micromark's events for a Markdown text (not frontmatter: the body is handed over on its own). */
export function markdownEvents(text: string, definitions: Definitions = { links: new DefinedLabels(), footnotes: new DefinedLabels() }): Event[] {
  // The parser's per-document state: link and footnote definitions seen, lazy lines.
  parser.defined = definitions.links as unknown as string[];
  parser.gfmFootnotes = definitions.footnotes as unknown as string[];
  parser.lazy = {};
  return postprocess(parser.document().write(preprocess()(text, undefined, true)));
}

const TAG = /#([A-Za-z0-9][A-Za-z0-9-]*)/g;
const HAS_LETTER = /[A-Za-z]/;
const TAG_PRECEDERS = new Set(["(", "[", "{", '"', "'"]);

/** Unicode White_Space (SPEC section 5): NBSP and U+3000 are, U+FEFF and U+200B are not (unlike JS `\s`). */
const WHITE_SPACE = /\p{White_Space}/u;

/**
 * May a tag's `#` stand at this offset? Only at the start, after Unicode White_Space or after
 * `( [ { " '`.
 */
export function precedesTag(text: string, hashOffset: number): boolean {
  if (hashOffset === 0) return true;
  const ch = text[hashOffset - 1];
  return TAG_PRECEDERS.has(ch) || WHITE_SPACE.test(ch);
}

/** A wikilink `[[…]]` (Obsidian, Foam, Dendron) on one line: nothing inside it is a code (SPEC section 5). */
const WIKILINK = /\[\[(?:(?!\]\])[^\r\n])*\]\]/g;

/** Start and end offsets of the wikilinks in a text, in order. */
export function wikilinkSpans(text: string): number[] {
  const spans: number[] = [];
  if (!text.includes("[[")) return spans;
  WIKILINK.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = WIKILINK.exec(text)); ) spans.push(m.index, m.index + m[0].length);
  return spans;
}

/** Is the offset inside one of the spans (as wikilinkSpans gives them)? Binary search. */
function insideSpan(spans: number[], offset: number): boolean {
  let lo = 0;
  let hi = spans.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < spans[2 * mid]) hi = mid - 1;
    else if (offset >= spans[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Calls `found` for each tag in text[start, end) (offset of the `#`, and the id) until it returns
 * true. A tag ends inside the span: `#ab` followed by more tag characters beyond it is a tag `ab`.
 * True when `found` stopped the search.
 */
export function findTags(text: string, start: number, end: number, found: (hash: number, id: string) => boolean | void): boolean {
  const slice = start === 0 && end === text.length ? text : text.slice(start, end);
  if (!slice.includes("#")) return false;
  TAG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG.exec(slice))) {
    const hash = start + m.index;
    if (HAS_LETTER.test(m[1]) && precedesTag(text, hash) && found(hash, m[1])) return true;
  }
  return false;
}

/** Could this text hold a tag at all? (The same test a text node's tags pass.) */
export function hasTagCandidate(text: string): boolean {
  return findTags(text, 0, text.length, () => true);
}

/** Tokens whose segment is a paragraph, heading or table cell: what the summary quotes as evidence. */
const SEGMENTS = new Set(["paragraph", "atxHeading", "setextHeading", "tableData", "tableHeader"]);
const CELLS = new Set(["tableData", "tableHeader"]);
/**
 * Never body text for codes: code, HTML, definitions, images (alt text), link destinations and
 * references, autolinks and bare URLs, footnote calls and labels.
 */
const OPAQUE = new Set([
  "codeFenced", "codeIndented", "codeText", "htmlFlow", "htmlText", "definition", "image", "resource", "reference",
  "autolink", "literalAutolink", "gfmFootnoteCall", "gfmFootnoteDefinitionLabel", "frontmatter",
]);
/** Tokens that become syntax-tree nodes: text before and after one is two separate text nodes. */
const NODES = new Set([
  "paragraph", "atxHeading", "setextHeading", "blockQuote", "listOrdered", "listUnordered", "thematicBreak",
  "emphasis", "strong", "strikethrough", "link", "label", "hardBreakEscape", "hardBreakTrailing",
  "table", "tableRow", "tableData", "tableHeader", "gfmFootnoteDefinition",
]);
/** Tokens that are text (a run of them in one parent is one text node). */
const TEXT = new Set(["data", "characterEscape", "characterReference"]);
/** Tokens between blocks, which say nothing about the last block. */
const FLOW_TRIVIA = new Set(["lineEnding", "lineEndingBlank", "linePrefix", "whitespace"]);

export interface BodyScan {
  codes: CodeUse[];
  segments: SegmentFact[];
  /** The text ends inside a fenced code block or an HTML block that only an end marker closes. */
  open: boolean;
  /** The labels of the link and footnote definitions this text declares (when none were handed in). */
  declared: { links: string[]; footnotes: string[] };
  /**
   * What reading it cost the parser, in work units (see parseCost); 0 when no parser ran. Deterministic,
   * so that a note's being read or skipped never depends on the machine.
   */
  cost: number;
  /**
   * The same, per chunk of the text when scanMarkdown was given the chunks' start offsets: each event
   * counts for the chunk where its token starts. A chunk parsed alone or with its neighbours costs the
   * same, so a note is read or skipped alike cold and in the editor.
   */
  costs?: number[];
}

/** Per-chunk costs: `cuts` are the chunks' start offsets in `text` (ascending, the first 0). */
function chunkCosts(events: Event[], text: string, cuts: number[]): number[] {
  const counts = cuts.map(() => 0);
  for (const [kind, token] of events) {
    if (kind !== "enter") continue;
    const at = token.start.offset;
    let lo = 0;
    let hi = cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cuts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    counts[lo] += 2;
  }
  return counts.map((n, i) => parseCost(n, (i + 1 < cuts.length ? cuts[i + 1] : text.length) - cuts[i]));
}

/**
 * micromark's work for a text, in units that track its CPU time across the shapes of Markdown measured
 * (bench/hostile.mjs: prose with markup, footnotes, definitions, lists, fences, tables, emphasis, code;
 * 5-13 µs per unit on the shared 2-core test machine): one per event, plus one per 16 characters (the
 * tokenizers also walk every character, cheaply inside code).
 */
export function parseCost(events: number, chars: number): number {
  return events + Math.ceil(chars / 16);
}

interface Frame {
  segment: Token | undefined;
  /** Start and end of the text node being built in this parent, if any. */
  runStart: number;
  runEnd: number;
}

/**
 * Codes and segments of a Markdown text (ranges from `index`, which indexes this same text). Segments
 * are those carrying a code, unless `allSegments` (inter-coder agreement needs the uncoded ones too):
 * then every segment, in document order. `cuts`: the start offsets of the chunks the text is made of,
 * for BodyScan.costs.
 */
export function scanMarkdown(text: string, index: LineIndex, definitions?: Definitions, allSegments = false, cuts?: number[]): BodyScan {
  const own = definitions ?? { links: new DefinedLabels(), footnotes: new DefinedLabels() };
  const events = markdownEvents(text, own);
  const out: BodyScan = {
    codes: [],
    segments: [],
    open: false,
    declared: definitions ? { links: [], footnotes: [] } : { links: [...own.links.labels], footnotes: [...own.footnotes.labels] },
    cost: parseCost(events.length, text.length),
  };
  if (cuts) out.costs = chunkCosts(events, text, cuts);
  const wikilinks = wikilinkSpans(text);
  const segmentIds = new Map<Token, number>();
  const frames: Frame[] = [{ segment: undefined, runStart: -1, runEnd: -1 }];
  let opaqueDepth = 0;
  let depth = 0;
  let lastBlock: Token | undefined;
  // A task list check ("[ ] ") is not part of its paragraph's text.
  let checkEnd = -1;

  const flush = (frame: Frame) => {
    if (frame.runStart !== -1 && frame.segment) scanTags(text, index, frame.runStart, frame.runEnd, frame.segment, out, segmentIds, checkEnd, wikilinks);
    frame.runStart = -1;
  };

  for (const [kind, token] of events) {
    const type = token.type;
    if (kind === "enter") {
      if (depth === 0 && !FLOW_TRIVIA.has(type)) lastBlock = token;
      depth++;
      if (opaqueDepth) {
        opaqueDepth++;
        continue;
      }
      const frame = frames[frames.length - 1];
      if (OPAQUE.has(type)) {
        flush(frame);
        opaqueDepth = 1;
      } else if (TEXT.has(type)) {
        if (frame.runStart === -1) frame.runStart = token.start.offset;
        frame.runEnd = token.end.offset;
      } else if (NODES.has(type)) {
        flush(frame);
        frames.push({ segment: SEGMENTS.has(type) ? token : frame.segment, runStart: -1, runEnd: -1 });
      } else if ((type as string) === "taskListCheck") {
        checkEnd = token.end.offset;
      }
    } else {
      depth--;
      if (opaqueDepth) {
        opaqueDepth--;
        continue;
      }
      if (NODES.has(type)) flush(frames.pop()!);
      // On exit, once a task list check inside it is known; segments never nest, so order is kept.
      if (allSegments && SEGMENTS.has(type)) segmentOf(text, index, token, out, segmentIds, checkEnd);
    }
  }
  out.open = lastBlock !== undefined && endsOpen(lastBlock, text);
  return out;
}

function scanTags(
  text: string,
  index: LineIndex,
  start: number,
  end: number,
  segmentToken: Token,
  out: BodyScan,
  segmentIds: Map<Token, number>,
  checkEnd: number,
  wikilinks: number[],
): void {
  findTags(text, start, end, (hash, id) => {
    if (wikilinks.length && insideSpan(wikilinks, hash)) return;
    const segment = segmentOf(text, index, segmentToken, out, segmentIds, checkEnd);
    const seg = out.segments[segment];
    if (!seg.codes.includes(id)) seg.codes.push(id);
    out.codes.push({
      id,
      range: index.range(hash, hash + 1 + id.length),
      idRange: index.range(hash + 1, hash + 1 + id.length),
      inline: true,
      segment,
    });
  });
}

/** The index of a segment token's entry in `out.segments`, added on first sight. */
function segmentOf(text: string, index: LineIndex, token: Token, out: BodyScan, segmentIds: Map<Token, number>, checkEnd: number): number {
  let segment = segmentIds.get(token);
  if (segment === undefined) {
    segment = out.segments.length;
    segmentIds.set(token, segment);
    out.segments.push(segmentFact(text, index, token, checkEnd));
  }
  return segment;
}

function segmentFact(text: string, index: LineIndex, token: Token, checkEnd: number): SegmentFact {
  let from = token.start.offset;
  // A paragraph that opens with a task list check starts after it.
  if (token.type === "paragraph" && checkEnd > from && checkEnd < token.end.offset) from = checkEnd;
  let raw = text.slice(from, token.end.offset);
  if (CELLS.has(token.type)) {
    // A table cell's source span includes its delimiting pipes: they are not the cell's text.
    if (raw.startsWith("|")) (raw = raw.slice(1)), from++;
    if (raw.endsWith("|") && !raw.endsWith("\\|")) raw = raw.slice(0, -1);
  }
  const lead = raw.length - raw.trimStart().length;
  return { line: index.position(from + lead).line + 1, text: raw.trim(), codes: [] };
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})\s*$/;
/** HTML blocks of kinds 1-5 (CommonMark 4.6): they run across blank lines until their end marker. */
const HTML_BLOCKS: [RegExp, RegExp][] = [
  [/^ {0,3}<(script|pre|style|textarea)(\s|>|$)/i, /<\/(script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];

/** The fence a line opens (its marker, e.g. "```"), if any. */
export function fenceOpened(line: string): string | undefined {
  return FENCE_OPEN.exec(line)?.[1];
}

/** Does this line close a fence opened with `marker`? (Same character, at least as long, nothing after.) */
export function closesFence(line: string, marker: string): boolean {
  const close = FENCE_CLOSE.exec(line);
  return !!close && close[1][0] === marker[0] && close[1].length >= marker.length;
}

/** The end marker of an HTML block of kinds 1-5 that this text opens and does not close, if any. */
export function unclosedHtmlBlock(text: string): RegExp | undefined {
  for (const [open, end] of HTML_BLOCKS) {
    const m = open.exec(text);
    if (m) return end.test(text.slice(m[0].length)) ? undefined : end;
  }
  return undefined;
}

/** Does this last block of a text leave a fenced code block or an HTML block of kinds 1-5 open? */
function endsOpen(block: Token, text: string): boolean {
  const start = block.start.offset;
  const end = block.end.offset;
  if (text.slice(end).trim() !== "") return false;
  const src = text.slice(start, end);
  if (block.type === "codeFenced") {
    const marker = fenceOpened(src);
    if (!marker) return false;
    const lines = src.split(/\r\n|\r|\n/);
    return lines.length < 2 || !closesFence(lines[lines.length - 1], marker);
  }
  return block.type === "htmlFlow" && unclosedHtmlBlock(src) !== undefined;
}
