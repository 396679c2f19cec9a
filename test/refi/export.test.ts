// REFI-QDA export (SPEC section 13): XSD-valid projects and codebooks, code point offsets that delimit
// exactly each segment's text, the oracle studies mapped as the spec says, byte-identical repeats, and
// the same bytes over HTTP as from the CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strFromU8 } from "fflate";
import { Study } from "../../server/core/index.js";
import { exportStudy } from "../../server/core/refi/export.js";
import { listen } from "../../server/http/serve.js";
import { http } from "../http/helpers.js";
import { REPO, SHARED_GENERATOR, cleanupTemp, ensureBuilt, generate, makeStudy, runCli, tempDir, BASIC_CODEBOOK } from "../fixtures/helpers.js";
import { HAVE_SHARED_REFI, codePointSlice, parseProject, projectXml, unzipQdpx, xsdErrors } from "./helpers.js";

const EXAMPLE = join(REPO, "examples", "deep-end");
if (!HAVE_SHARED_REFI) console.warn("REFI-QDA XSD validation skipped: ../shared/refi/Project.xsd not found");

/** A study whose notes hold CRLF, a BOM, emoji, CJK, combining marks, tables, quotes, lists and a lone CR. */
function unicodeStudy(): string {
  return makeStudy({
    "notes/Magenta/2016-03-14-crlf.md":
      "\uFEFF---\r\npractice: Magenta\r\ndate: 2016-03-14\r\nnpt: [coherence, cognitive-participation/enrolment]\r\nobserver: NRC\r\ncodes: [gp-buy-in]\r\ntype: meeting\r\nassessment:\r\n  coherence: full\r\n---\r\n\r\n" +
      "First paragraph with emoji 😀 and CJK 共享学习. #shared-learning\r\nsecond line of it. #gp-buy-in\r\n\r\n" +
      "| a | b |\r\n|---|---|\r\n| cafe\u0301 #gp-buy-in | 👍🏽 #shared-learning |\r\n| same #gp-buy-in | same #gp-buy-in |\r\n",
    "notes/Magenta/2016-04-01-marks.md":
      "---\npractice: Magenta\ndate: 2016-04-01\nnpt: coherence\nobserver: 42\n---\n\n# Heading é #gp-buy-in\n\n> quoted line one #shared-learning\n> line two 🧑‍🤝‍🧑\n\n- item 😀 #gp-buy-in\n- item 😀 #gp-buy-in\n\nZa\u0308hlen n\u0303 Ǆ 𝔘 #shared-learning\n\nAn uncoded paragraph.\n",
    "notes/Cobalt/2016-05-01-cr.md": "---\npractice: Cobalt\ndate: 2016-05-01\nnpt: [collective-action]\n---\n\nPara one\rcontinued 日本 #gp-buy-in\n",
    "notes/Cobalt/2016-05-02-broken.md": "---\npractice: Cobalt\ndate: 2016-05-02\nnpt: [coherence]\n---\n\nA code that is not there. #no-such-code\n",
  });
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

describe("export: XSD validity", () => {
  it.skipIf(!HAVE_SHARED_REFI)("the example study's .qdpx (CLI) validates against Project.xsd and its .qdc against Codebook.xsd", async () => {
    const out = tempDir();
    const p = await runCli(["export", EXAMPLE, "--format", "qdpx", "--out", join(out, "x.qdpx")]);
    expect(p.code).toBe(0);
    expect(await xsdErrors(projectXml(readFileSync(join(out, "x.qdpx"))), "Project.xsd")).toEqual([]);
    const c = await runCli(["export", EXAMPLE, "--format", "qdc", "--out", join(out, "x.qdc")]);
    expect(c.code).toBe(0);
    const qdc = readFileSync(join(out, "x.qdc"), "utf8");
    expect(await xsdErrors(qdc, "Codebook.xsd")).toEqual([]);
    expect(qdc.charCodeAt(0)).toBe(0x3c); // no BOM
    // No empty elements: no element opened and closed with nothing between, no empty Description or Sets.
    expect(qdc).not.toMatch(/<(\w+)(\s[^>]*[^/])?>\s*<\/\1>/);
    expect(qdc).not.toMatch(/<(Description|Sets|Codes|Set)\b[^>]*\/>/);
  }, 180_000);

  it.skipIf(!HAVE_SHARED_REFI)("a study of hostile text (unicode, markup in labels and attributes) exports valid XML", async () => {
    const root = unicodeStudy();
    writeFileSync(
      join(root, "codebook.yaml"),
      BASIC_CODEBOOK + '  odd:\n    label: "<b>&amp; \\"quoted\\" ]]> \\t tab"\n    description: "line one\\r\\nline two \\u0001 control"\n    parent: gp-buy-in\n',
    );
    writeFileSync(join(root, "fieldnotes.yaml"), readFileSync(join(root, "fieldnotes.yaml"), "utf8").replace("name: Practice Magenta", 'name: "Practice <Magenta> & \\"Co\\""\n    ratio: 0.0000015\n    big: 12345678901234567890'));
    const study = await Study.open(root, { cache: false });
    const { bytes } = exportStudy(study, "qdpx");
    const xml = projectXml(bytes);
    expect(await xsdErrors(xml, "Project.xsd")).toEqual([]);
    const project = parseProject(xml).Project;
    const magenta = project.Cases[0].Case.find((c: { name: string }) => c.name === "Magenta");
    expect(magenta.Description[0]).toBe('Practice <Magenta> & "Co"');
    const decimals = magenta.VariableValue.flatMap((v: { FloatValue?: string[]; IntegerValue?: string[] }) => [...(v.FloatValue ?? []), ...(v.IntegerValue ?? [])]);
    expect(decimals).toContain("0.0000015");
    expect(decimals.some((d: string) => /e/i.test(d))).toBe(false);
    expect(await xsdErrors(strFromU8(exportStudy(study, "qdc").bytes), "Codebook.xsd")).toEqual([]);
  }, 180_000);
});

describe("export: offsets", () => {
  it("every selection's code points [start, end) in its .txt are exactly its segment's text (CRLF, BOM, emoji, CJK, combining marks)", async () => {
    const root = unicodeStudy();
    const study = await Study.open(root, { cache: false });
    const result = exportStudy(study, "qdpx");
    expect(result.excluded).toEqual([{ file: "notes/Cobalt/2016-05-02-broken.md", rules: ["code-unknown"] }]);
    const entries = unzipQdpx(result.bytes);
    const project = parseProject(strFromU8(entries["project.qde"])).Project;
    const codeNames = new Map<string, string>();
    const walk = (codes: { guid: string; name: string; Code?: unknown[] }[]) => codes.forEach((c) => (codeNames.set(c.guid, c.name), walk((c.Code ?? []) as never)));
    walk(project.CodeBook[0].Codes[0].Code);
    const sources = project.Sources[0].TextSource;
    expect(sources.map((s: { name: string }) => s.name)).toEqual(["notes/Cobalt/2016-05-01-cr.md", "notes/Magenta/2016-03-14-crlf.md", "notes/Magenta/2016-04-01-marks.md"]);
    let checked = 0;
    for (const s of sources) {
      const bytes = entries[`sources/${s.guid}.txt`];
      expect(bytes[0]).not.toBe(0xef); // no BOM
      const txt = strFromU8(bytes);
      expect(txt).not.toContain("\r");
      const segments = study.notes.get(s.name)!.facts.segments;
      const selections = s.PlainTextSelection ?? [];
      expect(selections.length).toBe(segments.length);
      selections.forEach((sel: { startPosition: string; endPosition: string; Coding: { CodeRef: { targetGUID: string }[] }[] }, i: number) => {
        const text = codePointSlice(txt, Number(sel.startPosition), Number(sel.endPosition));
        expect(text).toBe(segments[i].text.replace(/\r\n?/g, "\n"));
        expect(sel.Coding.map((c) => codeNames.get(c.CodeRef[0].targetGUID))).toEqual(segments[i].codes);
        checked++;
      });
    }
    expect(checked).toBe(11);
  });
});

describe("export: determinism, --out and --force, HTTP", () => {
  it("exporting an unchanged study twice gives byte-identical files; an existing file needs --force", async () => {
    const root = unicodeStudy();
    const out = tempDir();
    const a = await runCli(["export", root, "--format", "qdpx", "--out", join(out, "a.qdpx")]);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain("not exported (errors: code-unknown): notes/Cobalt/2016-05-02-broken.md");
    const b = await runCli(["export", root, "--format", "qdpx", "--out", join(out, "b.qdpx")]);
    expect(b.code).toBe(0);
    expect(Buffer.compare(readFileSync(join(out, "a.qdpx")), readFileSync(join(out, "b.qdpx")))).toBe(0);
    expect(Object.keys(unzipQdpx(readFileSync(join(out, "a.qdpx"))))[0]).toBe("project.qde");

    const before = statSync(join(out, "a.qdpx")).mtimeMs;
    const again = await runCli(["export", root, "--format", "qdpx", "--out", join(out, "a.qdpx")]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; give --force/);
    expect(statSync(join(out, "a.qdpx")).mtimeMs).toBe(before);
    const forced = await runCli(["export", root, "--format", "qdpx", "--out", join(out, "a.qdpx"), "--force"]);
    expect(forced.code).toBe(0);

    // Default name: <study folder>.qdc in the current folder.
    const c = await runCli(["export", root, "--format", "qdc"], out);
    expect(c.code).toBe(0);
    expect(existsSync(join(out, `${root.split("/").pop()}.qdc`))).toBe(true);
    expect((await runCli(["export", root, "--format", "pdf"])).code).toBe(2);
    expect((await runCli(["export", tempDir(), "--format", "qdpx"])).code).toBe(2);
  }, 180_000);

  it("GET /api/export.qdpx is a download of the same bytes as the CLI", async () => {
    const root = unicodeStudy();
    const out = tempDir();
    expect((await runCli(["export", root, "--out", join(out, "cli.qdpx")])).code).toBe(0);
    const study = await Study.open(root, { cache: false });
    const server = await listen({ study, port: 0 });
    try {
      const r = await http(server.port, "/api/export.qdpx");
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe("application/zip");
      expect(String(r.headers["content-disposition"])).toMatch(/^attachment; filename="[^"]+\.qdpx"/);
      expect(Buffer.compare(r.body, readFileSync(join(out, "cli.qdpx")))).toBe(0);
      expect((await http(server.port, "/api/export.qdpx", { method: "POST" })).status).toBe(405);
      expect((await http(server.port, "/api/export.qdpx", { headers: { host: "evil.example:80" }, setHost: false })).status).toBe(403);
    } finally {
      await server.close();
    }
  }, 180_000);
});

const oracleAvailable = existsSync(SHARED_GENERATOR);
if (!oracleAvailable) console.warn("refi export oracle test skipped: ../shared/corpus/make-study.mjs not found");
describe.skipIf(!oracleAvailable)("export: the oracle studies (../shared/corpus/make-study.mjs)", () => {
  it("sources = included notes, selections = coded segments, codings = inline codes, cases and variables = practices and attributes", async () => {
    const dir = join(tempDir(), "study");
    generate(SHARED_GENERATOR, dir, ["--seed", "11", "--notes", "300", "--broken", "0.05"]);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
    const out = join(tempDir(), "o.qdpx");
    const r = await runCli(["export", dir, "--format", "qdpx", "--out", out]);
    expect(r.code).toBe(0);
    for (const e of expected.excluded) expect(r.stderr).toContain(`not exported (errors: ${e.rules.join(", ")}): ${e.file}`);
    const entries = unzipQdpx(readFileSync(out));
    const xml = strFromU8(entries["project.qde"]);
    if (HAVE_SHARED_REFI) expect(await xsdErrors(xml, "Project.xsd")).toEqual([]);
    const project = parseProject(xml).Project;
    const codeNames = new Map<string, string>();
    const walk = (codes: { guid: string; name: string; Code?: unknown[] }[]) => codes.forEach((c) => (codeNames.set(c.guid, c.name), walk((c.Code ?? []) as never)));
    walk(project.CodeBook[0].Codes[0].Code);
    const variables = new Map<string, { name: string; typeOfVariable: string }>(project.Variables[0].Variable.map((v: { guid: string; name: string; typeOfVariable: string }) => [v.guid, v]));

    // Sources: exactly the included notes.
    const excludedFiles = new Set(expected.excluded.map((e: { file: string }) => e.file));
    const sources = project.Sources[0].TextSource;
    expect(sources.length).toBe(expected.totals.included);
    expect(sources.some((s: { name: string }) => excludedFiles.has(s.name))).toBe(false);

    // Selections: the coded segments, with their text and their inline codes.
    const got: { file: string; text: string; codes: string[] }[] = [];
    for (const s of sources) {
      const txt = strFromU8(entries[`sources/${s.guid}.txt`]);
      for (const sel of s.PlainTextSelection ?? []) {
        got.push({ file: s.name, text: codePointSlice(txt, Number(sel.startPosition), Number(sel.endPosition)), codes: sel.Coding.map((c: { CodeRef: { targetGUID: string }[] }) => codeNames.get(c.CodeRef[0].targetGUID)) });
      }
      const values = Object.fromEntries((s.VariableValue ?? []).map((v: Record<string, [{ targetGUID: string }] | string[]>) => [variables.get((v.VariableRef as [{ targetGUID: string }])[0].targetGUID)!.name, (v.DateValue ?? v.TextValue)![0]]));
      expect(values.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(s.name).toContain(`notes/`);
    }
    const want = expected.segments.map((x: { file: string; text: string; codes: string[] }) => ({ file: x.file, text: x.text, codes: x.codes }));
    const order = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
    expect([...got].sort(order)).toEqual([...want].sort(order));

    // Cases: one per practice, with its attributes as typed variables and a SourceRef per exported note.
    const cases = project.Cases[0].Case;
    expect(cases.map((c: { name: string }) => c.name)).toEqual(expected.practices.map((p: { id: string }) => p.id));
    for (const c of cases) {
      const p = expected.practices.find((x: { id: string }) => x.id === c.name);
      expect(c.Description[0]).toBe(p.name);
      const attrs = Object.fromEntries(c.VariableValue.map((v: Record<string, [{ targetGUID: string }] | string[]>) => {
        const variable = variables.get((v.VariableRef as [{ targetGUID: string }])[0].targetGUID)!;
        return [variable.name, variable.typeOfVariable === "Integer" ? Number((v.IntegerValue as string[])[0]) : (v.BooleanValue as string[])[0] === "true"];
      }));
      expect(attrs).toEqual({ "practice.listSize": p.attributes.listSize, "practice.training": p.attributes.training });
      expect((c.SourceRef ?? []).length).toBe(p.notes);
    }
  }, 240_000);
});
