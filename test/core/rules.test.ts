// Every rule of SPEC section 6 (and the config/codebook/file rules): a note that triggers it, with
// its exact LSP range (0-based line, UTF-16 character), and one that does not. Plus the inline code
// tag rules and segments of section 5, text encoding (BOM, CRLF, emoji/CJK, invalid UTF-8),
// personal identifiers and "did you mean" suggestions.
import { afterAll, describe, expect, it } from "vitest";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  Study,
  makeContext,
  parseCodebook,
  parseConfig,
  parseNoteBytes,
  parseNoteText,
  validateNote,
  type Diagnostic,
  type NoteFacts,
  type Range,
} from "../../server/core/index.js";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, cleanupTemp, makeStudy, tempDir } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());

const CONFIG = parseConfig(BASIC_CONFIG).config!;
const CODEBOOK = parseCodebook(BASIC_CODEBOOK).codebook;
const TODAY = "2016-06-01";
const ctx = makeContext(CONFIG, CODEBOOK, TODAY);

const R = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
const BASE_FM = ["practice: Magenta", "date: 2016-03-14", "npt: [coherence]"];

/** A note: `---`, the base fields (lines 1-3) then `extra` (from line 4), `---`, a blank line, the body. */
function note(extra: string[] = [], body = "Some observation.\n", base = BASE_FM): string {
  return ["---", ...base, ...extra, "---", "", body].join("\n");
}
/** The first body line of `note(extra)`. */
const bodyLine = (extra: string[] = []) => 6 + extra.length;

function diagnose(text: string): Diagnostic[] {
  return validateNote(parseNoteText(text), ctx);
}
function diagnoseBytes(bytes: Uint8Array): Diagnostic[] {
  return validateNote(parseNoteBytes(bytes), ctx);
}
const rules = (ds: Diagnostic[]) => ds.map((d) => d.rule);
const only = (ds: Diagnostic[], rule: string) => ds.filter((d) => d.rule === rule);

function expectOne(ds: Diagnostic[], rule: string, severity: string, range: Range): Diagnostic {
  const found = only(ds, rule);
  expect(found.map((d) => ({ rule: d.rule, severity: d.severity, range: d.range }))).toEqual([{ rule, severity, range }]);
  expect(found[0].message.length).toBeGreaterThan(10);
  return found[0];
}

describe("a clean note", () => {
  it("has no diagnostics at all", () => {
    expect(diagnose(GOOD_NOTE)).toEqual([]);
    expect(diagnose(note(["type: meeting", "observer: NRC", "participants: [gp, nurse]", "level: [practice, community]", "codes: [gp-buy-in]", "assessment:", "  coherence: full", "  collective-action: partial"], "Body #gp-buy-in.\n"))).toEqual([]);
  });
  it("accepts one string where a list is allowed", () => {
    expect(diagnose(note(["level: practice", "codes: gp-buy-in", "participants: gp"], "x\n", ["practice: Magenta", "date: 2016-03-14", "npt: coherence/differentiation"]))).toEqual([]);
  });
});

describe("frontmatter-missing", () => {
  it("no frontmatter: the first line", () => {
    expectOne(diagnose("Just some text\n\nMore.\n"), "frontmatter-missing", "error", R(0, 0, 0, 14));
  });
  it("not at the very top (a blank line first)", () => {
    expectOne(diagnose("\n" + note()), "frontmatter-missing", "error", R(0, 0, 0, 0));
  });
  it("unclosed: the opening ---", () => {
    expectOne(diagnose("---\npractice: Magenta\ndate: 2016-03-14\n\nText.\n"), "frontmatter-missing", "error", R(0, 0, 0, 3));
  });
  it("a closed block with trailing spaces on the delimiters is fine", () => {
    expect(rules(diagnose(note().replace(/^---$/gm, "---  ")))).toEqual([]);
  });
});

