// De-identification (SPEC section 6, identifier-suspected): the kinds added for issue 9 (CHI and
// National Insurance numbers, names after a title, street addresses, dates of birth), in the body and
// in `observer`/`participants`; `identifiers.allow`; and the disable comments.
import { describe, expect, it } from "vitest";
import { makeContext, parseCodebook, parseConfig, parseNoteText, validateNote, type Diagnostic } from "../../server/core/index.js";
import { realDdmmyy } from "../../server/core/identifiers.js";
import { BASIC_CODEBOOK, BASIC_CONFIG } from "../fixtures/helpers.js";

const CODEBOOK = parseCodebook(BASIC_CODEBOOK).codebook;
const ctxWith = (extra = "") => makeContext(parseConfig(BASIC_CONFIG + extra).config!, CODEBOOK, "2016-06-01");
const ctx = ctxWith();
const BASE = ["practice: Magenta", "date: 2016-03-14", "npt: [coherence]"];
const note = (body: string, front: string[] = []) => ["---", ...BASE, ...front, "---", "", body].join("\n");
const ids = (ds: Diagnostic[]) => ds.filter((d) => d.rule === "identifier-suspected");
/** The flagged texts of `body` (read back from the note by each diagnostic's range). */
function flagged(body: string, c = ctx): string[] {
  const text = note(body);
  const lines = text.split("\n");
  return ids(validateNote(parseNoteText(text), c)).map((d) => lines[d.range.start.line].slice(d.range.start.character, d.range.end.character));
}

describe("the kinds of identifier", () => {
  const cases: [string, string, string][] = [
    ["a name after a title", "Dr Jane Smith said the rota was full.", "Dr Jane Smith"],
    ["a name after a title (full stop)", "We met Mrs. Patel at the desk.", "Mrs. Patel"],
    ["a name after Sister, Prof, Mx, Rev", "Sister Morag spoke.", "Sister Morag"],
    ["a street address", "The hub is at 12 High Street now.", "12 High Street"],
    ["a street address with a letter", "Moved to 3a Kelvin Way, Glasgow.", "3a Kelvin Way"],
    ["a CHI number, 10 digits", "CHI 1403561230 on the letter.", "1403561230"],
    ["a CHI number, 6-4", "CHI 140356 1230 on the letter.", "140356 1230"],
    ["a National Insurance number", "NI QQ 12 34 56 C given.", "QQ 12 34 56 C"],
    ["a National Insurance number, unspaced", "NI QQ123456C given.", "QQ123456C"],
    ["a date of birth, DOB", "DOB 14/03/1956 noted.", "DOB 14/03/1956"],
    ["a date of birth, D.O.B.", "D.O.B.: 1956-03-14.", "D.O.B.: 1956-03-14"],
    ["a date of birth, words", "Her date of birth is 14th March 1956 she said.", ""],
    ["a date of birth, born on", "He was born on March 14, 1956 in Govan.", "born on March 14, 1956"],
  ];
  for (const [what, body, text] of cases) {
    it(what, () => {
      if (!text) return void expect(flagged(body)).toEqual([]); // "date of birth is": the date must follow
      expect(flagged(body)).toEqual([text]);
    });
  }
  it("the messages name the kind and never repeat the text; no suspected text leaves validation", () => {
    const ds = ids(validateNote(parseNoteText(note("Dr Jane Smith, 12 High Street, QQ 12 34 56 C, CHI 1403561230, DOB 14/03/1956.")), ctx));
    expect(ds.map((d) => d.message.match(/looks like (.+?)\./)![1]).sort()).toEqual(["a CHI number", "a National Insurance number", "a date of birth", "a name after a title", "a street address"]);
    const out = JSON.stringify(ds);
    for (const secret of ["Jane", "Smith", "High Street", "QQ 12", "1403561230", "1956"]) expect(out).not.toContain(secret);
  });
  it("in the frontmatter: observer and participants", () => {
    const text = note("Text.", ["observer: Dr Jane Smith", "participants: [Mrs Patel, gp]"]);
    const ds = ids(validateNote(parseNoteText(text), ctx));
    expect(ds.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character])).toEqual([[4, 10, 23], [5, 15, 24]]);
  });
  it("not: an invalid CHI date or check digit, lower-case titles and streets, a title alone", () => {
    expect(realDdmmyy("290200")).toBe(true); // 2000 was a leap year
    expect(realDdmmyy("310456")).toBe(false);
    expect(flagged("Numbers 3104561231 and 140356 1231.")).toEqual([]);
    expect(flagged("the dr said; 12 high street; a Mrs; Doctor Who.")).toEqual([]);
  });
});

