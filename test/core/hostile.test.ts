// Hostile input (issue 2): every file is hostile until proven otherwise. Each gets a located
// diagnostic or is skipped with a reason; nothing crashes, hangs or pollutes prototypes, and the
// other notes of the same study are still checked.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study, parseCodebook, parseConfig, parseNoteText, type Diagnostic, type NoteRecord } from "../../server/core/index.js";
import { BASIC_CODEBOOK, BASIC_CONFIG, GOOD_NOTE, cleanupTemp, makeStudy, tempDir } from "../fixtures/helpers.js";

afterAll(() => cleanupTemp());
afterEach(() => {
  // No hostile key may ever reach Object.prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).segments).toBeUndefined();
  expect((Object as unknown as Record<string, unknown>).segments).toBeUndefined();
});

const T = 60_000;
const enc = new TextEncoder();
const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";

async function openWith(files: Record<string, string | Uint8Array>): Promise<Study> {
  const root = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE, ...files });
  return Study.open(root, { cache: false });
}

/** The good note is still checked and included whatever its neighbours hold. */
function expectGoodStillChecked(study: Study): void {
  const good = study.notes.get("notes/Magenta/good.md")!;
  expect(good.diagnostics).toEqual([]);
  expect(good.excluded).toBe(false);
  expect(study.summary().practices[0].codes["shared-learning"]).toEqual({ notes: 1, segments: 1 });
}

function located(r: NoteRecord | undefined, rule: string): Diagnostic {
  expect(r).toBeDefined();
  const d = r!.diagnostics.find((x) => x.rule === rule);
  expect(d, `${rule} in ${JSON.stringify(r!.diagnostics.map((x) => x.rule))}`).toBeDefined();
  expect(d!.message.length).toBeGreaterThan(10);
  expect(d!.range.start.line).toBeGreaterThanOrEqual(0);
  return d!;
}

