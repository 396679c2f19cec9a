// Parses one note into config-independent facts: frontmatter entries with ranges, inline and
// frontmatter code uses, coded segments, and the diagnostics that need no config or codebook.
import type { Diagnostic, NoteFacts, Range, ValueFact } from "./types.js";
import { LineIndex, MAX_FILE_BYTES, decodeBytes, lineRange } from "./text.js";
import { parseYamlFacts } from "./yamlfacts.js";
import { findIdentifiers } from "./identifiers.js";
import { createHash } from "node:crypto";
import { findSuppressions } from "./suppress.js";
import { DefinedLabels, closesFence, fenceOpened, hasTagCandidate, scanMarkdown, unclosedHtmlBlock, type BodyScan, type Definitions } from "./markdown.js";
import { PARSE_BUDGET, tooHeavyForParser } from "./markdown-limits.js";
import { isPlainOrBlankLine, scanPlainProse } from "./markdown-plain.js";

/** Frontmatter larger than this is not read (file-skipped): about 25,000 short fields. */
export const MAX_FRONTMATTER_BYTES = 256 * 1024;

/** Bumped whenever the shape or meaning of NoteFacts changes: old cache entries are then ignored. */
export const FACTS_VERSION = 10;

/**
 * Facts of a note that was not read or not parsed: one error (SPEC section 6: `file-skipped` is an
 * error, so a study whose notes were not read never passes `check`), at the start of the file.
 */
export function fatalFacts(rule: "file-too-large" | "file-binary" | "file-skipped", message: string): NoteFacts {
  const range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { fatal: true, openRange: range, hasFrontmatter: false, codes: [], segments: [], diagnostics: [{ rule, severity: "error", message, range }], lineCount: 0 };
}

export function tooLargeFacts(size: number): NoteFacts {
  return fatalFacts("file-too-large", `The file is larger than 10 MB (${(size / 1048576).toFixed(1)} MB), so it was not read. Split it into smaller notes.`);
}

