// Hostile exchange files (SPEC section 13, issue 11): ZIP entries that climb out, absolute paths and
// symbolic links, ZIP bombs, DOCTYPE and entities, selections outside the text or reversed, dangling and
// duplicate GUIDs, a missing source file. Each gets a message naming the part, and nothing is written
// outside DIR; a failed import leaves nothing behind at all. The hostile ZIPs are built here with fflate.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, strToU8, type Zippable } from "fflate";
import { importExchange } from "../../server/core/refi/import.js";
import { RefiError } from "../../server/core/refi/errors.js";
import { parseNoteText } from "../../server/core/index.js";
import { cleanupTemp, ensureBuilt, runCli, tempDir } from "../fixtures/helpers.js";

const G = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** A small valid project: one code, one case, one text source with one coded selection. */
function project(opts: { codes?: string; selections?: string; source?: string; prolog?: string; extraSources?: string } = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>${opts.prolog ?? ""}
<Project xmlns="urn:QDA-XML:project:1.0" name="Hostile" origin="TestTool 1.0">
  <CodeBook><Codes>${opts.codes ?? `<Code guid="${G(1)}" name="Trust" isCodable="true"/>`}</Codes></CodeBook>
  <Cases><Case guid="${G(2)}" name="Site A"><SourceRef targetGUID="${G(3)}"/></Case></Cases>
  <Sources>
    <TextSource guid="${G(3)}" name="Interview one" plainTextPath="${opts.source ?? `internal://${G(3)}.txt`}">
      ${opts.selections ?? `<PlainTextSelection guid="${G(4)}" startPosition="0" endPosition="5"><Coding guid="${G(5)}"><CodeRef targetGUID="${G(1)}"/></Coding></PlainTextSelection>`}
    </TextSource>${opts.extraSources ?? ""}
  </Sources>
</Project>`;
}

const TEXT = "Hello world.\nSecond line 😀.\n";

function qdpx(files: Zippable): Uint8Array {
  return zipSync(files, { level: 6 });
}

function defaultFiles(xml = project()): Zippable {
  return { "project.qde": strToU8(xml), [`sources/${G(3)}.txt`]: strToU8(TEXT) };
}

/** Writes `bytes` as a .qdpx in its own folder; returns its path. */
function inputFile(bytes: Uint8Array | string, name = "in.qdpx"): string {
  const path = join(tempDir("fieldnotes-refi-in-"), name);
  writeFileSync(path, bytes);
  return path;
}

/** Imports into <parent>/study and expects a RefiError matching `message`; the parent must stay empty. */
function expectRefused(file: string, message: RegExp, limits?: Parameters<typeof importExchange>[2]["limits"]): void {
  const parent = tempDir("fieldnotes-refi-out-");
  let error: unknown;
  try {
    importExchange(file, join(parent, "study"), { limits, today: "2020-01-01" });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(RefiError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain("\n");
  expect(readdirSync(parent)).toEqual([]); // no study, no temporary folder
}

/** Imports into <parent>/study and expects success; returns the report. Only DIR appears in the parent. */
function expectImported(file: string) {
  const parent = tempDir("fieldnotes-refi-out-");
  const report = importExchange(file, join(parent, "study"), { today: "2020-01-01" });
  expect(readdirSync(parent)).toEqual(["study"]);
  return report;
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

describe("hostile archives", () => {
  it("the baseline project imports", () => {
    const report = expectImported(inputFile(qdpx(defaultFiles())));
    expect(report.imported).toContainEqual(["notes (text sources)", 1]);
    expect(report.warnings).toEqual([]);
  });

  it("an entry that climbs out ('../') is refused, naming it", () => {
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "../../evil.txt": strToU8("x") })), /entry '\.\.\/\.\.\/evil\.txt' climbs out/);
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "sources/../../evil.txt": strToU8("x") })), /climbs out/);
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "sources\\..\\..\\evil.txt": strToU8("x") })), /entry 'sources\\\.\.\\\.\.\\evil\.txt' climbs out/);
  });

  it("absolute entry names are refused", () => {
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "/etc/evil": strToU8("x") })), /entry '\/etc\/evil' has an absolute path/);
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "C:/evil": strToU8("x") })), /absolute path/);
  });

  it("a symbolic link entry is refused", () => {
    const files = defaultFiles();
    files["sources/link.txt"] = [strToU8("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }];
    expectRefused(inputFile(qdpx(files)), /entry 'sources\/link\.txt' is a symbolic link/);
  });

  it("a ZIP bomb is stopped: by the ratio limit, by a size that lies, and by the total limit", () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    expectRefused(inputFile(qdpx({ ...defaultFiles(), [`sources/${G(3)}.txt`]: zeros })), /unpacks more than 1000 times its packed size/);

    // The central directory says 10 bytes; the data inflate to far more.
    const liar = qdpx({ "project.qde": strToU8(project()), [`sources/${G(3)}.txt`]: [new Uint8Array(5 * 1024 * 1024).fill(65), { level: 9 }] });
    const view = new DataView(liar.buffer);
    for (let o = liar.length - 22; o > 0; o--) {
      if (view.getUint32(o, true) === 0x02014b50 && new TextDecoder().decode(liar.subarray(o + 46, o + 46 + view.getUint16(o + 28, true))).startsWith("sources/")) {
        view.setUint32(o + 24, 10, true);
        break;
      }
    }
    expectRefused(inputFile(liar), /unpacks to more than its declared 10 bytes/);

    const big = strToU8(TEXT.repeat(100_000)); // ~3 MB of text
    expectRefused(inputFile(qdpx({ "project.qde": strToU8(project()), [`sources/${G(3)}.txt`]: big })), /more than 1000000 bytes in all/, { totalBytes: 1_000_000, ratio: 1000, entries: 100 });
  }, 180_000);

  it("not a ZIP, no .qde, two .qde files: each refused with a message", () => {
    expectRefused(inputFile("PK\u0003\u0004 not really a zip"), /not a ZIP archive/);
    expectRefused(inputFile(qdpx({ "readme.txt": strToU8("x") })), /no \.qde file at the root/);
    expectRefused(inputFile(qdpx({ ...defaultFiles(), "other.qde": strToU8(project()) })), /2 \.qde files/);
  });
});

describe("hostile XML", () => {
  it("a DOCTYPE (billion laughs, external entity) is refused before parsing; entities are never expanded", () => {
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`;
    expectRefused(inputFile(qdpx(defaultFiles(project({ prolog: laughs, codes: `<Code guid="${G(1)}" name="&lol3;" isCodable="true"/>` })))), /project\.qde:1: a <!DOCTYPE declaration is not accepted/);
    const xxe = `<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`;
    expectRefused(inputFile(qdpx(defaultFiles(project({ prolog: xxe, codes: `<Code guid="${G(1)}" name="&xxe;" isCodable="true"/>` })))), /DOCTYPE declaration is not accepted/);
    // An entity used without a DOCTYPE is not XML's own: refused, not passed through.
    expectRefused(inputFile(qdpx(defaultFiles(project({ codes: `<Code guid="${G(1)}" name="&xxe;" isCodable="true"/>` })))), /the entity '&xxe;' is not XML's own/);
    // A bare .qde is read the same way.
    expectRefused(inputFile(project({ prolog: xxe }), "p.qde"), /p\.qde:1: a <!DOCTYPE/);
  });

  it("malformed XML is refused with its line and column", () => {
    expectRefused(inputFile(qdpx(defaultFiles(project().replace("</Sources>", "")))), /project\.qde:\d+:\d+: not well-formed XML/);
  });

  it("elements nested without end (a code tree 5,000 deep) are refused, not a crash", () => {
    const deep = Array.from({ length: 5000 }, (_, i) => `<Code guid="${G(1000 + i)}" name="c${i}" isCodable="true">`).join("") + "</Code>".repeat(5000);
    expectRefused(inputFile(qdpx(defaultFiles(project({ codes: deep })))), /project\.qde: elements nest more than 256 levels deep/);
  });

  it("character references and predefined entities are decoded", () => {
    const file = inputFile(qdpx(defaultFiles(project({ codes: `<Code guid="${G(1)}" name="Trust &amp; &#x1F600; &lt;care&gt;" isCodable="true"/>` }))));
    const report = expectImported(file);
    expect(report.warnings).toEqual([]);
  });

  it("duplicate GUIDs are refused, naming both elements", () => {
    const codes = `<Code guid="${G(1)}" name="Trust" isCodable="true"/><Code guid="{${G(1).toUpperCase()}}" name="Care" isCodable="true"/>`;
    expectRefused(inputFile(qdpx(defaultFiles(project({ codes })))), /GUID \{0{8}-0{4}-4000-8000-0{11}1\} is used twice, by <Code name="Trust"> and <Code name="Care">/);
  });
});

