// Property-based tests (fast-check): arbitrary text, bytes and mutated valid notes never throw,
// every range lies inside its document, and results are deterministic.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBytes, makeContext, parseCodebook, parseConfig, parseNoteBytes, parseNoteText, validateNote, type NoteFacts, type Range } from "../../server/core/index.js";
import { BASIC_CODEBOOK, BASIC_CONFIG } from "../fixtures/helpers.js";

const ctx = makeContext(parseConfig(BASIC_CONFIG).config!, parseCodebook(BASIC_CODEBOOK).codebook, "2016-06-01");

/** Length of each line's content, as LSP sees it: lines end at LF, CRLF or a lone CR. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

function expectInside(range: Range, lengths: number[], what: string): void {
  const ok =
    range.start.line >= 0 &&
    range.start.line < lengths.length &&
    range.end.line < lengths.length &&
    range.start.character >= 0 &&
    range.start.character <= lengths[range.start.line] &&
    range.end.character >= 0 &&
    range.end.character <= lengths[range.end.line] &&
    (range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character));
  if (!ok) throw new Error(`${what} range ${JSON.stringify(range)} is outside the document (line lengths ${JSON.stringify(lengths.slice(0, 20))}…)`);
}

/** Every invariant for one text: no throw, ranges inside, lineCount right, deterministic. */
function checkText(text: string): void {
  const facts = parseNoteText(text);
  const lengths = lineLengths(text);
  expect(facts.lineCount).toBe(lengths.length);
  checkFacts(facts, lengths);
  expect(parseNoteText(text)).toEqual(facts);
}

function checkFacts(facts: NoteFacts, lengths: number[]): void {
  const diagnostics = validateNote(facts, ctx);
  for (const d of diagnostics) {
    expectInside(d.range, lengths, d.rule);
    if (d.data?.replaceRange) expectInside(d.data.replaceRange, lengths, `${d.rule} replaceRange`);
    expect(d.message.length).toBeGreaterThan(0);
  }
  for (const c of facts.codes) {
    expectInside(c.range, lengths, `code ${c.id}`);
    expectInside(c.idRange, lengths, `code id ${c.id}`);
    if (c.inline) expect(facts.segments[c.segment].codes).toContain(c.id);
  }
  for (const s of facts.segments) {
    expect(s.line).toBeGreaterThanOrEqual(1);
    expect(s.line).toBeLessThanOrEqual(lengths.length);
    expect(s.text).toBe(s.text.trim());
  }
  const walk = (v: unknown): void => {
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.range && typeof o.range === "object") expectInside(o.range as Range, lengths, "field");
    if (o.keyRange) expectInside(o.keyRange as Range, lengths, "key");
    for (const k of ["items", "entries", "value"]) {
      const child = o[k];
      if (Array.isArray(child)) child.forEach(walk);
      else walk(child);
    }
  };
  facts.fields?.forEach(walk);
  expectInside(facts.openRange, lengths, "openRange");
}

const VALID_NOTES = [
  "---\npractice: Magenta\ndate: 2016-03-14\nnpt: [coherence, cognitive-participation/enrolment]\ntype: meeting\nlevel: [practice]\ncodes: [gp-buy-in]\nassessment:\n  coherence: full\n---\n\n# Meeting\n\nThe partners agreed. #shared-learning #gp-buy-in\n\n- item (#old-code)\n\n  second para #gp-buy-in\n\n| a | b |\n| - | - |\n| #gp-buy-in | x |\n\n> quote #shared-learning\n",
  "\uFEFF---\r\npractice: Cobalt\r\ndate: 2015-06-01\r\nnpt: coherence\r\n---\r\n\r\n😀 会议 #gp-buy-in `#code` [link #shared-learning](http://x/#y)\r\n",
  "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n",
];

// Pieces that stress the parsers when spliced in anywhere.
const TOKENS = ["---", "\n---\n", "#", "#gp-buy-in", " #x", "[", "]", "{", "}", "&a ", "*a", "\r\n", "\r", "\n", "\uFEFF", "😀", "\uD800", "\t", "> ", "- ", "```", "`", "<!--", "|", ":", "\\", "&#35;", "07700 900123", "\u0000", "'", '"', "    "];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: "binary", maxLength: 8 })) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, ms: Mutation[]): string {
  for (const m of ms) {
    const at = text.length ? m.at % (text.length + 1) : 0;
    if (m.kind === "insert") text = text.slice(0, at) + m.text + text.slice(at);
    else if (m.kind === "delete") text = text.slice(0, at) + text.slice(at + m.length);
    else text = text.slice(0, at) + text.slice(at, at + m.length) + text.slice(at);
  }
  return text;
}

describe("properties", () => {
  it("arbitrary text never throws; ranges inside; deterministic", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), (s) => checkText(s)), { numRuns: 300 });
  });

  it("arbitrary text after a valid frontmatter", () => {
    const head = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n";
    const body = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: "grapheme", maxLength: 10 })), { maxLength: 40 }).map((xs) => xs.join(""));
    fc.assert(fc.property(body, (b) => checkText(head + b)), { numRuns: 300 });
  });

  it("arbitrary frontmatter YAML", () => {
    const yamlish = fc.array(fc.oneof(fc.constantFrom("practice: ", "date: ", "npt: ", "level: ", "codes: ", "assessment:", "\n", "  ", "- ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ", "? ", "'", '"', "#", "coherence", "Magenta", "2016-03-14", "~", "null", "3", "__proto__: ", "<<: "), fc.string({ maxLength: 5 })), { maxLength: 30 }).map((xs) => xs.join(""));
    fc.assert(fc.property(yamlish, fc.string({ maxLength: 40 }), (y, b) => checkText(`---\n${y}\n---\n${b}`)), { numRuns: 300 });
  });

  it("mutated valid notes never throw; ranges inside; deterministic", () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_NOTES), fc.array(mutation, { minLength: 1, maxLength: 6 }), (note, ms) => checkText(mutate(note, ms))),
      { numRuns: 400 },
    );
  });

  it("arbitrary bytes (and mutated note bytes) never throw; ranges inside the decoded text", () => {
    const enc = new TextEncoder();
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(...VALID_NOTES), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })).map(([n, edits]) => {
        const b = enc.encode(n);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const facts = parseNoteBytes(b);
        const decoded = decodeBytes(b);
        const lengths = facts.fatal ? [0] : lineLengths(decoded.text);
        checkFacts(facts, lengths);
        expect(parseNoteBytes(b)).toEqual(facts);
      }),
      { numRuns: 300 },
    );
  });

  it("config and codebook text never throw and locate every diagnostic", () => {
    const text = fc.array(fc.oneof(fc.constantFrom("study: S\n", "practices:\n", "  - id: A\n", "    x: 1\n", "codes:\n", "  a:\n", "    label: L\n", "    parent: b\n", "    npt: coherance\n", "[", "{", "&a ", "*a", "\t", "__proto__: ", "\r\n"), fc.string({ maxLength: 6 })), { maxLength: 25 }).map((xs) => xs.join(""));
    fc.assert(
      fc.property(text, (t) => {
        const lengths = lineLengths(t);
        for (const d of [...parseConfig(t).diagnostics, ...parseCodebook(t).diagnostics]) expectInside(d.range, lengths, d.rule);
        expect(parseConfig(t)).toEqual(parseConfig(t));
      }),
      { numRuns: 300 },
    );
  });
});