/** Facts for a file's bytes: binary, oversized and mis-encoded files are handled here. */
export function parseNoteBytes(bytes: Uint8Array): NoteFacts {
  if (bytes.length > MAX_FILE_BYTES) {
    return tooLargeFacts(bytes.length);
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

export function findFrontmatter(index: LineIndex): Frontmatter | "unclosed" | undefined {
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

/**
 * Parsed chunks of a note's body by their exact text, relative to the chunk's first line. An editor
 * keeps one per open note: after a keystroke only the chunk that changed is parsed again.
 */
export type ChunkCache = Map<string, BodyScan>;

export function parseNoteText(text: string, invalidUtf8 = false, chunks?: ChunkCache): NoteFacts {
  const index = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const openRange = lineRange(index, 0);
  const facts: NoteFacts = { openRange, hasFrontmatter: false, codes: [], segments: [], diagnostics, lineCount: index.lineCount };
  /** The note is not read (file-skipped, an error, on the line at `offset`): nothing of it is kept. */
  const skip = (message: string, offset: number) => {
    facts.fatal = true;
    facts.fields = undefined;
    facts.codes = [];
    facts.segments = [];
    diagnostics.push({ rule: "file-skipped", severity: "error", message, range: lineRange(index, index.position(offset).line) });
  };

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
  }
  if (typeof fm === "object" && fm.contentEnd - fm.contentStart > MAX_FRONTMATTER_BYTES) {
    // Never ordinary (a note's fields take a few lines), and YAML reads about 1 MB a second into a
    // tree of 300 bytes a byte: 10 MB of keys took 43 s and 2.8 GB (bench/hostile-cli.mjs).
    skip(
      `The note was not read: its frontmatter runs past ${MAX_FRONTMATTER_BYTES / 1024} KB here. Keep the fields (practice, date, npt, codes, …) there and move long text into the body.`,
      fm.contentStart + MAX_FRONTMATTER_BYTES,
    );
    bodyStart = text.length;
  } else if (typeof fm === "object") {
    const yamlSrc = text.slice(fm.contentStart, fm.contentEnd);
    const parsed = parseYamlFacts(yamlSrc, fm.contentStart, index, true);
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
    if (bodyHoldsNothing(text, fm.bodyStart)) {
      diagnostics.push({
        rule: "body-empty",
        severity: "warning",
        message: "The note has nothing after its frontmatter but headings and comments (an unedited template?). Write what was observed, said or thought.",
        range: lineRange(index, fm.closeLine),
      });
    }
    collectFrontmatterCodes(facts);
  }

  if (bodyStart < text.length) {
    // What micromark cannot parse in bounded time is not handed to it (see markdown-limits.ts).
    const heavy = tooHeavyForParser(index, bodyStart);
    if (heavy) {
      skip(
        heavy.kind === "nesting"
          ? `The note was not parsed: ${heavy.why}. Flatten its lists and block quotes.`
          : heavy.kind === "table"
          ? `The note was not parsed: the table starting here is too large (${heavy.why}). Split it into several tables.`
          : `The note was not parsed: the paragraph starting here is too large (${heavy.why}). Put blank lines between its paragraphs.`,
        heavy.offset,
      );
    } else {
      const ranOut = collectBody(text, index, facts, bodyChunkStarts(text, index, bodyStart), chunks);
      if (ranOut !== undefined) {
        skip(
          "The note was not parsed: it holds more Markdown structure (lists, links, footnotes, tables, code blocks, …) than fieldnotes reads in one note, " +
            "reached in the part starting here. Split it into several notes.",
          ranOut,
        );
      }
    }
  }
  diagnostics.push(...findIdentifiers(text, index));
  const suppressions = findSuppressions(text, index);
  if (suppressions) facts.suppressions = suppressions;
  return facts;
}

const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;

/**
 * body-empty (SPEC section 6): nothing after the frontmatter but ATX headings, HTML comments (an
 * unclosed one runs to the end) and white space, as in a note made from a template and never
 * written. A heading that carries a tag is content: the note is coded. Stops at the first content,
 * so a long note costs one line.
 */
export function bodyHoldsNothing(text: string, bodyStart: number): boolean {
  let i = bodyStart;
  let lineStart = bodyStart;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n" || c === "\r") {
      lineStart = ++i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      if (close === -1) return true;
      i = close + 3;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
    const line = text.slice(lineStart, end);
    if (!ATX_HEADING.test(line) || hasTagCandidate(line.replace(/^ {0,3}#{1,6}/, "").replace(/<!--[\s\S]*?(?:-->|$)/g, " "))) return false;
    // A comment opened on the heading line may run on below it.
    const open = line.lastIndexOf("<!--");
    if (open !== -1 && line.indexOf("-->", open) === -1) {
      const close = text.indexOf("-->", lineStart + open + 4);
      if (close === -1) return true;
      i = close + 3;
      continue;
    }
    i = end;
  }
  return true;
}

function collectFrontmatterCodes(facts: NoteFacts): void {
  const codes = facts.fields?.find((e) => e.key === "codes")?.value;
  const items: ValueFact[] = codes ? (codes.kind === "seq" ? codes.items : [codes]) : [];
  for (const item of items) {
    // `codes: a, b` is a mistaken list (reported by validation), never a code named "a, b".
    if (item.kind === "scalar" && item.type === "string" && item.text && !item.text.includes(",")) {
      facts.codes.push({ id: item.text, range: item.range, idRange: item.range, inline: false, segment: -1 });
    }
  }
}

/**
 * Offsets (line starts) where the body can be cut into chunks that parse exactly as they do in the
 * whole note, outside fenced code and multi-line HTML:
 * - a line at column 0 after a blank line: it cannot continue a paragraph, list item, block quote,
 *   table or indented code; only fences and HTML blocks of kinds 1-5 run across blank lines;
 * - a line at column 0 that opens a fence or a bullet list item with content, and the line after a
 *   fence opened at column 0 closes: such a line ends every open block and container (a fence and
 *   a non-empty bullet item interrupt a paragraph, and neither is a lazy continuation line), unless
 *   an HTML block of kinds 6-7 holds it, so not in a block where a line starts with `<`.
 * A long list, or fences without blank lines between them, are thus cut too, so no single parse
 * grows with the note. (Link and footnote definitions reach across chunks: collectBody hands every
 * chunk the note's definitions; a part that still ends inside a fence or HTML block is joined.)
 */
export function bodyChunkStarts(text: string, index: LineIndex, bodyStart: number): number[] {
  const starts = [bodyStart];
  let fence: string | undefined;
  let fenceAtColumn0 = false;
  let htmlEnd: RegExp | undefined;
  let prevBlank = false;
  // A line of this block (since the last blank line) starts with `<`: it may be an HTML block.
  let htmlish = false;
  let cutNext = false;
  const cut = (start: number) => {
    if (start > bodyStart && starts[starts.length - 1] !== start) starts.push(start);
  };
  for (let line = index.position(bodyStart).line; line < index.lineCount; line++) {
    const t = index.lineText(line);
    const start = index.starts[line];
    if (fence) {
      if (closesFence(t, fence)) {
        fence = undefined;
        cutNext = fenceAtColumn0;
      }
      prevBlank = false;
      continue;
    }
    if (htmlEnd) {
      if (htmlEnd.test(t)) htmlEnd = undefined;
      prevBlank = false;
      continue;
    }
    const blank = t.trim() === "";
    if (blank) htmlish = false;
    else if (/^ {0,3}</.test(t)) htmlish = true;
    if ((prevBlank || cutNext) && /^[^\s]/.test(t)) cut(start);
    cutNext = false;
    fence = fenceOpened(t);
    fenceAtColumn0 = !!fence && !htmlish && (t[0] === "`" || t[0] === "~");
    if (fenceAtColumn0 || (!fence && !htmlish && /^[-*+][ \t]+\S/.test(t))) cut(start);
    if (!fence) htmlEnd = unclosedHtmlBlock(t);
    prevBlank = blank;
  }
  return starts;
}

/** Parts parsed at once hold whole chunks up to about this many characters: bounded memory, linear time. */
const PART_CHARS = 32 * 1024;
/** Past this many chunks, runs of plain prose are read a part at a time (see collectBody). */
const MANY_CHUNKS = 64;

/**
 * The body's codes and segments, chunk by chunk (see bodyChunkStarts). A chunk with no tag in it that
 * cannot open a fence or an HTML block (no backtick, tilde or `<`) and defines nothing (no `]:`)
 * holds nothing to find and changes nothing elsewhere, so it is not parsed at all; a chunk of plain
 * prose is read without the parser (markdown-plain.ts). Without a cache (a cold read) neighbouring
 * chunks are parsed together in parts of up to PART_CHARS; with one (an open editor) each chunk is
 * parsed and kept on its own, so a keystroke re-parses one chunk. When the note defines links or
 * footnotes, the parts that could refer to them (those holding a `[`) are parsed again knowing all of
 * them. The parser's work is summed over the parts (BodyScan.cost); when it exceeds PARSE_BUDGET the
 * note is not read further and the offset of the part where it ran out is returned (else undefined).
 */
function collectBody(text: string, index: LineIndex, facts: NoteFacts, starts: number[], cache?: ChunkCache): number | undefined {
  const end = (k: number) => (k < starts.length ? starts[k] : text.length);
  const chunkText = (k: number) => text.slice(starts[k], end(k + 1));
  // Whether chunk k holds nothing to find.
  const inert = perChunk((k) => {
    const chunk = chunkText(k);
    return !/[`~<]/.test(chunk) && !chunk.includes("]:") && !hasTagCandidate(chunk);
  });
  const used: ChunkCache = new Map();
  // Each chunk's plain-prose reading (null: not plain prose); an editor keeps it with the parsed
  // chunks (it depends on the chunk's text alone).
  const plain = perChunk((k): BodyScan | null => {
    const chunk = chunkText(k);
    const kept = cache?.get(chunk) ?? used.get(chunk);
    const read = kept ? (kept.cost === 0 ? kept : null) : scanPlainProse(chunk, new LineIndex(chunk)) ?? null;
    if (cache && read) used.set(chunk, read);
    return read;
  });
  /** Parses chunks [k, next), with their per-chunk costs. */
  const scan = (k: number, next: number, definitions?: Definitions, prefix = "") => {
    const chunk = text.slice(starts[k], end(next));
    const key = prefix + chunk;
    let scanned = cache?.get(key) ?? used.get(key);
    if (!scanned) {
      const cuts: number[] = [];
      for (let j = k; j < next; j++) cuts.push(starts[j] - starts[k]);
      scanned = scanMarkdown(chunk, new LineIndex(chunk), definitions, false, cuts);
    }
    if (cache) used.set(key, scanned);
    return scanned;
  };
  // The parser's work so far, summed chunk by chunk in document order (the same cold and in an
  // editor, whatever parts the chunks were parsed in); where it passes PARSE_BUDGET, reading stops.
  let spent = 0;
  const overBudget = (part: { from: number; scanned: BodyScan }, k: number): number | undefined => {
    const costs = part.scanned.costs ?? [part.scanned.cost];
    for (let j = 0; j < costs.length; j++) if ((spent += costs[j]) > PARSE_BUDGET) return starts[k + j];
    return undefined;
  };
  const parts: { from: number; to: number; k: number; next: number; scanned: BodyScan }[] = [];
  // A body without "]:" defines no link or footnote, so no part is parsed again: each part's codes and
  // segments are added as it is read and its scan let go (a 10 MB note of 450,000 coded paragraphs
  // otherwise holds every part's scan as well as the facts: 0.9 GB instead of 0.3).
  const mayDefine = text.indexOf("]:", starts[0]) >= 0;
  const take = (part: (typeof parts)[number]) => (mayDefine ? parts.push(part) : append(facts, part.scanned, index.position(part.from).line, !cache));
  // Whether every line of chunk k could be plain prose (chunks start at line starts).
  const plainLines = perChunk((k) => {
    for (let line = index.position(starts[k]).line; line < index.lineCount && index.starts[line] < end(k + 1); line++) {
      if (!isPlainOrBlankLine(index.lineText(line))) return false;
    }
    return true;
  });
  let runsFrom = 0; // no run is tried before this chunk (one failed there)
  for (let k = 0; k < starts.length; ) {
    if (!cache && k >= runsFrom && starts.length - k > MANY_CHUNKS) {
      // Many chunks left (a long note of short paragraphs): consecutive chunks of plain lines, up to
      // PART_CHARS, are read at once, with the same result as chunk by chunk for a fraction of the work.
      let next = k;
      while (next < starts.length && end(next + 1) - starts[k] <= PART_CHARS && plainLines(next)) next++;
      if (next > k + 1) {
        const runText = text.slice(starts[k], end(next));
        const run = scanPlainProse(runText, new LineIndex(runText));
        if (run && run.cost === 0 && !run.open) {
          if (run.codes.length) take({ from: starts[k], to: end(next), k, next, scanned: run });
          k = next;
          continue;
        }
      }
      runsFrom = Math.max(next, k + 1); // read these chunk by chunk
    }
    if (inert(k)) {
      k++;
      continue;
    }
    const prose = plain(k);
    if (!cache) plain.forget(k); // never asked for again
    if (prose) {
      // (A closed fence, or prose without a tag, adds nothing: not kept, so a run of fences stays small.)
      if (prose.codes.length) take({ from: starts[k], to: end(k + 1), k, next: k + 1, scanned: prose });
      k++;
      continue;
    }
    let next = k + 1;
    if (!cache) while (next < starts.length && !inert(next) && !plain(next) && end(next) - starts[k] < PART_CHARS) next++;
    let scanned = scan(k, next);
    // A part that ends inside a fence or an HTML block of kinds 1-5 (which the whole parse would
    // carry on into the next chunk) is joined with the next chunks, doubling their number each time
    // so that re-parsing stays linear: correctness never rests on the cut. (Only the final parse
    // counts for the budget: the others are bounded by it.)
    for (let more = 1; scanned.open && next < starts.length; more *= 2) {
      next = Math.min(starts.length, next + more);
      scanned = scan(k, next);
    }
    const part = { from: starts[k], to: end(next), k, next, scanned };
    const ranOut = overBudget(part, k);
    if (ranOut !== undefined) return ranOut;
    take(part);
    k = next;
  }
  const definitions: Definitions = { links: new DefinedLabels(), footnotes: new DefinedLabels() };
  for (const part of parts) {
    definitions.links.push(...part.scanned.declared.links);
    definitions.footnotes.push(...part.scanned.declared.footnotes);
  }
  if (definitions.links.labels.size || definitions.footnotes.labels.size) {
    // Parsed again knowing every definition: the two sets are shared by all parts, and an editor's
    // chunks are keyed by a digest of them (not their text), so the cost stays linear. A part with
    // no `[` holds no reference, so it reads the same either way.
    const digest = createHash("sha1");
    for (const set of [definitions.links.labels, definitions.footnotes.labels]) {
      for (const label of [...set].sort()) digest.update(label).update("\u0000");
      digest.update("\u0001");
    }
    const prefix = `${digest.digest("base64")}\u0000`;
    for (const part of parts) {
      if (part.scanned.cost === 0 || !text.slice(part.from, part.to).includes("[")) continue;
      part.scanned = scan(part.k, part.next, definitions, prefix);
      const ranOut = overBudget(part, part.k);
      if (ranOut !== undefined) return ranOut;
    }
  }
  for (const part of parts) append(facts, part.scanned, index.position(part.from).line);
  if (cache) {
    // Keep only this version's chunks: the cache follows the document, it does not grow with history.
    cache.clear();
    for (const [k, v] of used) cache.set(k, v);
  }
  return undefined;
}

/** `compute(k)` for a chunk index, worked out when first asked for and kept until forgotten. */
function perChunk<T>(compute: (k: number) => T): ((k: number) => T) & { forget(k: number): void } {
  const known: (T | undefined)[] = [];
  const get = (k: number) => (known[k] === undefined ? (known[k] = compute(k)) : known[k]) as T;
  return Object.assign(get, { forget: (k: number) => void (known[k] = undefined) });
}

/**
 * Adds a chunk's codes and segments; chunks start at a line start, so only lines shift. `owned`: the
 * scan is used once and never kept (no editor cache), so its objects are moved instead of copied.
 */
function append(facts: NoteFacts, scanned: BodyScan, lines: number, owned = false): void {
  const segmentBase = facts.segments.length;
  if (owned) {
    for (const seg of scanned.segments) {
      seg.line += lines;
      seg.codes = [...seg.codes]; // exact size: a list grown by push keeps room for 16 more
      facts.segments.push(seg);
    }
    for (const use of scanned.codes) {
      // Each position once, even if the scanner ever shares one between the two ranges.
      const ps = [use.range.start, use.range.end, use.idRange.start, use.idRange.end];
      for (let i = 0; i < 4; i++) if (ps.indexOf(ps[i]) === i) ps[i].line += lines;
      use.segment += segmentBase;
      facts.codes.push(use);
    }
    return;
  }
  for (const seg of scanned.segments) facts.segments.push({ line: seg.line + lines, text: seg.text, codes: [...seg.codes] });
  for (const use of scanned.codes) {
    facts.codes.push({ ...use, range: shiftLines(use.range, lines), idRange: shiftLines(use.idRange, lines), segment: use.segment + segmentBase });
  }
}

function shiftLines(r: Range, lines: number): Range {
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}