describe("hostile content: imported, with a warning naming the part", () => {
  it("selections outside the text, reversed, or on a dangling code; a missing source file", () => {
    const selections = [
      `<PlainTextSelection guid="${G(10)}" startPosition="0" endPosition="5"><Coding guid="${G(11)}"><CodeRef targetGUID="${G(1)}"/></Coding></PlainTextSelection>`,
      `<PlainTextSelection guid="${G(12)}" startPosition="5" endPosition="9999"><Coding guid="${G(13)}"><CodeRef targetGUID="${G(1)}"/></Coding></PlainTextSelection>`,
      `<PlainTextSelection guid="${G(14)}" startPosition="9" endPosition="2"><Coding guid="${G(15)}"><CodeRef targetGUID="${G(1)}"/></Coding></PlainTextSelection>`,
      `<PlainTextSelection guid="${G(16)}" startPosition="0" endPosition="3"><Coding guid="${G(17)}"><CodeRef targetGUID="${G(99)}"/></Coding></PlainTextSelection>`,
    ].join("");
    const missing = `<TextSource guid="${G(20)}" name="Lost one" plainTextPath="internal://${G(20)}.txt"/>`;
    const report = expectImported(inputFile(qdpx(defaultFiles(project({ selections, extraSources: missing })))));
    const w = report.warnings.join("\n");
    expect(w).toContain(`selection ${G(12)} [5, 9999) lies outside the text`);
    expect(w).toContain(`selection ${G(14)} [9, 2) is reversed`);
    expect(w).toContain(`refers to code ${G(99)}, which the project does not define`);
    expect(w).toContain(`source 'Lost one': its text file internal://${G(20)}.txt is missing from the project`);
    expect(report.notCarried).toContainEqual(["selections reversed or outside their text", 2]);
    expect(report.notCarried).toContainEqual(["text sources without their text", 1]);
    expect(report.imported).toContainEqual(["notes (text sources)", 1]);
    // The good selection is still there, as an inline code.
    const note = readdirSync(join(report.dir, "notes", "Site-A"));
    expect(readFileSync(join(report.dir, "notes", "Site-A", note[0]), "utf8")).toContain("Hello world. #trust");
  });

  it("a dangling SourceRef from a case is reported, not followed", () => {
    const xml = project().replace(`<SourceRef targetGUID="${G(3)}"/>`, `<SourceRef targetGUID="${G(3)}"/><SourceRef targetGUID="${G(77)}"/>`);
    const report = expectImported(inputFile(qdpx(defaultFiles(xml))));
    expect(report.warnings.join("\n")).toContain(`case 'Site A': SourceRef ${G(77)} names no text source`);
  });
});

