// Wording of the checks (SPEC section 6): comma lists, "did you mean" that only offers ids valid where
// the value stands, one answer for a case-only difference, no dangling "Or", near-miss keys.
import { describe, expect, it } from "vitest";
import { makeContext, parseCodebook, parseConfig, parseNoteText, validateNote, type Diagnostic } from "../../server/core/index.js";
import { BASIC_CODEBOOK, BASIC_CONFIG } from "../fixtures/helpers.js";

const CONFIG = parseConfig(BASIC_CONFIG).config!;
const ctx = makeContext(CONFIG, parseCodebook(BASIC_CODEBOOK).codebook, "2016-06-01");
const BASE = ["practice: Magenta", "date: 2016-03-14", "npt: [coherence]"];

function note(front: string[], body = "Some observation.\n"): string {
  return ["---", ...front, "---", "", body].join("\n");
}
function diagnose(text: string, c = ctx): Diagnostic[] {
  return validateNote(parseNoteText(text), c);
}

describe("a comma string where a list is expected", () => {
  const cases: [string, string, string][] = [
    ["npt", "npt: coherence, collective-action", "[coherence, collective-action]"],
    ["codes", "codes: gp-buy-in, trust", "[gp-buy-in, trust]"],
    ["participants", "participants: gp, nurse", "[gp, nurse]"],
    ["level", "level: practice, community", "[practice, community]"],
  ];
  for (const [field, line, list] of cases) {
    it(`${field}: says to write ${list}, with that list as the fix, and nothing else`, () => {
      const front = field === "npt" ? [BASE[0], BASE[1], line] : [...BASE, line];
      const ds = diagnose(note(front));
      expect(ds.map((d) => d.rule)).toEqual(["field-type"]);
      expect(ds[0].message).toContain(`write a list: ${list}`);
      expect(ds[0].data?.suggestions).toEqual([list]);
      expect(ds[0].data?.replaceRange).toEqual(ds[0].range);
      expect(ds[0].data?.code).toBeUndefined(); // never offered as a new code
      expect(ds[0].range.start.line).toBe(front.indexOf(line) + 1);
    });
  }
  it("is never taken as one code use", () => {
    expect(parseNoteText(note([...BASE, "codes: gp-buy-in, trust"])).codes).toEqual([]);
  });
  it("quotes items YAML would not read back as the same string", () => {
    const d = diagnose(note([...BASE, "codes: 7, true, a"]))[0];
    expect(d.data?.suggestions).toEqual(['["7", "true", a]']);
  });
  it("a quoted participant with a comma is one value", () => {
    expect(diagnose(note([...BASE, 'participants: "Smith, J"']))).toEqual([]);
  });
});