describe("yaml-syntax", () => {
  it("duplicate keys: at the second key", () => {
    const d = expectOne(diagnose(note([], "x\n", ["practice: Magenta", "practice: Cobalt", "date: 2016-03-14", "npt: coherence"])), "yaml-syntax", "error", R(2, 0, 2, 8));
    expect(d.message).toMatch(/unique/i);
  });
  it("an unclosed flow sequence: located in the frontmatter, not on the whole file", () => {
    const ds = only(diagnose(note(["level: [practice"])), "yaml-syntax");
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) {
      expect(d.range.start.line).toBeGreaterThanOrEqual(1);
      expect(d.range.end.line).toBeLessThanOrEqual(5);
    }
  });
  it("flow nesting deeper than 64 levels: at the 65th bracket", () => {
    const deep = "[".repeat(70) + "]".repeat(70);
    expectOne(diagnose(note([`level: ${deep}`])), "yaml-syntax", "error", R(4, 7 + 64, 4, 7 + 65));
  });
  it("nesting of 60 levels is accepted (then a field-type)", () => {
    const ds = diagnose(note([`level: ${"[".repeat(60)}${"]".repeat(60)}`]));
    expect(rules(ds)).not.toContain("yaml-syntax");
    expect(rules(ds)).toContain("field-type");
  });
  it("block nesting deeper than 64 levels", () => {
    const lines = Array.from({ length: 70 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`);
    const ds = only(diagnose(note(["participants:", ...lines])), "yaml-syntax");
    expect(ds.length).toBe(1);
    expect(ds[0].message).toMatch(/64/);
  });
});

describe("field-missing", () => {
  it("absent: the opening ---", () => {
    const d = expectOne(diagnose(note([], "x\n", ["practice: Magenta", "date: 2016-03-14"])), "field-missing", "error", R(0, 0, 0, 3));
    expect(d.message).toMatch(/npt/);
  });
  it("every required field absent: three diagnostics", () => {
    expect(rules(diagnose(note([], "x\n", ["type: memo"])))).toEqual(["field-missing", "field-missing", "field-missing"]);
  });
  it("empty `practice:`: the key", () => {
    expectOne(diagnose(note([], "x\n", ["practice:", "date: 2016-03-14", "npt: coherence"])), "field-missing", "error", R(1, 0, 1, 8));
  });
  it("empty list `npt: []`: the entry", () => {
    expectOne(diagnose(note([], "x\n", ["practice: Magenta", "date: 2016-03-14", "npt: []"])), "field-missing", "error", R(3, 0, 3, 7));
  });
  it("empty string `date: ''`", () => {
    expectOne(diagnose(note([], "x\n", ["practice: Magenta", "date: ''", "npt: coherence"])), "field-missing", "error", R(2, 0, 2, 8));
  });
  it("an empty optional field is not reported", () => {
    expect(diagnose(note(["observer:"]))).toEqual([]);
  });
});

describe("field-type", () => {
  it("`level: 3`: the value", () => {
    expectOne(diagnose(note(["level: 3"])), "field-type", "error", R(4, 7, 4, 8));
  });
  it("a list item that is not a string", () => {
    expectOne(diagnose(note(["participants: [gp, 12, nurse]"])), "field-type", "error", R(4, 19, 4, 21));
  });
  it("a mapping where a string is expected", () => {
    expectOne(diagnose(note(["observer: {a: b}"])), "field-type", "error", R(4, 10, 4, 16));
  });
  it("an alias where a value is expected (never expanded)", () => {
    const ds = diagnose(note(["level: &lv [practice]", "participants: *lv"]));
    expectOne(ds, "field-type", "error", R(5, 14, 5, 17));
  });
  it("frontmatter that is a list: one error on the whole block", () => {
    expect(diagnose("---\n- a\n- b\n---\n\nText.\n").map((d) => [d.rule, d.range])).toEqual([["field-type", R(1, 0, 3, 0)]]);
  });
  it("frontmatter that is a scalar", () => {
    expect(rules(diagnose("---\njust a string\n---\n\nText.\n"))).toEqual(["field-type"]);
  });
  it("correct types: none", () => {
    expect(only(diagnose(note(["level: [practice]", "observer: NRC"])), "field-type")).toEqual([]);
  });
});

describe("field-unknown", () => {
  it("a misspelt key (one or two edits from a known one): a warning on the key, with the closest known key", () => {
    const d = expectOne(diagnose(note(["observr: NRC"])), "field-unknown", "warning", R(4, 0, 4, 7));
    expect(d.message).toContain("Did you mean 'observer'?");
    expect(d.data?.suggestions).toEqual(["observer"]);
  });
  it("an unknown key with no close match: no suggestion", () => {
    const d = only(diagnose(note(["weather: rainy"])), "field-unknown")[0];
    expect(d.data?.suggestions ?? []).toEqual([]);
    expect(d.message).not.toContain("Did you mean");
  });
  it("known keys: none", () => {
    expect(only(diagnose(note(["observer: NRC", "type: memo"])), "field-unknown")).toEqual([]);
  });
});

describe("practice-unknown", () => {
  it("a typo: the value, with the closest ids", () => {
    const d = expectOne(diagnose(note([], "x\n", ["practice: Magenda", "date: 2016-03-14", "npt: coherence"])), "practice-unknown", "error", R(1, 10, 1, 17));
    expect(d.data?.suggestions).toEqual(["Magenta"]);
    expect(d.message).toContain("Did you mean 'Magenta'?");
  });
  it("ids compare as source text: `id: 007` matches `practice: 007`, not `practice: 7`", () => {
    const cfg = parseConfig(BASIC_CONFIG + "  - id: 007\n").config!;
    const c = makeContext(cfg, CODEBOOK, TODAY);
    const with007 = validateNote(parseNoteText(note([], "x\n", ["practice: 007", "date: 2016-03-14", "npt: coherence"])), c);
    expect(with007).toEqual([]);
    const with7 = validateNote(parseNoteText(note([], "x\n", ["practice: 7", "date: 2016-03-14", "npt: coherence"])), c);
    expect(rules(with7)).toEqual(["practice-unknown"]);
  });
  it("a known practice: none", () => {
    expect(diagnose(note([], "x\n", ["practice: Cobalt", "date: 2016-03-14", "npt: coherence"]))).toEqual([]);
  });
});

describe("date-invalid", () => {
  const withDate = (d: string) => diagnose(note([], "x\n", ["practice: Magenta", `date: ${d}`, "npt: coherence"]));
  it("no such day", () => {
    const d = expectOne(withDate("2016-02-30"), "date-invalid", "error", R(2, 6, 2, 16));
    expect(d.message).toMatch(/no such day/);
  });
  it("not YYYY-MM-DD", () => {
    expectOne(withDate("14/03/2016"), "date-invalid", "error", R(2, 6, 2, 16));
    expectOne(withDate("2016-3-4"), "date-invalid", "error", R(2, 6, 2, 14));
    expect(withDate("14/03/2016")[0].message).toMatch(/YYYY-MM-DD/);
  });
  it("a leap day that exists, and a quoted date: none", () => {
    expect(withDate("2016-02-29")).toEqual([]);
    expect(withDate('"2016-03-14"')).toEqual([]);
  });
});

describe("date-outside-period and date-future", () => {
  const withDate = (d: string) => diagnose(note([], "x\n", ["practice: Magenta", `date: ${d}`, "npt: coherence"]));
  it("before the period: warning", () => {
    expectOne(withDate("2014-12-31"), "date-outside-period", "warning", R(2, 6, 2, 16));
  });
  it("the period is inclusive", () => {
    expect(withDate("2015-01-01")).toEqual([]);
  });
  it("after today: warning (today pinned to 2016-06-01)", () => {
    expectOne(withDate("2016-06-02"), "date-future", "warning", R(2, 6, 2, 16));
    expect(withDate("2016-06-01")).toEqual([]);
  });
  it("after the period and after today: both", () => {
    expect(rules(withDate("2017-01-01")).sort()).toEqual(["date-future", "date-outside-period"]);
  });
});

describe("npt-unknown and npt-spelling", () => {
  const withNpt = (v: string) => diagnose(note([], "x\n", ["practice: Magenta", "date: 2016-03-14", `npt: ${v}`]));
  it("a typo in a list: the item, with the closest id", () => {
    const d = expectOne(withNpt("[coherence, coherance]"), "npt-unknown", "error", R(3, 17, 3, 26));
    expect(d.data?.suggestions?.[0]).toBe("coherence");
    expect(d.message).toContain("Did you mean 'coherence'");
  });
  it("a bare sub-construct suggests its full id", () => {
    const d = expectOne(withNpt("enrolment"), "npt-unknown", "error", R(3, 5, 3, 14));
    expect(d.data?.suggestions).toContain("cognitive-participation/enrolment");
  });
  it("an American spelling: warning with the British id", () => {
    const d = expectOne(withNpt("coherence/internalization"), "npt-spelling", "warning", R(3, 5, 3, 30));
    expect(d.data?.suggestions).toEqual(["coherence/internalisation"]);
    expect(rules(withNpt("[cognitive-participation/enrollment, reflexive-monitoring/systematization]"))).toEqual(["npt-spelling", "npt-spelling"]);
  });
  it("every construct and sub-construct id: none", () => {
    const all = [
      "coherence", "coherence/differentiation", "coherence/communal-specification", "coherence/individual-specification", "coherence/internalisation",
      "cognitive-participation", "cognitive-participation/initiation", "cognitive-participation/enrolment", "cognitive-participation/legitimation", "cognitive-participation/activation",
      "collective-action", "collective-action/interactional-workability", "collective-action/relational-integration", "collective-action/skill-set-workability", "collective-action/contextual-integration",
      "reflexive-monitoring", "reflexive-monitoring/systematisation", "reflexive-monitoring/communal-appraisal", "reflexive-monitoring/individual-appraisal", "reflexive-monitoring/reconfiguration",
    ];
    expect(withNpt(`[${all.join(", ")}]`)).toEqual([]);
  });
});

describe("type-unknown and level-unknown", () => {
  it("type: the value, with the closest type", () => {
    const d = expectOne(diagnose(note(["type: meating"])), "type-unknown", "error", R(4, 6, 4, 13));
    expect(d.data?.suggestions).toEqual(["meeting"]);
  });
  it("type from the study's own `types`", () => {
    const cfg = parseConfig(BASIC_CONFIG + "types: [huddle]\n").config!;
    const c = makeContext(cfg, CODEBOOK, TODAY);
    expect(validateNote(parseNoteText(note(["type: huddle"])), c)).toEqual([]);
    expect(rules(validateNote(parseNoteText(note(["type: meeting"])), c))).toEqual(["type-unknown"]);
  });
  it("level: the item, with the closest level", () => {
    const d = expectOne(diagnose(note(["level: [patients, practice]"])), "level-unknown", "error", R(4, 8, 4, 16));
    expect(d.data?.suggestions).toEqual(["patient"]);
  });
  it("known type and levels: none", () => {
    expect(diagnose(note(["type: memo", "level: [patient, practice, community]"]))).toEqual([]);
  });
});

describe("assessment-invalid", () => {
  it("a key that is not a core construct, and a bad value", () => {
    const ds = only(diagnose(note(["assessment:", "  coherance: full", "  collective-action: maybe"])), "assessment-invalid");
    expect(ds.map((d) => d.range)).toEqual([R(5, 2, 5, 11), R(6, 21, 6, 26)]);
    expect(ds[0].data?.suggestions).toEqual(["coherence"]);
    expect(ds[1].data?.suggestions ?? []).toEqual([]);
  });
  it("a sub-construct key suggests its core construct", () => {
    const d = only(diagnose(note(["assessment:", "  coherence/differentiation: full"])), "assessment-invalid")[0];
    expect(d.range).toEqual(R(5, 2, 5, 27));
    expect(d.data?.suggestions).toEqual(["coherence"]);
  });
  it("a value typo suggests the value", () => {
    const d = only(diagnose(note(["assessment: {coherence: partal}"])), "assessment-invalid")[0];
    expect(d.range).toEqual(R(4, 24, 4, 30));
    expect(d.data?.suggestions).toEqual(["partial"]);
  });
  it("not a mapping: field-type", () => {
    expect(rules(diagnose(note(["assessment: full"])))).toEqual(["field-type"]);
  });
  it("valid assessments: none", () => {
    expect(diagnose(note(["assessment:", "  coherence: full", "  cognitive-participation: partial", "  collective-action: absent", "  reflexive-monitoring: full"]))).toEqual([]);
  });
});

describe("code-unknown and code-deprecated", () => {
  it("frontmatter codes: the item, with the closest code and data for quick fixes", () => {
    const d = expectOne(diagnose(note(["codes: [gp-buyin]"])), "code-unknown", "error", R(4, 8, 4, 16));
    expect(d.data).toEqual({ suggestions: ["gp-buy-in"], replaceRange: R(4, 8, 4, 16), code: "gp-buyin" });
    expect(d.message).toContain("Did you mean 'gp-buy-in'?");
  });
  it("inline `#GP-buy-in`: the tag, with replaceRange on the id only", () => {
    const L = bodyLine();
    const d = expectOne(diagnose(note([], "Agreed at once. #GP-buy-in\n")), "code-unknown", "error", R(L, 16, L, 26));
    expect(d.data).toEqual({ suggestions: ["gp-buy-in"], replaceRange: R(L, 17, L, 26), code: "GP-buy-in" });
  });
  it("an unknown code far from any: no suggestion, still the code in data", () => {
    const d = only(diagnose(note([], "#zzzzzzzzzz\n")), "code-unknown")[0];
    expect(d.data?.suggestions ?? []).toEqual([]);
    expect(d.data?.code).toBe("zzzzzzzzzz");
  });
  it("deprecated inline code: warning with replacedBy as the fix", () => {
    const L = bodyLine();
    const d = expectOne(diagnose(note([], "Old habits. #old-code\n")), "code-deprecated", "warning", R(L, 12, L, 21));
    expect(d.data?.suggestions).toEqual(["gp-buy-in"]);
    expect(d.data?.replaceRange).toEqual(R(L, 13, L, 21));
    expect(d.message).toContain("gp-buy-in");
  });
  it("deprecated frontmatter code", () => {
    expectOne(diagnose(note(["codes: [old-code]"])), "code-deprecated", "warning", R(4, 8, 4, 16));
  });
  it("known codes: none", () => {
    expect(diagnose(note(["codes: [gp-buy-in, shared-learning]"], "#gp-buy-in and #shared-learning\n"))).toEqual([]);
  });
  it("codes whose codebook entry is invalid are still known", () => {
    const cb = parseCodebook("codes:\n  gp-buy-in:\n    npt: coherance\n  Bad_Id:\n    label: x\n");
    expect(cb.diagnostics.length).toBeGreaterThan(0);
    const c = makeContext(CONFIG, cb.codebook, TODAY);
    expect(validateNote(parseNoteText(note(["codes: [Bad_Id]"], "#gp-buy-in\n")), c)).toEqual([]);
  });
});

describe("body-empty", () => {
  it("nothing after the frontmatter: the closing ---", () => {
    expectOne(diagnose("---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n"), "body-empty", "warning", R(4, 0, 4, 3));
    expectOne(diagnose("---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---"), "body-empty", "warning", R(4, 0, 4, 3));
  });
  it("only blank lines and spaces", () => {
    expectOne(diagnose("---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n   \n\t\n"), "body-empty", "warning", R(4, 0, 4, 3));
  });
  it("any text: none", () => {
    expect(only(diagnose(note([], "x\n")), "body-empty")).toEqual([]);
  });
});

describe("encoding-invalid, file-binary, file-too-large", () => {
  const enc = new TextEncoder();
  it("invalid UTF-8: a warning on the U+FFFD, which is kept in the text", () => {
    const head = enc.encode(note([], ""));
    const bytes = new Uint8Array([...head, ...enc.encode("caf"), 0xe9, ...enc.encode(" #gp-buy-in\n")]);
    const facts = parseNoteBytes(bytes);
    const L = bodyLine();
    expectOne(validateNote(facts, ctx), "encoding-invalid", "warning", R(L, 3, L, 4));
    expect(facts.segments[0].text).toBe("caf\uFFFD #gp-buy-in");
    expect(facts.codes[0].range).toEqual(R(L, 5, L, 15));
    expect(rules(validateNote(facts, ctx))).toEqual(["encoding-invalid"]); // a warning: the note is still used
  });
  it("valid UTF-8: none", () => {
    expect(diagnoseBytes(enc.encode(note([], "Café ☕ naïve\n")))).toEqual([]);
  });
  it("a NUL byte in the first 8 KB: file-binary on line 0, nothing parsed", () => {
    const bytes = new Uint8Array([...enc.encode(note()), 0, 1, 2]);
    const facts = parseNoteBytes(bytes);
    expect(facts.fatal).toBe(true);
    expect(validateNote(facts, ctx).map((d) => [d.rule, d.severity, d.range])).toEqual([["file-binary", "error", R(0, 0, 0, 0)]]);
  });
  it("a NUL byte after the first 8 KB is not binary", () => {
    const text = note([], "x".repeat(9000) + "\n");
    const bytes = new Uint8Array([...enc.encode(text), 0]);
    expect(rules(diagnoseBytes(bytes))).not.toContain("file-binary");
  });
  it("over 10 MB: file-too-large, not parsed", () => {
    const bytes = new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61);
    const ds = diagnoseBytes(bytes);
    expect(ds.map((d) => [d.rule, d.severity, d.range])).toEqual([["file-too-large", "error", R(0, 0, 0, 0)]]);
  });
});

