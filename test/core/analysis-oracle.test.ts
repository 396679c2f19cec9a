// The analysis oracle: a study from the shared, independent generator (../shared/corpus/make-study.mjs
// --participants 20), whose expected.json lists every coded segment with the fields of SPEC 12. Retrieval,
// every `rows` kind, `count`, `rollup` and co-occurrence are checked against values computed here from
// that list (and, for note counts, from the generated notes' frontmatter read with plain regexes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study } from "../../server/core/study.js";
import type { CodedSegment } from "../../server/core/types.js";
import { parseFilters } from "../../server/core/analysis/filters.js";
import { querySegments } from "../../server/core/analysis/retrieval.js";
import { frameworkMatrix, parseMatrixParams } from "../../server/core/analysis/matrix.js";
import { cooccurrence, parseCooccurrenceFilters } from "../../server/core/analysis/cooccurrence.js";
import { SHARED_GENERATOR, cleanupTemp, ensureBuilt, generate, runCli, tempDir } from "../fixtures/helpers.js";

const available = existsSync(SHARED_GENERATOR);
if (!available) console.warn(`analysis oracle tests skipped: ../shared/corpus/make-study.mjs not found (expected at ${SHARED_GENERATOR})`);

type Attrs = Record<string, number | boolean | string>;
interface Expected {
  practices: { id: string; attributes: Attrs }[];
  participants: ({ id: string } & Attrs)[];
  excluded: { file: string }[];
  segments: CodedSegment[];
}
/** What the test reads itself from a generated note's frontmatter. */
interface OracleNote {
  file: string;
  practice: string;
  date: string;
  type: string;
  participants: string[];
  levels: string[];
  constructs: string[];
  frontCodes: string[];
}

const CONSTRUCTS = ["coherence", "cognitive-participation", "collective-action", "reflexive-monitoring"];
const TYPES = ["observation", "interview", "meeting", "conversation", "document", "memo"];
const LEVELS = ["patient", "practice", "community"];
/** The hierarchy this test adds to the generated (flat) codebook: child -> parent. */
const PARENTS: Record<string, string> = { "theme-b": "theme-a", "theme-c": "theme-b", "theme-e": "theme-d" };

let root: string;
let expected: Expected;
let study: Study;
let notes: OracleNote[];
let codes: string[];

const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const order = (a: CodedSegment, b: CodedSegment) => str(a.date, b.date) || str(a.file, b.file) || a.line - b.line;
const list = (v: string | undefined) => (v ? v.replace(/^\[|\]$/g, "").split(",").map((x) => x.trim()).filter(Boolean) : []);
const below = (id: string): Set<string> => {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of Object.entries(PARENTS)) if (out.has(parent) && !out.has(child)) out.add(child), (grew = true);
  }
  return out;
};
const personOf = (id: string) => expected.participants.find((p) => p.id === id)!;
const practiceOf = (id: string) => expected.practices.find((p) => p.id === id)!;
const valueOrder = (vals: (number | boolean | string)[]) => {
  const nums = [...new Set(vals.filter((v) => typeof v === "number") as number[])].sort((a, b) => a - b).map(String);
  return [...nums, ...[...new Set(vals.filter((v) => typeof v !== "number").map(String))].sort(str)];
};
const segmentsOf = (file: string) => expected.segments.filter((s) => s.file === file);

function months(first: string, last: string): string[] {
  const out: string[] = [];
  for (let y = +first.slice(0, 4), m = +first.slice(5, 7); y * 12 + m <= +last.slice(0, 4) * 12 + +last.slice(5, 7); m === 12 ? ((m = 1), y++) : m++) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
  }
  return out;
}

/** Rows of a note for a `rows` kind, computed from the oracle's own reading. */
function rowsOf(n: OracleNote, rows: string): string[] {
  if (rows === "practice") return [n.practice];
  if (rows === "participant") return n.participants;
  if (rows === "type") return [n.type];
  if (rows === "month") return [n.date.slice(0, 7)];
  if (rows.startsWith("practice.")) {
    const v = practiceOf(n.practice).attributes[rows.slice(9)];
    return [v === undefined ? "(none)" : String(v)];
  }
  const attr = rows.slice("participant.".length);
  return [...new Set(n.participants.map((q) => (personOf(q)[attr] === undefined ? "(none)" : String(personOf(q)[attr]))))];
}

function rowOrder(rows: string, counted: OracleNote[]): string[] {
  if (rows === "practice") return expected.practices.map((p) => p.id);
  if (rows === "participant") return expected.participants.map((p) => p.id);
  if (rows === "type") return TYPES;
  if (rows === "month") {
    const dates = counted.map((n) => n.date).sort(str);
    return months(dates[0], dates[dates.length - 1]);
  }
  const registry: Attrs[] = rows.startsWith("practice.") ? expected.practices.map((p) => p.attributes) : expected.participants;
  const attr = rows.slice(rows.indexOf(".") + 1);
  const vals = valueOrder(registry.flatMap((a) => (a[attr] === undefined ? [] : [a[attr]])));
  return counted.some((n) => rowsOf(n, rows).includes("(none)")) ? [...vals, "(none)"] : vals;
}