describe("files", () => {
  it("binary files: file-binary, excluded, not parsed", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const study = await openWith({ "notes/Magenta/image.md": png, "notes/Magenta/nul.md": enc.encode(GOOD_NOTE + "\0") });
    for (const f of ["notes/Magenta/image.md", "notes/Magenta/nul.md"]) {
      const r = study.notes.get(f)!;
      located(r, "file-binary");
      expect(r.excluded).toBe(true);
      expect(r.facts.codes).toEqual([]);
    }
    expectGoodStillChecked(study);
  }, T);

  it("invalid UTF-8 everywhere: encoding-invalid, U+FFFD, the note still checked", async () => {
    const bad = new Uint8Array([...enc.encode(FM), 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82, ...enc.encode(" ok #gp-buy-in\n")]);
    const study = await openWith({ "notes/Magenta/latin1.md": bad, "notes/Magenta/fm.md": new Uint8Array([...enc.encode("---\npractice: Mag"), 0xe9, ...enc.encode("\ndate: 2016-03-14\nnpt: coherence\n---\nx\n")]) });
    const r = study.notes.get("notes/Magenta/latin1.md")!;
    expect(located(r, "encoding-invalid").range.start).toEqual({ line: 6, character: 0 });
    expect(r.excluded).toBe(false);
    expect(r.facts.codes.map((c) => c.id)).toEqual(["gp-buy-in"]);
    const fm = study.notes.get("notes/Magenta/fm.md")!;
    expect(fm.diagnostics.map((d) => d.rule).sort()).toEqual(["encoding-invalid", "practice-unknown"]);
    expectGoodStillChecked(study);
  }, T);

  it("a 3 MB note is checked, with its codes", async () => {
    const para = "The link worker met the team and agreed a plan for the week #gp-buy-in\n\n";
    const big = FM + para.repeat(Math.ceil(3 * 1024 * 1024 / para.length)) + "Last line #unknown-one\n";
    const study = await openWith({ "notes/Magenta/big.md": big });
    const r = study.notes.get("notes/Magenta/big.md")!;
    expect(r.diagnostics.map((d) => d.rule)).toEqual(["code-unknown"]);
    expect(r.diagnostics[0].range.start.line).toBe(big.split("\n").length - 2);
    expect(r.facts.codes.length).toBeGreaterThan(40_000);
    expectGoodStillChecked(study);
  }, 120_000);

  it("a file over 10 MB: file-too-large, never read", async () => {
    const study = await openWith({ "notes/Magenta/huge.md": new Uint8Array(10 * 1024 * 1024 + 10).fill(0x23) });
    const r = study.notes.get("notes/Magenta/huge.md")!;
    expect(r.diagnostics.map((d) => [d.rule, d.severity])).toEqual([["file-too-large", "error"]]);
    expect(r.excluded).toBe(true);
    expect(study.summary().excluded).toEqual([{ file: "notes/Magenta/huge.md", rules: ["file-too-large"] }]);
    expectGoodStillChecked(study);
  }, T);

  it("empty files, unclosed frontmatter, a lone ---", async () => {
    const study = await openWith({
      "notes/Magenta/empty.md": "",
      "notes/Magenta/unclosed.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n\nText #gp-buy-in\n",
      "notes/Magenta/dashes.md": "---",
      "notes/Magenta/ws.md": "\n\n   \n",
    });
    expect(located(study.notes.get("notes/Magenta/empty.md"), "frontmatter-missing").range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    expect(located(study.notes.get("notes/Magenta/unclosed.md"), "frontmatter-missing").range.end).toEqual({ line: 0, character: 3 });
    expect(study.notes.get("notes/Magenta/unclosed.md")!.facts.codes).toEqual([]);
    located(study.notes.get("notes/Magenta/dashes.md"), "frontmatter-missing");
    located(study.notes.get("notes/Magenta/ws.md"), "frontmatter-missing");
    expectGoodStillChecked(study);
  }, T);

  it("folders named x.md are walked, not read", async () => {
    const root = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE, "notes/Magenta/folder.md/inner.md": GOOD_NOTE.replace(" #shared-learning", "") });
    mkdirSync(join(root, "notes/Magenta/empty.md"));
    const study = await Study.open(root, { cache: false });
    expect([...study.notes.keys()].sort()).toEqual(["notes/Magenta/folder.md/inner.md", "notes/Magenta/good.md"]);
    expectGoodStillChecked(study);
  }, T);

  it("symlinks to a file inside and outside the study: skipped with a reason, outside content never read", async () => {
    const outside = tempDir("fieldnotes-outside-");
    writeFileSync(join(outside, "secret.md"), "---\npractice: Nowhere\ndate: 2016-03-14\nnpt: coherence\n---\n\nNHS 4010232137 #secret-code\n");
    mkdirSync(join(outside, "dir"));
    writeFileSync(join(outside, "dir", "n.md"), GOOD_NOTE);
    const root = makeStudy({ "notes/Magenta/good.md": GOOD_NOTE });
    symlinkSync(join(root, "notes/Magenta/good.md"), join(root, "notes/Magenta/inside-link.md"));
    symlinkSync(join(outside, "secret.md"), join(root, "notes/Magenta/outside-link.md"));
    symlinkSync(join(outside, "dir"), join(root, "notes/linked-dir"));
    symlinkSync(join(outside, "missing.md"), join(root, "notes/Magenta/dangling.md"));
    const study = await Study.open(root, { cache: false });
    for (const f of ["inside-link.md", "outside-link.md", "dangling.md"]) {
      const r = study.notes.get(`notes/Magenta/${f}`)!;
      expect(r.diagnostics.map((d) => d.rule)).toEqual(["file-skipped"]);
      expect(r.diagnostics[0].message).toMatch(/symbolic link/);
      expect(r.facts.codes).toEqual([]);
    }
    // Nothing of the outside file's content reached the index.
    expect(JSON.stringify(study.diagnosticsReport())).not.toMatch(/Nowhere|secret-code|identifier/);
    // The linked folder is reported (file-skipped, never entered); nothing under it is a note.
    expect([...study.notes.keys()].filter((k) => k.startsWith("notes/linked-dir"))).toEqual(["notes/linked-dir"]);
    expect(study.notes.get("notes/linked-dir")!.diagnostics[0].message).toMatch(/folder 'notes\/linked-dir' is a symbolic link/);
    expectGoodStillChecked(study);
  }, T);
});