describe("study-level rules: file-skipped, config-invalid, codebook-*", () => {
  it("file-skipped: a symlinked note is reported and excluded, never read", async () => {
    const root = makeStudy({ "notes/Magenta/a.md": GOOD_NOTE, "notes/Magenta/real.md": GOOD_NOTE });
    symlinkSync(join(root, "notes/Magenta/real.md"), join(root, "notes/Magenta/link.md"));
    const study = await Study.open(root, { cache: false });
    const r = study.notes.get("notes/Magenta/link.md")!;
    expect(r.diagnostics.map((d) => [d.rule, d.severity, d.range])).toEqual([["file-skipped", "error", R(0, 0, 0, 0)]]);
    expect(r.diagnostics[0].message).toMatch(/symbolic link/);
    expect(r.excluded).toBe(true);
    expect(study.notes.get("notes/Magenta/a.md")!.diagnostics).toEqual([]);
    expect(study.summary().excluded).toEqual([{ file: "notes/Magenta/link.md", rules: ["file-skipped"] }]);
  });

  describe("config-invalid", () => {
    const cfg = (text: string) => parseConfig(text).diagnostics;
    it("a valid config: none", () => {
      expect(cfg(BASIC_CONFIG)).toEqual([]);
    });
    it("missing `study`: line 0", () => {
      const ds = cfg("practices:\n  - id: A\n");
      expect(ds.map((d) => [d.rule, d.severity, d.range])).toEqual([["config-invalid", "error", R(0, 0, 0, 10)]]);
    });
    it("a bad practice id: the id", () => {
      expect(cfg('study: S\npractices:\n  - id: "bad id"\n').map((d) => d.range)).toEqual([R(2, 8, 2, 16)]);
    });
    it("a duplicate practice id: the second id", () => {
      expect(cfg("study: S\npractices:\n  - id: A\n  - id: A\n").map((d) => d.range)).toEqual([R(3, 8, 3, 9)]);
    });
    it("an unknown setting: the key, with a suggestion", () => {
      const ds = cfg(BASIC_CONFIG + "codebok: x.yaml\n");
      expect(ds.map((d) => d.range)).toEqual([R(BASIC_CONFIG.split("\n").length - 1, 0, BASIC_CONFIG.split("\n").length - 1, 7)]);
      expect(ds[0].message).toContain("Did you mean 'codebook'?");
    });
    it("empty practices, YAML syntax", () => {
      expect(cfg("study: S\npractices: []\n").map((d) => d.range)).toEqual([R(1, 0, 1, 13)]);
      expect(cfg("study: S\npractices: [\n").map((d) => d.rule)).toContain("config-invalid");
    });
    it("a missing default codebook: line 0 of fieldnotes.yaml", async () => {
      const root = makeStudy({}, { codebook: null });
      const study = await Study.open(root, { cache: false });
      expect(study.configDiagnostics.map((d) => [d.rule, d.range])).toEqual([["config-invalid", R(0, 0, 0, 0)]]);
      expect(study.configDiagnostics[0].message).toMatch(/codebook\.yaml/);
    });
    it("a missing configured codebook: the `codebook` key", async () => {
      const root = makeStudy({}, { config: "codebook: cb.yaml\n" + BASIC_CONFIG, codebook: null });
      const study = await Study.open(root, { cache: false });
      expect(study.configDiagnostics.map((d) => [d.rule, d.range.start])).toEqual([["config-invalid", { line: 0, character: 0 }]]);
      expect(study.configDiagnostics[0].range.end.line).toBe(0);
      expect(study.configDiagnostics[0].range.end.character).toBeGreaterThan(0);
    });
  });

  describe("codebook-invalid, codebook-reference, npt-unknown (codebook)", () => {
    const cb = (text: string) => parseCodebook(text).diagnostics.map((d) => [d.rule, d.range]);
    it("a valid codebook: none", () => {
      expect(cb(BASIC_CODEBOOK)).toEqual([]);
    });
    it("YAML syntax", () => {
      expect(cb("codes:\n  a: [\n").map((x) => x[0])).toContain("codebook-invalid");
    });
    it("duplicate id: the second key", () => {
      expect(cb("codes:\n  a:\n    label: A\n  a:\n    label: B\n")).toEqual([["codebook-invalid", R(3, 2, 3, 3)]]);
    });
    it("missing label: the id key", () => {
      expect(cb("codes:\n  a:\n    npt: coherence\n")).toEqual([["codebook-invalid", R(1, 2, 1, 3)]]);
    });
    it("bad id syntax: the id key", () => {
      expect(cb("codes:\n  GP_buy:\n    label: A\n")).toEqual([["codebook-invalid", R(1, 2, 1, 8)]]);
    });
    it("unknown parent: the value, with a suggestion", () => {
      const ds = parseCodebook("codes:\n  factors:\n    label: F\n  a:\n    label: A\n    parent: factor\n").diagnostics;
      expect(ds.map((d) => [d.rule, d.range])).toEqual([["codebook-reference", R(5, 12, 5, 18)]]);
      expect(ds[0].data?.suggestions).toEqual(["factors"]);
    });
    it("unknown replacedBy", () => {
      expect(cb("codes:\n  a:\n    label: A\n    deprecated: true\n    replacedBy: nope\n")).toEqual([["codebook-reference", R(4, 16, 4, 20)]]);
    });
    it("a cycle of parents", () => {
      const ds = cb("codes:\n  a:\n    label: A\n    parent: b\n  b:\n    label: B\n    parent: a\n");
      expect(ds.length).toBeGreaterThanOrEqual(1);
      expect(ds.every((d) => d[0] === "codebook-reference")).toBe(true);
      expect(ds[0][1]).toEqual(R(3, 12, 3, 13));
    });
    it("a known parent and replacedBy: none", () => {
      expect(cb("codes:\n  a:\n    label: A\n  b:\n    label: B\n    parent: a\n    deprecated: true\n    replacedBy: a\n")).toEqual([]);
    });
    it("npt-unknown: the value, with the closest id", () => {
      const ds = parseCodebook("codes:\n  a:\n    label: A\n    npt: coherance\n").diagnostics;
      expect(ds.map((d) => [d.rule, d.severity, d.range])).toEqual([["npt-unknown", "error", R(3, 9, 3, 18)]]);
      expect(ds[0].data?.suggestions?.[0]).toBe("coherence");
    });
  });
});