/** The matrix the spec asks for, computed independently. */
function oracleMatrix(by: "code" | "construct" | "level", rows: string, count: "notes" | "segments", rollup: boolean, keep: (n: OracleNote) => boolean) {
  const counted = notes.filter(keep);
  const rowIds = rowOrder(rows, counted);
  const cols = by === "code" ? codes : by === "level" ? LEVELS : CONSTRUCTS;
  const cell = (row: string, col: string) => {
    let total = 0;
    for (const n of counted) {
      if (!rowsOf(n, rows).includes(row)) continue;
      const hitsCode = (ids: string[]) => ids.some((id) => (rollup ? below(col).has(id) : id === col));
      if (count === "notes") {
        if (by === "code") total += hitsCode([...n.frontCodes, ...segmentsOf(n.file).flatMap((s) => s.codes)]) ? 1 : 0;
        else if (by === "construct") total += n.constructs.includes(col) ? 1 : 0;
        else total += n.levels.includes(col) ? 1 : 0;
      } else {
        for (const s of segmentsOf(n.file)) total += (by === "code" ? hitsCode(s.codes) : s.constructs.includes(col)) ? 1 : 0;
      }
    }
    return total;
  };
  return { header: [rows, ...cols], rows: rowIds.map((label) => ({ label, cells: cols.map((c) => cell(label, c)) })) };
}

const matrixOf = (pairs: [string, string][]) => frameworkMatrix(study, parseMatrixParams(pairs, study.config!, study.codebook));
const query = (pairs: [string, string][]) => querySegments(study, parseFilters(pairs, { config: study.config!, codebook: study.codebook }));

