// "Did you mean" cost (issue 9, section 5): suggestions cost about the same whatever the codebook's
// size, and each distinct unknown id is answered once per validation context. Asserted on the number
// of edit distances computed (suggestStats), not on time: timing is in bench/suggest.mjs.
import { describe, expect, it } from "vitest";
import { Suggester, editDistance, suggestStats, SCAN_LIMIT } from "../../server/core/suggest.js";
import { makeContext, parseConfig, parseNoteText, validateNote, type Codebook, type CodeEntry } from "../../server/core/index.js";
import { MAX_UNKNOWN_LISTED } from "../../server/core/validate.js";
import { BASIC_CONFIG } from "../fixtures/helpers.js";

const WORDS = "access admin agenda anxiety audit benefit budget care carer champion clinic coaching community consent cost culture data debt diet doctor education family feedback finance fitness food funding gp grief health housing income isolation leadership learning link loneliness meeting mental money nurse outreach partner patient pharmacy physical practice protocol referral rota safety service skills social staff support team training trust volunteer waiting welfare work workload".split(" ");

/** `n` distinct, valid code ids made of two or three words. */
function codeIds(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const a = WORDS[i % WORDS.length];
    const b = WORDS[Math.floor(i / WORDS.length) % WORDS.length];
    const c = Math.floor(i / WORDS.length ** 2);
    out.push(c ? `${a}-${b}-${WORDS[c % WORDS.length]}` : `${a}-${b}`);
  }
  return out;
}

/** Unknown tags: misspellings of codes (a letter doubled, dropped or swapped) and words that match nothing. */
function unknownTags(ids: string[], n: number): string[] {
  const out = new Set<string>();
  for (let i = 0; out.size < n; i++) {
    const id = ids[(i * 7919) % ids.length];
    const k = 1 + (i % (id.length - 2));
    const variants = [id.slice(0, k) + id[k] + id.slice(k), id.slice(0, k) + id.slice(k + 1), `zq${i}x-unrelated`];
    if (!ids.includes(variants[i % 3])) out.add(variants[i % 3]);
  }
  return [...out];
}

function distances(run: () => void): number {
  const before = suggestStats.distances;
  run();
  return suggestStats.distances - before;
}

describe("Suggester", () => {
  it("finds every id within one edit, as a full scan does, in a long list", () => {
    const ids = codeIds(5000);
    const s = new Suggester(ids);
    for (const tag of unknownTags(ids, 150)) {
      const near = ids.filter((id) => editDistance(tag, id, 1) <= 1);
      expect(s.closest(tag, 1000)).toEqual(expect.arrayContaining(near));
    }
  });

  it("costs about the same for 26,000 ids as for 2,000: distances computed per unknown id do not grow with the list", () => {
    const small = codeIds(2000);
    const large = codeIds(26000);
    const tags = unknownTags(small, 1000);
    const perTag = (ids: string[]) => {
      const s = new Suggester(ids);
      s.closest("warm-up-index"); // the index is built once; building it computes no distances
      return distances(() => tags.forEach((t) => s.closest(t))) / tags.length;
    };
    const a = perTag(small);
    const b = perTag(large);
    expect(2000).toBeGreaterThan(SCAN_LIMIT);
    expect(b).toBeLessThan(40);
    expect(b).toBeLessThan(3 * a + 5);
    // A full scan would compute one distance per id for each tag.
    expect(b).toBeLessThan(large.length / 500);
  });

  it("answers a repeated word from memory", () => {
    const ids = codeIds(3000);
    const s = new Suggester(ids);
    const typo = ids[100].replace(/(.)/, "$1$1");
    const first = distances(() => s.closest(typo));
    expect(first).toBeGreaterThan(0);
    expect(s.closest(typo)).toEqual([ids[100]]);
    expect(distances(() => s.closest(typo))).toBe(0);
  });
});

describe("validation: 3,000 distinct unknown tags against 26,000 codes", () => {
  it("computes a bounded number of distances per distinct tag, and none again for a repeated tag", () => {
    const ids = codeIds(26000);
    const codes = new Map<string, CodeEntry>();
    const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    for (const id of ids) codes.set(id, { id, label: id, deprecated: false, range: zero, references: [], entryRange: zero });
    const codebook: Codebook = { order: ids, codes };
    const ctx = makeContext(parseConfig(BASIC_CONFIG).config!, codebook, "2016-06-01");
    const tags = unknownTags(ids, 3000);
    // Three notes of 1,000 tags each: a note lists at most MAX_UNKNOWN_LISTED unknown codes one by one.
    expect(MAX_UNKNOWN_LISTED).toBe(1000);
    const notes = [0, 1, 2].map((k) => {
      const body = tags.slice(k * 1000, (k + 1) * 1000).map((t) => `Seen #${t} here.`).join("\n\n");
      return parseNoteText(`---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n${body}\n`);
    });
    let unknown = 0;
    const n = distances(() => notes.forEach((facts) => (unknown += validateNote(facts, ctx).filter((d) => d.rule === "code-unknown").length)));
    expect(unknown).toBe(3000);
    expect(n / 3000).toBeLessThan(40);
    expect(distances(() => notes.forEach((facts) => validateNote(facts, ctx)))).toBe(0); // the same context remembers every answer
  });
});