describe("inline code tags (SPEC section 5)", () => {
  const tags = (body: string) => parseNoteText(note([], body)).codes.filter((c) => c.inline).map((c) => c.id);
  it("at the start of a line, after whitespace and after ( [ { \" '", () => {
    expect(tags("#gp-buy-in starts\n")).toEqual(["gp-buy-in"]);
    expect(tags("a #a1 b\tc\t#b2\n")).toEqual(["a1", "b2"]);
    expect(tags("(#p1) [#p2] {#p3} \"#p4\" '#p5'\n")).toEqual(["p1", "p2", "p3", "p4", "p5"]);
  });
  it("not after other characters", () => {
    expect(tags("a#b x,#c x.#d x/#e x:#f\n")).toEqual([]);
  });
  it("a tag ends before any character outside [A-Za-z0-9-]", () => {
    expect(tags("#gp-buy-in. #abc_def #x9's #end\n")).toEqual(["gp-buy-in", "abc", "x9", "end"]);
  });
  it("needs at least one letter: `item #3` is not a tag, `#3rd` is", () => {
    expect(tags("item #3 and #2016 but #3rd\n")).toEqual(["3rd"]);
  });
  it("`# heading` is a heading, not a tag", () => {
    expect(tags("# heading\n\n## another\n")).toEqual([]);
  });
  it("not in code spans, fenced or indented code blocks", () => {
    expect(tags("Use `#gp-buy-in` here\n\n```\n#fenced\n```\n\n~~~md\n#tilde\n~~~\n\n    #indented code\n")).toEqual([]);
  });
  it("not in HTML (blocks, comments, attributes)", () => {
    expect(tags("<div>\n#in-html\n</div>\n\nx <!-- #comment --> y <a title=\" #attr\">z</a>\n")).toEqual([]);
  });
  it("not in link destinations, autolinks or bare URLs; link text is body text", () => {
    expect(tags("[see #linktext](http://example.org/#dest) [a](#fragment)\n")).toEqual(["linktext"]);
    expect(tags("<https://example.org/#autolink> and https://example.org/wiki/(#bare) and www.example.org/(#www)\n")).toEqual([]);
    expect(tags("[ref #reftext][r]\n\n[r]: http://example.org/ \"#title\"\n")).toEqual(["reftext"]);
  });
  it("not `\\#word` nor `&#35;word`", () => {
    expect(tags("x \\#escaped &#35;entity &#x23;hex\n")).toEqual([]);
  });
  it("in headings, list items, block quotes and table cells", () => {
    expect(tags("## Heading #h1\n\n- item #l1\n\n> quote #q1\n\n| a | b |\n| - | - |\n| #c1 | x #c2 |\n")).toEqual(["h1", "l1", "q1", "c1", "c2"]);
  });
  it("not in the frontmatter (a YAML comment) and not in images", () => {
    expect(tags("![alt #img](pic.png)\n")).toEqual([]);
    expect(parseNoteText(note(["observer: NRC # #not-a-tag"], "x\n")).codes).toEqual([]);
  });
  it("ranges of `#id` and of the id", () => {
    const f = parseNoteText(note([], "Hello (#gp-buy-in)\n"));
    const L = bodyLine();
    expect(f.codes).toEqual([{ id: "gp-buy-in", range: R(L, 7, L, 17), idRange: R(L, 8, L, 17), inline: true, segment: 0 }]);
  });
});