describe("did you mean", () => {
  it("has no dangling 'Or' without a suggestion", () => {
    const ds = diagnose(note(BASE, "Heard #feedback here.\n"));
    expect(ds.map((d) => d.rule)).toEqual(["code-unknown"]);
    expect(ds[0].message).not.toMatch(/\bOr\b/);
    expect(ds[0].message).toMatch(/Add it to the codebook/);
    const frontmatter = diagnose(note([...BASE, "codes: [zzzz]"]));
    expect(frontmatter[0].message).not.toMatch(/\bOr\b/);
  });

  it("never offers a codebook id that is itself invalid; the codebook-invalid message offers the valid id", () => {
    const cb = parseCodebook("codes:\n  GP-Workload:\n    label: GP workload\n  Practice_Champion:\n    label: Champion\n  gp-buy-in:\n    label: GP buy-in\n");
    const invalid = cb.diagnostics.filter((d) => d.rule === "codebook-invalid");
    expect(invalid.map((d) => d.data?.suggestions)).toEqual([["gp-workload"], ["practice-champion"]]);
    expect(invalid[0].message).toContain("'gp-workload'");
    expect(invalid[1].message).toContain("'practice-champion'");
    const c = makeContext(CONFIG, cb.codebook, "2016-06-01");
    const ds = diagnose(note(BASE, "Busy. #gp-workload and #Practice_Champion\n"), c);
    expect(ds.map((d) => d.rule)).toEqual(["code-unknown", "code-unknown"]);
    for (const d of ds) {
      expect(d.data?.suggestions ?? []).toEqual([]);
      expect(d.message).not.toMatch(/GP-Workload|Practice_Champion'/);
    }
    // A tag that names the invalid key is not a cascade of errors in the notes.
    expect(diagnose(note(BASE, "Busy. #GP-Workload\n"), c)).toEqual([]);
  });

  it("a case-only difference offers exactly that id", () => {
    const npt = diagnose(note([BASE[0], BASE[1], "npt: Coherence"]));
    expect(npt.map((d) => [d.rule, d.data?.suggestions])).toEqual([["npt-unknown", ["coherence"]]]);
    expect(npt[0].message).toContain("Did you mean 'coherence'?");
    const code = diagnose(note(BASE, "x #GP-Buy-In\n"));
    expect(code[0].data?.suggestions).toEqual(["gp-buy-in"]);
    const practice = diagnose(note(["practice: magenta", BASE[1], BASE[2]]));
    expect(practice[0].data?.suggestions).toEqual(["Magenta"]);
  });
});

describe("field-unknown", () => {
  it("is a warning when a known field is one or two edits away", () => {
    for (const key of ["asessment", "asesment", "Practise", "particpants"]) {
      const ds = diagnose(note([...BASE, `${key}: x`]));
      expect(ds.map((d) => [d.rule, d.severity])).toEqual([["field-unknown", "warning"]]);
    }
  });
  it("is information otherwise", () => {
    const ds = diagnose(note([...BASE, "mood: sunny", "interviewer: JS"]));
    expect(ds.map((d) => [d.rule, d.severity])).toEqual([["field-unknown", "information"], ["field-unknown", "information"]]);
  });
});

describe("body-empty: an unedited template", () => {
  const front = ["---", ...BASE, "---"];
  it("headings, HTML comments (one unclosed too) and white space only: body-empty", () => {
    for (const body of ["\n## Setting\n\n<!-- Where. -->\n\n## Reflections\n\n<!--\n multi-line\n-->\n", "# Title\r\n\r\n<!-- x -->   \r\n", "## A\n<!-- never closed\n\nmore", "## A <!-- opened on the heading\nstill a comment\n-->\n   \n"]) {
      const ds = diagnose([...front, body].join("\n"));
      expect(ds.map((d) => d.rule)).toEqual(["body-empty"]);
      expect(ds[0].range.start.line).toBe(4);
    }
  });
  it("any text, a coded heading, or a list: not body-empty", () => {
    for (const body of ["## Setting\n\nThe room.\n", "## Setting #gp-buy-in\n", "<!-- c --> text after\n", "- item\n", "#hashtag-only\n", "    # indented: code, not a heading\n", "<!-- c --> text after a comment\n", "## A <!-- c -->\nText.\n"]) {
      expect(diagnose([...front, body].join("\n")).map((d) => d.rule)).not.toContain("body-empty");
    }
  });
});

describe("YAML tags fieldnotes does not read", () => {
  const cases: [string, string, number, number, number, string | undefined][] = [
    // field line, tag, line, start, end (the tag and the value), fix
    ["date: !!timestamp 2016-03-14", "!!timestamp", 2, 6, 28, "2016-03-14"],
    ["codes: !!omap [gp-buy-in]", "!!omap", 4, 7, 25, "[gp-buy-in]"],
    ["observer: !!binary Tk9SQw==", "!!binary", 4, 10, 27, "Tk9SQw=="],
    ["codes: !!pairs [gp-buy-in]", "!!pairs", 4, 7, 26, "[gp-buy-in]"],
    ["codes: !!set {gp-buy-in}", "!!set", 4, 7, 24, undefined],
    ["level: !local practice", "!local", 4, 7, 22, "practice"],
  ];
  for (const [line, tag, l, from, to, fix] of cases) {
    it(`${tag}: one field-type at the tag and value, saying to remove the tag`, () => {
      const front = line.startsWith("date:") ? [BASE[0], line, BASE[2]] : [...BASE, line];
      const ds = diagnose(note(front));
      expect(ds.map((d) => [d.rule, d.range])).toEqual([["field-type", { start: { line: l, character: from }, end: { line: l, character: to } }]]);
      expect(ds[0].message).toContain(`'${tag}'`);
      expect(ds[0].message).toMatch(/Remove the tag and write /);
      expect(ds[0].data?.suggestions).toEqual(fix ? [fix] : undefined);
    });
  }
  it("a tag in a list item, after an anchor, or the core schema's own tags", () => {
    expect(diagnose(note([...BASE, "codes: [gp-buy-in, !!binary eA==]"])).map((d) => [d.rule, d.range.start.character, d.range.end.character])).toEqual([["field-type", 19, 32]]);
    expect(diagnose(note([BASE[0], "date: &d !!timestamp 2016-03-14", BASE[2]]))[0].range.start.character).toBe(9);
    expect(diagnose(note([BASE[0], "date: !!str 2016-03-14", "npt: !!seq [coherence]"]))).toEqual([]);
  });
});
