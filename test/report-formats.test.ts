// The Markdown, CSV and HTML renderers on hostile input: escaping, RFC 4180, formula guards, determinism.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Study } from "../server/core/index.js";
import { renderReport, matrixCsv, segmentsCsv, renderHtml } from "../server/report/index.js";
import { textCell } from "../server/report/csv.js";
import { mdText } from "../server/report/markdown.js";
import { copyStudy, addHostileNote } from "./http/helpers.js";

let study: Study;
let cleanup: () => void;
let hostileFile: string;

beforeAll(async () => {
  const copy = copyStudy();
  cleanup = copy.cleanup;
  hostileFile = addHostileNote(copy.dir);
  study = await Study.open(copy.dir, { cache: false });
  expect(study.notes.get(hostileFile)?.excluded).toBe(false);
});
afterAll(() => cleanup?.());

/** A strict RFC 4180 parser (CRLF records, quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quote");
        if (text[i] === '"') {
          if (text[i + 1] === '"') (field += '"'), (i += 2);
          else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ",") i++;
    else if (text[i] === "\r" && text[i + 1] === "\n") {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error("last record not ended by CRLF");
  return rows;
}

describe("CSV", () => {
  it("quotes as RFC 4180 and guards text cells against formulas", () => {
    expect(textCell("plain")).toBe("plain");
    expect(textCell('a "b", c')).toBe('"a ""b"", c"');
    expect(textCell("=1+1")).toBe("'=1+1");
    expect(textCell("+44")).toBe("'+44");
    expect(textCell("-x")).toBe("'-x");
    expect(textCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(textCell("line\nbreak")).toBe('"line\nbreak"');
  });

  it("segments.csv: parseable, one row per segment and code, hostile text neutralised", () => {
    const rows = parseCsv(segmentsCsv(study));
    const header = rows[0];
    expect(header.slice(0, 4)).toEqual(["file", "line", "practice", "practice_name"]);
    for (const r of rows) expect(r.length).toBe(header.length);
    const col = (name: string) => header.indexOf(name);
    const hostile = rows.filter((r) => r[col("file")] === hostileFile);
    expect(hostile.map((r) => r[col("code")])).toEqual(["gp-buy-in", "team-dynamics"]);
    expect(hostile[0][col("observer")]).toBe("'=1+1");
    expect(hostile[0][col("text")]).toContain('a "quote" and');
    expect(hostile[1][col("text")]).toBe("'=SUM(A1:A2) starts like a formula #team-dynamics");
    expect(hostile[0][col("motto")]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(hostile[0][col("practice_name")]).toBe("Amber <script>alert(1)</script> | =cmd");
    expect(hostile[0][col("line")]).toBe("10");
    expect(hostile[1][col("line")]).toBe("12");
    expect(hostile[0][col("constructs")]).toBe("cognitive-participation");
  });

  it("matrix.csv: the header and one row per practice, for every `by`", () => {
    for (const by of ["construct", "code", "level", "assessment"] as const) {
      const rows = parseCsv(matrixCsv(study.summary(), study.codebook, by, false));
      expect(rows[0][0]).toBe("practice");
      expect(rows.slice(1).map((r) => r[0])).toEqual(study.config!.practices.map((p) => p.id));
      for (const r of rows) expect(r.length).toBe(rows[0].length);
    }
  });
});

describe("Markdown", () => {
  it("escapes table breakers and HTML", () => {
    expect(mdText("a | b")).toBe("a \\| b");
    expect(mdText("<script>")).toBe("\\<script\\>");
    expect(mdText("x\ny")).toBe("x y");
  });

  it("is deterministic: the same notes give the same bytes, later too", async () => {
    const a = await renderReport(study, { format: "md" });
    await new Promise((r) => setTimeout(r, 5));
    study.changeFiles([hostileFile]); // re-read, unchanged
    const b = await renderReport(study, { format: "md" });
    expect(b).toBe(a);
    expect(a).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no timestamp
  });

  it("keeps every table row's cell count despite `|` in names", async () => {
    const md = await renderReport(study, { format: "md" });
    expect(md).not.toContain("<script>");
    const lines = md.split("\n");
    let i = 0;
    while (i < lines.length) {
      if (lines[i].startsWith("| ") && lines[i + 1]?.startsWith("| ---")) {
        const cells = (l: string) => l.replace(/\\\|/g, "").split("|").length;
        const n = cells(lines[i]);
        for (i++; i < lines.length && lines[i].startsWith("|"); i++) expect(cells(lines[i]), lines[i]).toBe(n);
      } else i++;
    }
    expect(md).toContain("Amber \\<script\\>alert(1)\\</script\\> \\| =cmd");
  });
});

describe("HTML", () => {
  it("escapes everything from notes and config", () => {
    const html = renderHtml(study);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(html).toContain("Amber &lt;script&gt;alert(1)&lt;/script&gt; | =cmd");
    // Only our own one inline script.
    expect(html.match(/<script>/g)?.length).toBe(1);
  });

  it("caps the evidence per practice and says so", () => {
    const html = renderHtml(study, { evidenceCap: 2 });
    const magenta = study.practiceDetail("Magenta")!.evidence.length;
    expect(html).toContain(`Showing the first 2 of ${magenta} excerpts`);
    expect(html).toContain('href="/api/practices/Magenta"');
    // The excerpts shown are the API's first ones, in its order.
    const practicesPart = (html: string) => html.slice(html.indexOf('<section id="practices"'));
    const shown = [...practicesPart(renderHtml(study, { evidenceCap: 3 })).matchAll(/data-file="([^"]+)" data-line="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    const api = study.config!.practices.flatMap((p) => study.practiceDetail(p.id)!.evidence.slice(0, 3).map((e) => `${e.file}:${e.line}`));
    expect(shown).toEqual(api);
  });
});