describe("segments (SPEC section 5)", () => {
  const segs = (body: string) => parseNoteText(note([], body)).segments;
  const L = bodyLine() + 1; // 1-based
  it("a paragraph: its first line, its trimmed source text, codes kept and distinct", () => {
    expect(segs("First line #a\nsecond line #b #a\n\nNo codes here.\n")).toEqual([{ line: L, text: "First line #a\nsecond line #b #a", codes: ["a", "b"] }]);
  });
  it("only segments with inline codes are kept", () => {
    expect(segs("Plain.\n\nAlso plain.\n")).toEqual([]);
  });
  it("a heading is a segment", () => {
    const s = segs("## Heading #h\n");
    expect(s.length).toBe(1);
    expect(s[0].line).toBe(L);
    expect(s[0].text).toContain("Heading #h");
    expect(s[0].codes).toEqual(["h"]);
  });
  it("a list item with two paragraphs holds two segments", () => {
    expect(segs("- First para #a\n\n  Second para #b\n")).toEqual([
      { line: L, text: "First para #a", codes: ["a"] },
      { line: L + 2, text: "Second para #b", codes: ["b"] },
    ]);
  });
  it("a block quote with two paragraphs holds two segments", () => {
    expect(segs("> One #a\n>\n> Two #b\n").map((s) => [s.line, s.text])).toEqual([
      [L, "One #a"],
      [L + 2, "Two #b"],
    ]);
  });
  it("a table cell is a segment, without its pipes", () => {
    expect(segs("| who | said |\n| --- | --- |\n| x #a | y #b |\n")).toEqual([
      { line: L + 2, text: "x #a", codes: ["a"] },
      { line: L + 2, text: "y #b", codes: ["b"] },
    ]);
  });
  it("code uses point at their segment", () => {
    const f = parseNoteText(note([], "P one #a\n\nP two #b #c\n"));
    expect(f.codes.map((c) => [c.id, c.segment])).toEqual([["a", 0], ["b", 1], ["c", 1]]);
  });
});