describe("the CLI on hostile input and destinations", () => {
  it("prints one plain line and exits 2; DIR that is not empty, or a file, is refused", async () => {
    const file = inputFile(qdpx({ ...defaultFiles(), "../evil": strToU8("x") }));
    const parent = tempDir();
    const r = await runCli(["import", file, join(parent, "study")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^fieldnotes import: in\.qdpx: entry '\.\.\/evil' climbs out/);
    expect(readdirSync(parent)).toEqual([]);

    const good = inputFile(qdpx(defaultFiles()));
    writeFileSync(join(parent, "taken.txt"), "x");
    const notEmpty = await runCli(["import", good, parent]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toMatch(/is not empty/);
    const aFile = await runCli(["import", good, join(parent, "taken.txt")]);
    expect(aFile.code).toBe(2);
    expect(aFile.stderr).toMatch(/is not a folder/);
    expect(readdirSync(parent)).toEqual(["taken.txt"]);
    const missing = await runCli(["import", join(parent, "nope.qdpx"), join(parent, "x")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    expect(existsSync(join(parent, "x"))).toBe(false);
  }, 180_000);
});

describe("source text that looks like Markdown", () => {
  it("reads as the same text once imported: each line one paragraph, no heading, list, quote, code, HTML, link or stray code", async () => {
    const { micromark } = await import("micromark");
    const { gfm, gfmHtml } = await import("micromark-extension-gfm");
    const lines = [
      "# not a heading", "- not a list", "+ nor this", "1. not ordered", "2) nor this", "> not a quote", "*not emphasis* and _this_ and **that**",
      "`not code`", "<b>not html</b> <!-- nor a comment -->", "[not a link](http://example.org) ![nor an image](x.png) [^1]", "&amp; stays &copy;",
      "a | table | row", "---", "***", "===", "#tag-like and (#another)", "~~not struck~~", "ends with a backslash \\", "[[not a wikilink]]", "emoji 😀 and 共享 and cafe\u0301",
    ];
    const text = lines.map((l, i) => (i % 3 === 0 ? `   ${l}  ` : l)).join("\r\n") + "\r\n\r\n";
    const sel = `<PlainTextSelection guid="${G(4)}" startPosition="0" endPosition="5"><Coding guid="${G(5)}"><CodeRef targetGUID="${G(1)}"/></Coding></PlainTextSelection>`;
    const files: Zippable = { "project.qde": strToU8(project({ selections: sel })), [`sources/${G(3)}.txt`]: strToU8(text) };
    const report = expectImported(inputFile(qdpx(files)));
    const dir = join(report.dir, "notes", "Site-A");
    const note = readFileSync(join(dir, readdirSync(dir)[0]), "utf8");
    const body = note.slice(note.indexOf("\n---\n") + 5);
    const html = micromark(body, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).not.toMatch(/<(h\d|ul|ol|li|blockquote|hr|pre|code|table|em|strong|del|img|b|sup)\b/);
    // A bare URL may become a link (GFM autolink literal), showing the same text.
    for (const a of html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)) expect(a[2]).toBe(a[1]);
    const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) =>
      m[1].replace(/<\/?a[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&"),
    );
    expect(paragraphs).toEqual(lines.map((l, i) => (i === 0 ? `${l.trim()} #trust` : l.trim())));
    // The only inline code is the one the selection carried.
    expect(parseNoteText(note).codes.map((c) => c.id)).toEqual(["trust"]);
  });
});

describe("a fieldnotes project's source names are paths: only safe ones are used", () => {
  it("names that climb out, are absolute, hidden, not notes or the configuration go to notes/<practice>/ inside DIR", () => {
    const names = ["../../evil.md", "/etc/evil.md", "notes/../../evil.md", ".hidden/x.md", "notes/README.md", "fieldnotes.yaml", "templates/x.md", "notes\\..\\evil.md", "notes/Site/ok.md"];
    const sources = names
      .map((n, i) => `<TextSource guid="${G(100 + i)}" name="${n}" plainTextPath="internal://${G(100 + i)}.txt"/>`)
      .join("");
    const xml = project({ extraSources: sources }).replace('origin="TestTool 1.0"', 'origin="fieldnotes 0.1.0"');
    const files: Zippable = defaultFiles(xml);
    names.forEach((_, i) => (files[`sources/${G(100 + i)}.txt`] = strToU8(`\nText ${i}.\n`)));
    const report = expectImported(inputFile(qdpx(files)));
    const written: string[] = [];
    const walk = (dir: string, rel = ""): void => {
      for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(dir, r);
        else written.push(r);
      }
    };
    walk(report.dir);
    expect(written.filter((f) => f.startsWith("notes/Site/"))).toEqual(["notes/Site/ok.md"]);
    expect(written.filter((f) => !f.startsWith("notes/unassigned/") && !f.startsWith("notes/Site-A/") && f !== "notes/Site/ok.md").sort()).toEqual(["codebook.yaml", "fieldnotes.yaml"]);
    expect(written.length).toBe(names.length + 1 + 2);
    expect(readFileSync(join(report.dir, "fieldnotes.yaml"), "utf8")).toMatch(/^study: Hostile$/m);
  });
});
