// The fast frontmatter reader (server/core/yamlsimple.ts) against the yaml package's walk
// (parseYamlFacts with simple = false): whenever the fast reader accepts a text, its facts, ranges
// included, equal the yaml package's; texts just outside its subset are left to the yaml package.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LineIndex } from "../../server/core/text.js";
import type { ValueFact } from "../../server/core/types.js";
import { parseYamlFacts } from "../../server/core/yamlfacts.js";
import { simpleYamlFacts } from "../../server/core/yamlsimple.js";
import { OWN_GENERATOR, cleanupTemp, generate, tempDir } from "../fixtures/helpers.js";
import { afterAll } from "vitest";

afterAll(() => cleanupTemp());

/** Both readers on `src` placed after a 4-character prefix (so that offsets and lines shift). */
function both(src: string) {
  const text = `---\n${src}---\n`;
  const index = new LineIndex(text);
  const at = (s: number, e: number) => index.range(4 + s, 4 + Math.max(s, e));
  const fast = simpleYamlFacts(src, at);
  const reference = parseYamlFacts(src, 4, index, false);
  // A note uses the entries of its frontmatter mapping (NoteFacts.fields), not the mapping's own range.
  const entries = (v: ValueFact | undefined) => (v && v.kind === "map" ? v.entries : v);
  return { fast: fast && entries(fast), reference: { problems: reference.problems, value: entries(reference.value) } };
}

const KEYS = ["practice", "date", "npt", "codes", "level", "type", "observer", "participants", "assessment", "a", "x_y", "Key", "true", "null", "k-1"];
const SCALARS = ["Alder", "AB", "2015-01-05", "2015-1-5", "focus group", "focus  group", "a #b", "a#b", "x: y", "null", "Null", "true", "FALSE", "yes", "1", "-1", ".inf", "1e3", "'q'", '"q"', "a.b/c(d)", "Dr J. Smith", "~", "&a x", "*a", "!!str x", "[", "]", "a,b", ""];
const LISTS = ["[]", "[ ]", "[a]", "[a, b]", "[a,b]", "[ a , b ]", "[a, ]", "[a,,b]", "[a, [b]]", "[null, b]", "[1, 2]", "[2016-03-14]", "[a b, c]", "{a: b}"];

const GOOD_KEYS = KEYS.slice(0, 11);
const good = fc.oneof(
  fc.record({ key: fc.constantFrom(...GOOD_KEYS), value: fc.constantFrom(...SCALARS.slice(0, 5), "a.b/c(d)", "Dr J. Smith", ...LISTS.slice(0, 6), "[a b, c]") }).map((l) => `${l.key}: ${l.value}\n`),
  fc.record({ key: fc.constantFrom(...GOOD_KEYS), items: fc.array(fc.constantFrom(...SCALARS.slice(0, 5)), { minLength: 1, maxLength: 3 }) }).map((b) => `${b.key}:\n${b.items.map((v) => `  - ${v}\n`).join("")}`),
  fc.record({ key: fc.constantFrom(...GOOD_KEYS), entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...GOOD_KEYS), fc.constantFrom(...SCALARS.slice(0, 5), ...LISTS.slice(0, 6))), { minLength: 1, maxLength: 3, selector: (e) => e[0] }) }).map(
    (b) => `${b.key}:\n${b.entries.map(([k, v]) => `  ${k}: ${v}\n`).join("")}`,
  ),
  fc.constantFrom(...GOOD_KEYS).map((k) => `${k}:\n`),
);
const hostile = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), sep: fc.constantFrom(": ", ":  ", ":", " : "), value: fc.constantFrom(...SCALARS, ...LISTS), tail: fc.constantFrom("", "", "", " ", " # c") }).map((l) => `${l.key}${l.sep}${l.value}${l.tail}\n`),
  fc.record({ key: fc.constantFrom(...KEYS), items: fc.array(fc.constantFrom(...SCALARS.slice(0, 12), ...LISTS.slice(0, 6)), { minLength: 1, maxLength: 3 }), indent: fc.constantFrom("  ", " ", "    ", "") }).map(
    (b) => `${b.key}:\n${b.items.map((v) => `${b.indent}- ${v}\n`).join("")}`,
  ),
  fc.record({ key: fc.constantFrom(...KEYS), entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...SCALARS.slice(0, 14), ...LISTS.slice(0, 6))), { minLength: 1, maxLength: 3 }), indent: fc.constantFrom("  ", "  ", "   ") }).map(
    (b) => `${b.key}:\n${b.entries.map(([k, v]) => `${b.indent}${k}: ${v}\n`).join("")}`,
  ),
  fc.constantFrom("\n", "# comment\n", "key:\n", "a: b\r\n", "\ta: b\n", "--- \n"),
);
// Mostly lines of the subset, with lines at and beyond its edges mixed in.
const line = fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: hostile, weight: 1 });

describe("the fast frontmatter reader", () => {
  it("equals the yaml package whenever it accepts a text (generated near the edges of its subset)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.boolean(), (lines, finalNewline) => {
        let src = lines.join("");
        if (!finalNewline) src = src.replace(/\n$/, "");
        const { fast, reference } = both(src);
        if (fast === undefined) return;
        accepted++;
        expect(reference.problems).toEqual([]);
        expect(fast).toEqual(reference.value);
      }),
      { numRuns: 3000 },
    );
    // The subset is exercised, not only its edges.
    expect(accepted).toBeGreaterThan(600);
  });

  it("reads the frontmatter of every note of a generated study as the yaml package does, and takes nearly all of them", () => {
    const dir = tempDir("fieldnotes-yamlsimple-");
    generate(OWN_GENERATOR, dir, ["--notes", "400", "--practices", "5", "--codes", "30", "--seed", "7", "--broken", "0.05"]);
    const files = (readdirSync(join(dir, "notes"), { recursive: true }) as string[]).filter((f) => f.endsWith(".md"));
    let taken = 0;
    for (const f of files) {
      const text = readFileSync(join(dir, "notes", f), "utf8");
      if (!text.startsWith("---\n")) continue;
      const end = text.indexOf("\n---", 3);
      if (end === -1) continue;
      const { fast, reference } = both(text.slice(4, end + 1));
      if (fast === undefined) continue;
      taken++;
      expect(reference.problems, f).toEqual([]);
      expect(fast, f).toEqual(reference.value);
    }
    expect(taken / files.length).toBeGreaterThan(0.85);
  });

  it("leaves to the yaml package what it does not read: quotes, comments, numbers, null and booleans, anchors, tags, CR, tabs, duplicates", () => {
    for (const src of ["a: 'x'\n", "a: x # c\n", "a: 1\n", "a: null\n", "a: true\n", "a: &x y\n", "a: !!str y\n", "a: x\r\n", "a:\tx\n", "a: x\na: y\n", "# c\na: x\n", "a: x\n\nb: y\n", "a:\n    b: c\n", "a:\n- x\n", "A: x\n", "a: [x, 1]\n"]) {
      expect(both(src).fast, JSON.stringify(src)).toBeUndefined();
    }
  });
});