describe("text: BOM, CRLF, emoji and CJK columns", () => {
  const enc = new TextEncoder();
  it("a BOM is not part of the text: line 0 column 0 is after it", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(note([], "x\n", ["practice: Nowhere", "date: 2016-03-14", "npt: coherence"]))]);
    const ds = diagnoseBytes(bytes);
    expect(ds.map((d) => [d.rule, d.range])).toEqual([["practice-unknown", R(1, 10, 1, 17)]]);
    const noFm = diagnoseBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("Hello\n")]));
    expect(noFm.map((d) => [d.rule, d.range])).toEqual([["frontmatter-missing", R(0, 0, 0, 5)]]);
  });
  it("CRLF: same lines and columns as LF; \\r is never inside a range", () => {
    const lf = note(["codes: [gp-buyin]"], "Line one #nope\r\nline two\n");
    const crlf = lf.replace(/\r?\n/g, "\r\n");
    const a = diagnose(lf.replace(/\r/g, ""));
    const b = diagnose(crlf);
    expect(b.map((d) => [d.rule, d.range])).toEqual(a.map((d) => [d.rule, d.range]));
    expect(rules(b)).toEqual(["code-unknown", "code-unknown"]);
    expect(diagnose("No frontmatter\r\nmore\r\n").map((d) => d.range)).toEqual([R(0, 0, 0, 14)]);
    expect(only(diagnose("---\r\npractice: Magenta\r\ndate: 2016-03-14\r\nnpt: coherence\r\n---\r\n"), "body-empty")[0].range).toEqual(R(4, 0, 4, 3));
    const f = parseNoteText(crlf);
    expect(f.segments[0].text).toBe("Line one #nope\r\nline two");
  });
  it("emoji and CJK: UTF-16 columns", () => {
    const L = bodyLine();
    const f = parseNoteText(note([], "😀 会议 #gp-buy-in #未知\n"));
    expect(f.codes.map((c) => [c.id, c.range])).toEqual([["gp-buy-in", R(L, 6, L, 16)]]);
    const ds = diagnose(note([], "x\n", ["practice: 😀Magenta", "date: 2016-03-14", "npt: coherence"]));
    expect(ds.map((d) => [d.rule, d.range])).toEqual([["practice-unknown", R(1, 10, 1, 19)]]);
    const id = only(diagnose(note([], "电话 🙂 07700 900123\n")), "identifier-suspected");
    expect(id.map((d) => d.range)).toEqual([R(L, 6, L, 18)]);
  });
  it("lineCount counts lines of the text", () => {
    expect(parseNoteText("a\nb\nc").lineCount).toBe(3);
    expect(parseNoteText("a\r\nb\r\n").lineCount).toBe(3);
  });
});