describe.skipIf(!available)("analysis oracle (make-study.mjs --participants 20)", () => {
  beforeAll(async () => {
    root = tempDir("fieldnotes-analysis-oracle-");
    generate(SHARED_GENERATOR, root, ["--notes", "400", "--participants", "20", "--codes", "12", "--seed", "11", "--broken", "0.04"]);
    expected = JSON.parse(readFileSync(join(root, "expected.json"), "utf8"));
    // A hierarchy for `under` and `rollup`: the generated codebook is flat.
    let codebook = readFileSync(join(root, "codebook.yaml"), "utf8");
    for (const [child, parent] of Object.entries(PARENTS)) codebook = codebook.replace(`  ${child}:\n`, `  ${child}:\n    parent: ${parent}\n`);
    writeFileSync(join(root, "codebook.yaml"), codebook);
    codes = [...codebook.matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((m) => m[1]);
    study = await Study.open(root, { cache: false, workers: 1, today: "2030-01-01" });
    const excluded = new Set(expected.excluded.map((e) => e.file));
    notes = [...study.notes.keys()]
      .filter((f) => !excluded.has(f))
      .map((file) => {
        const front = readFileSync(join(root, file), "utf8").split("---\n")[1];
        const field = (k: string) => new RegExp(`^${k}: (.*)$`, "m").exec(front)?.[1];
        return {
          file,
          practice: field("practice")!,
          date: field("date")!,
          type: field("type")!,
          participants: list(field("participants")),
          levels: [...new Set(list(field("level")))],
          constructs: [...new Set(list(field("npt")).map((id) => id.split("/")[0]))],
          frontCodes: list(field("codes")),
        };
      });
    expect(notes.length).toBe(400 - expected.excluded.length);
    expect(expected.participants.length).toBe(20);
  }, 120_000);
  afterAll(() => cleanupTemp());

  it("the generated notes are as expected.json says (the oracle's premise)", () => {
    expect(study.summary().excluded.map((e) => e.file)).toEqual(expected.excluded.map((e) => e.file));
  });

  const cases: [string, [string, string][], (s: CodedSegment) => boolean][] = [
    ["no filter: every coded segment", [], () => true],
    ["code", [["code", "theme-a"]], (s) => s.codes.includes("theme-a")],
    ["code given twice (OR)", [["code", "theme-f"], ["code", "theme-g"]], (s) => s.codes.includes("theme-f") || s.codes.includes("theme-g")],
    ["under (a code and those below it)", [["under", "theme-a"]], (s) => s.codes.some((c) => below("theme-a").has(c))],
    ["construct and practice attribute", [["construct", "coherence"], ["practice.training", "true"]], (s) => s.constructs.includes("coherence") && practiceOf(s.practice).attributes.training === true],
    ["practice and type", [["practice", "Magenta"], ["type", "memo"]], (s) => s.practice === "Magenta" && s.type === "memo"],
    ["participant attribute and a date window", [["participant.role", "gp"], ["from", "2015-06-01"], ["to", "2016-03-31"]], (s) => s.participants.some((q) => personOf(q).role === "gp") && s.date >= "2015-06-01" && s.date <= "2016-03-31"],
    ["participant", [["participant", "P03"]], (s) => s.participants.includes("P03")],
    ["text, ignoring case", [["text", "GARDEN cafe"]], (s) => s.text.toLowerCase().includes("garden cafe")],
  ];
  for (const [what, pairs, keep] of cases) {
    it(`retrieval: ${what}`, () => {
      const want = expected.segments.filter(keep).sort(order);
      expect(want.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(query(pairs)))).toEqual(want);
    });
  }

  it("retrieval: a numeric attribute written as text", () => {
    const years = expected.participants.find((p) => p.years !== undefined)!.years as number;
    const want = expected.segments.filter((s) => s.participants.some((q) => personOf(q).years === years)).sort(order);
    expect(want.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(query([["participant.years", String(years)]])))).toEqual(want);
  });

  const ROWS = ["practice", "participant", "type", "month", "practice.training", "practice.listSize", "participant.role", "participant.years", "participant.service"];
  for (const rows of ROWS) {
    for (const [by, count] of [["code", "notes"], ["code", "segments"], ["construct", "notes"], ["construct", "segments"], ["level", "notes"]] as const) {
      it(`matrix rows=${rows} by=${by} count=${count}`, () => {
        const got = matrixOf([["by", by], ["rows", rows], ["count", count]]);
        expect(got).toEqual(oracleMatrix(by, rows, count, false, () => true));
      });
    }
  }

  it("participant.years rows end with (none): some participants have no years", () => {
    expect(matrixOf([["rows", "participant.years"]]).rows.at(-1)!.label).toBe("(none)");
  });

  for (const count of ["notes", "segments"] as const) {
    it(`rollup=1 by=code count=${count}: a parent's cell counts its descendants, each note or segment once`, () => {
      const got = matrixOf([["by", "code"], ["rows", "participant.role"], ["count", count], ["rollup", "1"]]);
      const want = oracleMatrix("code", "participant.role", count, true, () => true);
      expect(got).toEqual(want);
      // Not the plain counts: theme-a gains theme-b and theme-c.
      expect(got).not.toEqual(oracleMatrix("code", "participant.role", count, false, () => true));
    });
  }

  it("note-level filters restrict the notes counted (and the months spanned)", () => {
    const keep = (n: OracleNote) => practiceOf(n.practice).attributes.training === false && n.date >= "2015-09-01" && n.type !== "memo";
    const pairs: [string, string][] = [["practice.training", "false"], ["from", "2015-09-01"], ...TYPES.filter((t) => t !== "memo").map((t) => ["type", t] as [string, string])];
    expect(matrixOf([["by", "code"], ["rows", "month"], ...pairs])).toEqual(oracleMatrix("code", "month", "notes", false, keep));
    expect(matrixOf([["by", "construct"], ["rows", "participant"], ["count", "segments"], ...pairs])).toEqual(oracleMatrix("construct", "participant", "segments", false, keep));
  });

  it("co-occurrence counts segments carrying both codes, the diagonal those carrying one", () => {
    const want = codes.map((a) => codes.map((b) => expected.segments.filter((s) => s.codes.includes(a) && s.codes.includes(b)).length));
    expect(cooccurrence(study, parseCooccurrenceFilters([], study))).toEqual({ codes, counts: want });
    const roleGp = (s: CodedSegment) => s.participants.some((q) => personOf(q).role === "gp");
    const filtered = codes.map((a) => codes.map((b) => expected.segments.filter((s) => roleGp(s) && s.codes.includes(a) && s.codes.includes(b)).length));
    expect(cooccurrence(study, parseCooccurrenceFilters([["participant.role", "gp"]], study)).counts).toEqual(filtered);
  });

  it("the CLI gives the same segments, matrix and co-occurrence as a process", async () => {
    ensureBuilt();
    const q = await runCli(["query", root, "--code", "theme-a", "--participant.service", "north", "--format", "json", "--no-cache"], undefined, 120_000);
    expect(q.code).toBe(0);
    const want = expected.segments.filter((s) => s.codes.includes("theme-a") && s.participants.some((p) => personOf(p).service === "north")).sort(order);
    expect(JSON.parse(q.stdout)).toEqual({ total: want.length, segments: want });
    const m = await runCli(["report", root, "--format", "csv", "--by", "code", "--rows", "participant.role", "--count", "segments", "--rollup", "--no-cache"], undefined, 120_000);
    expect(m.code).toBe(0);
    const om = oracleMatrix("code", "participant.role", "segments", true, () => true);
    expect(m.stdout).toBe([om.header, ...om.rows.map((r) => [r.label, ...r.cells])].map((r) => r.join(",")).join("\r\n") + "\r\n");
    const c = await runCli(["report", root, "--format", "csv", "--by", "cooccurrence", "--no-cache"], undefined, 120_000);
    const co = codes.map((a) => [a, ...codes.map((b) => expected.segments.filter((s) => s.codes.includes(a) && s.codes.includes(b)).length)]);
    expect(c.stdout).toBe([["code", ...codes], ...co].map((r) => r.join(",")).join("\r\n") + "\r\n");
  }, 240_000);
});