describe("identifiers.allow in fieldnotes.yaml", () => {
  it("drops a suspected identifier whose text is allowed exactly, and only that one", () => {
    const c = ctxWith('identifiers: { allow: ["Dr Foster", "12 High Street"] }\n');
    expect(flagged("Dr Foster went to Gloucester. Dr Fosters did not. 12 High Street. 14 High Street.", c)).toEqual(["Dr Fosters", "14 High Street"]);
    expect(flagged("Dr Foster went to Gloucester.")).toEqual(["Dr Foster"]);
  });
  it("is checked as a setting", () => {
    const bad = parseConfig(BASIC_CONFIG + "identifiers: { allow: [1], deny: [x] }\n").diagnostics.map((d) => d.message);
    expect(bad).toEqual([expect.stringMatching(/'identifiers\.deny'/), expect.stringMatching(/`identifiers\.allow` must be a list of strings/)]);
    expect(parseConfig(BASIC_CONFIG + "identifiers: { allow: [\"Dr Foster\"] }\n").config?.identifiers).toEqual({ allow: ["Dr Foster"] });
  });
});

describe("disable comments", () => {
  const rulesOn = (text: string) => validateNote(parseNoteText(text), ctx).map((d) => `${d.range.start.line}:${d.rule}`);
  it("fieldnotes-disable-next-line silences the listed rules on the next line only", () => {
    const body = ["<!-- fieldnotes-disable-next-line identifier-suspected code-deprecated -->", "Dr Foster #old-code", "Dr Foster #old-code"].join("\n");
    expect(rulesOn(note(body))).toEqual(["8:identifier-suspected", "8:code-deprecated"]);
  });
  it("fieldnotes-disable silences a rule from its line to the end of the file", () => {
    const body = ["Dr Foster before.", "<!-- fieldnotes-disable identifier-suspected -->", "Dr Foster after.", "", "Mrs Patel too."].join("\n");
    expect(rulesOn(note(body))).toEqual(["6:identifier-suspected"]);
  });
  it("reaches a frontmatter field through a YAML comment", () => {
    const text = ["---", ...BASE, "# <!-- fieldnotes-disable-next-line field-unknown identifier-suspected -->", "observr: Dr Foster", "---", "", "Text."].join("\n");
    expect(rulesOn(text)).toEqual([]);
  });
  it("never silences an error", () => {
    const body = ["<!-- fieldnotes-disable-next-line code-unknown -->", "A #no-such-code here.", "<!-- fieldnotes-disable code-unknown field-missing -->"].join("\n");
    expect(rulesOn(note(body))).toEqual(["7:code-unknown"]);
  });
});

describe("hostile text", () => {
  it("a megabyte of capitalised names: no engine stack overflow, at most 1,000 warnings and one saying there are more", () => {
    // One line of 700,000 capitalised words: an unbounded repetition overflowed the regex engine's stack.
    const body = "Dr Aaa Bbb Ccc ".repeat(175_000);
    const facts = parseNoteText(note(body)); // throws (and the note is skipped as unparseable) without the bound
    expect(facts.diagnostics.filter((d) => d.rule === "file-skipped").map((d) => d.message)).not.toContainEqual(expect.stringMatching(/could not be parsed/));
    const ds = ids(facts.diagnostics);
    expect(ds).toHaveLength(1001);
    expect(ds[1000].message).toMatch(/only the first 1000 are reported/);
    expect(flagged("Dr Aaa Bbb Ccc Ddd Eee")).toEqual(["Dr Aaa Bbb Ccc Ddd"]);
  });
});