describe("identifier-suspected", () => {
  /** The text of every identifier warning in a body of one line each. */
  function found(body: string): string[] {
    const text = note([], body);
    const lines = text.split("\n");
    return only(diagnose(text), "identifier-suspected").map((d) => {
      expect(d.range.start.line).toBe(d.range.end.line);
      expect(d.severity).toBe("warning");
      return lines[d.range.start.line].slice(d.range.start.character, d.range.end.character);
    });
  }
  /** Independent modulus-11 check digit. */
  function nhs(nine: string): string | undefined {
    const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    return check === 10 ? undefined : nine + check;
  }
  it("NHS numbers with a valid check digit: alone, 3-3-4 with spaces or hyphens", () => {
    const n = nhs("401023213")!;
    expect(n).toBe("4010232137");
    expect(found(`Number ${n} given.\n`)).toEqual([n]);
    expect(found("Number 401 023 2137 given.\n")).toEqual(["401 023 2137"]);
    expect(found("Number 401-023-2137 given.\n")).toEqual(["401-023-2137"]);
    const other = nhs("943476591")!;
    expect(found(`${other}\n`)).toEqual([other]);
  });
  it("not: an invalid check digit, mixed separators, part of a longer digit run, 11-digit runs", () => {
    expect(found("Number 4010232138 given.\n")).toEqual([]);
    expect(found("Number 401 023-2137 given.\n")).toEqual([]);
    expect(found("Run 40102321370 and 14010232137 and 12345678901.\n")).toEqual([]);
  });
  it("e-mail addresses", () => {
    expect(found("Write to jo.bloggs+notes@example.nhs.uk today.\n")).toEqual(["jo.bloggs+notes@example.nhs.uk"]);
  });
  it("UK phone numbers in the usual groupings", () => {
    expect(found("Call 07700 900123.\n")).toEqual(["07700 900123"]);
    expect(found("Call 0141 496 0000.\n")).toEqual(["0141 496 0000"]);
    expect(found("Call +44 7700 900123.\n")).toEqual(["+44 7700 900123"]);
    expect(found("Call 020 7946 0018.\n")).toEqual(["020 7946 0018"]);
  });
  it("full UK postcodes in capitals", () => {
    expect(found("Lives near G12 8QQ now.\n")).toEqual(["G12 8QQ"]);
    expect(found("Office at SW1A 1AA.\n")).toEqual(["SW1A 1AA"]);
    expect(found("lower case g12 8qq and a partial G12 are fine.\n")).toEqual([]);
  });
  it("not: dates, list sizes, times, years, small numbers", () => {
    expect(found("On 2016-03-14 at 14:30 the list size was 5130 (up from 4,200) in 2015; item 3 of 12.\n")).toEqual([]);
  });
  it("anywhere in the file: frontmatter and code blocks too, with exact ranges", () => {
    const text = note(["observer: jo@example.org"], "```\ncall 07700 900123\n```\n");
    const ds = only(diagnose(text), "identifier-suspected");
    expect(ds.map((d) => d.range)).toEqual([R(4, 10, 4, 24), R(bodyLine(["x"]) + 1, 5, bodyLine(["x"]) + 1, 17)]);
  });
  it("the message never repeats the identifier", () => {
    for (const d of only(diagnose(note([], "07700 900123 jo@example.org G12 8QQ 4010232137\n")), "identifier-suspected")) {
      expect(d.message).not.toMatch(/07700|jo@|G12|4010/);
    }
  });
});