describe("YAML", () => {
  const LAUGHS = (() => {
    const names = "abcdefghij";
    const lines = [`a: &a [${Array(9).fill('"lol"').join(", ")}]`];
    for (let i = 1; i < 10; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill("*" + names[i - 1]).join(", ")}]`);
    return lines;
  })();

  it("billion laughs in the frontmatter: never expanded (field-unknown, and an alias is field-type)", async () => {
    const text = "---\n" + LAUGHS.join("\n") + "\npractice: Magenta\ndate: 2016-03-14\nnpt: *j\n---\n\nText.\n";
    const study = await openWith({ "notes/Magenta/laughs.md": text });
    const r = study.notes.get("notes/Magenta/laughs.md")!;
    const d = located(r, "field-type");
    expect(d.range.start).toEqual({ line: 13, character: 5 });
    expect(r.diagnostics.filter((x) => x.rule === "field-unknown").length).toBe(10);
    expect(JSON.stringify(r.facts).length).toBeLessThan(50_000);
    expectGoodStillChecked(study);
  }, T);

  it("billion laughs in the config and the codebook", () => {
    const cfg = parseConfig(LAUGHS.join("\n") + "\nstudy: S\npractices:\n  - id: A\n    size: *j\n");
    expect(cfg.diagnostics.length).toBeGreaterThan(0);
    expect(cfg.diagnostics.every((d) => d.rule === "config-invalid")).toBe(true);
    const cb = parseCodebook("codes:\n  a:\n    label: x\n    description: *j\n" + LAUGHS.map((l) => "  " + l.replace(/^(\w):/, "z$1:")).join("\n") + "\n");
    expect(cb.diagnostics.length).toBeGreaterThan(0);
  }, T);

  it("20,000-deep flow nesting: a located yaml-syntax / config-invalid / codebook-invalid, no abort", async () => {
    const deep = "[".repeat(20_000);
    const study = await openWith({ "notes/Magenta/flow.md": `---\npractice: Magenta\nlevel: ${deep}\n---\nx\n`, "notes/Magenta/flowmap.md": `---\npractice: ${"{a: ".repeat(20_000)}\n---\nx\n` });
    expect(located(study.notes.get("notes/Magenta/flow.md"), "yaml-syntax").range.start).toEqual({ line: 2, character: 7 + 64 });
    located(study.notes.get("notes/Magenta/flowmap.md"), "yaml-syntax");
    expect(parseConfig(`study: S\npractices: ${deep}\n`).diagnostics[0].range.start).toEqual({ line: 1, character: 11 + 64 });
    expect(parseCodebook(`codes: ${deep}\n`).diagnostics[0].rule).toBe("codebook-invalid");
    expectGoodStillChecked(study);
  }, T);

  it("20,000-deep block nesting `- - - …`: located, no crash", async () => {
    const deep = "- ".repeat(20_000) + "x";
    const study = await openWith({ "notes/Magenta/block.md": `---\npractice: Magenta\nnpt:\n${deep}\n---\nx\n` });
    const d = located(study.notes.get("notes/Magenta/block.md"), "yaml-syntax");
    expect(d.range.start.line).toBe(3);
    expect(d.message).toMatch(/deep|nest/i);
    expect(parseConfig(`study: S\npractices:\n${deep}\n`).diagnostics[0].rule).toBe("config-invalid");
    expect(parseCodebook(`codes:\n${deep}\n`).diagnostics[0].rule).toBe("codebook-invalid");
    expectGoodStillChecked(study);
  }, T);

  it("__proto__ and constructor keys: no prototype pollution, summary attributes intact", async () => {
    const config = BASIC_CONFIG.replace("    training: false\n", "    training: false\n    __proto__: polluted\n    constructor: odd\n");
    const codebook = BASIC_CODEBOOK + "  constructor:\n    label: Constructor\n    npt: coherence\n  __proto__:\n    label: Proto\n";
    const root = makeStudy(
      {
        "notes/Magenta/good.md": GOOD_NOTE,
        "notes/Magenta/proto.md": "---\n__proto__: { polluted: true }\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\nassessment: { __proto__: full }\n---\n\nText #__proto__ #constructor.\n",
        "notes/Magenta/ctor.md": "---\npractice: Magenta\ndate: 2016-03-15\nnpt: coherence\ncodes: [constructor]\n---\n\nText #constructor here.\n",
      },
      { config, codebook },
    );
    const study = await Study.open(root, { cache: false });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(study.configDiagnostics).toEqual([]);
    const magenta = study.summary().practices[0];
    expect(Object.getOwnPropertyDescriptor(magenta.attributes, "__proto__")?.value).toBe("polluted");
    expect(magenta.attributes.constructor).toBe("odd");
    expect(magenta.attributes.training).toBe(false);
    expect(Object.keys(magenta.attributes).sort()).toEqual(["__proto__", "constructor", "listSize", "training"].sort());
    expect(magenta.attributes.listSize).toBe(5130);
    expect(study.codebookDiagnostics.map((d) => d.rule)).toEqual(["codebook-invalid"]); // __proto__ is not a code id
    const proto = study.notes.get("notes/Magenta/proto.md")!;
    expect(proto.diagnostics.map((d) => d.rule).sort()).toEqual(["assessment-invalid", "field-unknown"]);
    expect(proto.excluded).toBe(true);
    // A code named `constructor` is an ordinary code.
    expect(study.notes.get("notes/Magenta/ctor.md")!.diagnostics).toEqual([]);
    expect(Object.prototype.hasOwnProperty.call(magenta.codes, "constructor")).toBe(true);
    expect(magenta.codes.constructor).toEqual({ notes: 1, segments: 1 });
    const json = JSON.parse(JSON.stringify(study.summary()));
    expect(json.practices[0].codes.constructor).toEqual({ notes: 1, segments: 1 });
    expect(json.groups.unassessed.attributes.listSize).toEqual({ mean: (5130 + 4200) / 2, min: 4200, max: 5130 });
    expectGoodStillChecked(study);
  }, T);

  it("tabs in YAML and duplicate keys: yaml-syntax, located", async () => {
    const study = await openWith({
      "notes/Magenta/tabs.md": "---\n\tpractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\nx\n",
      "notes/Magenta/dup.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\ndate: 2016-03-15\n---\nx\n",
    });
    expect(located(study.notes.get("notes/Magenta/tabs.md"), "yaml-syntax").range.start.line).toBe(1);
    expect(located(study.notes.get("notes/Magenta/dup.md"), "yaml-syntax").range.start).toEqual({ line: 4, character: 0 });
    expectGoodStillChecked(study);
  }, T);
});

describe("Markdown", () => {
  it("deeply nested block quotes and lists: skipped with a located reason or parsed, never hanging", async () => {
    const study = await openWith({
      "notes/Magenta/quotes.md": FM + ">".repeat(20_000) + " deep #gp-buy-in\n",
      "notes/Magenta/lists.md": FM + "- ".repeat(20_000) + "deep #gp-buy-in\n",
      "notes/Magenta/indented.md": FM + Array.from({ length: 2000 }, (_, i) => "  ".repeat(i) + "- x").join("\n") + "\n",
      "notes/Magenta/many.md": FM + "- a #gp-buy-in\n  - b\n".repeat(5000),
      "notes/Magenta/ok.md": FM + "> > - a #gp-buy-in\n>\n> > > b #old-code\n",
    });
    for (const [f, line] of [["quotes.md", 6], ["lists.md", 6], ["indented.md", 6 + 32]] as const) {
      const r = study.notes.get(`notes/Magenta/${f}`)!;
      const d = located(r, "file-skipped");
      expect({ f, line: d.range.start.line }).toEqual({ f, line });
      expect(r.excluded).toBe(true);
    }
    // 10,000 lines nested two deep: micromark is linear in them (micromark-linear.ts), so they are read.
    const many = study.notes.get("notes/Magenta/many.md")!;
    expect(many.diagnostics).toEqual([]);
    expect(many.facts.codes.length).toBe(5000);
    const ok = study.notes.get("notes/Magenta/ok.md")!;
    expect(ok.diagnostics.map((d) => d.rule)).toEqual(["code-deprecated"]);
    expect(ok.facts.codes.map((c) => c.id)).toEqual(["gp-buy-in", "old-code"]);
    expectGoodStillChecked(study);
  }, T);

  it("pathological inline syntax: unclosed brackets, emphasis and backticks: parsed, or skipped with a located reason", () => {
    for (const body of ["[".repeat(50_000), "*a ".repeat(30_000), "`".repeat(30_000), "<".repeat(30_000), "![".repeat(20_000), "&#".repeat(30_000), "*a".repeat(100_000), "[a](".repeat(30_000), "[a]".repeat(50_000) + "\n\n[a]: http://x\n"]) {
      const f = parseNoteText(FM + body + " #gp-buy-in\n");
      const skipped = f.diagnostics.filter((d) => d.rule === "file-skipped");
      expect(f.diagnostics.length).toBe(skipped.length);
      if (skipped.length) expect(skipped[0].range.start.line).toBe(6);
    }
  }, T);

  it("fences the chunk cutter cannot see (inside HTML blocks), repeated: joined in linear time, cold and in the editor", () => {
    // Each chunk ends inside a fence for micromark, so every part must be joined with what follows.
    const text = FM + "<div>\n```\n\nx #gp-buy-in\n```\n\ny #old-code\n\n".repeat(2000);
    const cold = parseNoteText(text);
    expect(cold.codes.length).toBe(2000);
    expect(parseNoteText(text, false, new Map()).codes).toEqual(cold.codes);
  }, T);

  it("one huge block (a 40,000-line paragraph) is skipped at its first line, not parsed for a minute", () => {
    const f = parseNoteText(FM + "An intro paragraph. #gp-buy-in\n\n" + "Interviewer: and then? #old-code\n".repeat(40_000));
    expect(f.diagnostics.map((d) => [d.rule, d.range.start.line])).toEqual([["file-skipped", 8]]);
    expect(f.diagnostics[0].message).toMatch(/it has more than 4000 lines.*Put blank lines between its paragraphs/);
    expect(f.fatal).toBe(true);
  }, T);

  it("a 3 MB note of ordinary paragraphs is parsed in parts: every code found", () => {
    const paragraphs = 50_000;
    const f = parseNoteText(FM + "The practice manager described the weekly huddle. #gp-buy-in\n\n".repeat(paragraphs));
    expect(f.diagnostics).toEqual([]);
    expect(f.codes.length).toBe(paragraphs);
    expect(f.segments.length).toBe(paragraphs);
    expect(f.codes[paragraphs - 1].range.start.line).toBe(6 + 2 * (paragraphs - 1));
  }, T);
});
