// The analysis routes over real HTTP on 127.0.0.1: GET /api/segments (filters, order, limit/offset),
// the matrix parameters, co-occurrence, GET /notes/<path>, every usage error as 400 JSON naming the bad
// value, and a study with `integration: false`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study } from "../../server/core/study.js";
import { listen, type RunningServer } from "../../server/http/serve.js";
import { matrixCsv } from "../../server/report/csv.js";
import { http, getJson } from "./helpers.js";
import { cleanupTemp, makeStudy, BASIC_CONFIG, BASIC_CODEBOOK } from "../fixtures/helpers.js";
import { makeAnalysisStudy } from "../fixtures/analysis-study.js";

let root: string;
let study: Study;
let server: RunningServer;

beforeAll(async () => {
  root = makeAnalysisStudy();
  writeFileSync(join(root, "README.md"), "# not a note\n");
  mkdirSync(join(root, "outside"), { recursive: true });
  writeFileSync(join(root, "outside", "x.md"), "---\npractice: Magenta\n---\n");
  symlinkSync(join(root, "fieldnotes.yaml"), join(root, "notes", "Magenta", "link.md"));
  study = await Study.open(root, { cache: false, workers: 1, today: "2030-01-01" });
  server = await listen({ study, port: 0 });
});
afterAll(async () => {
  await server?.close();
  cleanupTemp();
});

describe("GET /api/segments", () => {
  it("returns every coded segment of the included notes with the section 12 fields, by date, file, line", async () => {
    const r = await getJson(server.port, "/api/segments");
    expect(r.total).toBe(4);
    expect(r.segments.map((s: { file: string; line: number }) => `${s.file}:${s.line}`)).toEqual([
      "notes/Cobalt/2016-02-01.md:9",
      "notes/Magenta/2016-03-14-meeting.md:12",
      "notes/Magenta/2016-03-14-meeting.md:14",
      "notes/Magenta/2016-05-01-memo.md:8",
    ]);
    expect(r.segments[0]).toEqual({
      file: "notes/Cobalt/2016-02-01.md",
      line: 9,
      text: "Referrals came up again. #gp-buy-in",
      codes: ["gp-buy-in"],
      constructs: ["cognitive-participation"],
      practice: "Cobalt",
      date: "2016-02-01",
      type: null,
      observer: "42",
      participants: ["LW02"],
    });
    expect(r.segments[1]).toMatchObject({ codes: ["shared-learning", "gp-buy-in"], constructs: ["coherence", "cognitive-participation"], type: "meeting", observer: "NRC", participants: ["LW01", "GP01"] });
    expect(r.segments[3]).toMatchObject({ observer: null, participants: [] });
  });

  it("filters combine with AND, repeated values with OR; limit and offset page, total counts all", async () => {
    const files = async (q: string) => (await getJson(server.port, `/api/segments?${q}`)).segments.map((s: { file: string; line: number }) => `${s.file}:${s.line}`);
    expect(await files("code=gp-buy-in")).toEqual(["notes/Cobalt/2016-02-01.md:9", "notes/Magenta/2016-03-14-meeting.md:12"]);
    expect(await files("under=gp-buy-in&practice=Magenta")).toEqual(["notes/Magenta/2016-03-14-meeting.md:12", "notes/Magenta/2016-03-14-meeting.md:14"]);
    expect(await files("participant.role=gp&participant.role=link-worker&from=2016-03-01")).toEqual(["notes/Magenta/2016-03-14-meeting.md:12", "notes/Magenta/2016-03-14-meeting.md:14"]);
    expect(await files("type=unspecified")).toEqual(["notes/Cobalt/2016-02-01.md:9"]);
    expect(await files("text=garden&construct=coherence")).toEqual(["notes/Magenta/2016-05-01-memo.md:8"]);
    expect(await files("practice.training=true")).toEqual(["notes/Cobalt/2016-02-01.md:9"]);
    expect(await files("practice.training=maybe")).toEqual([]); // a value nobody has matches nothing
    const page = await getJson(server.port, "/api/segments?limit=2&offset=1");
    expect(page.total).toBe(4);
    expect(page.segments.map((s: { line: number }) => s.line)).toEqual([12, 14]);
    expect((await getJson(server.port, "/api/segments?limit=0")).segments).toEqual([]);
  });

  it("the practice evidence carries the same fields", async () => {
    const d = await getJson(server.port, "/api/practices/Cobalt");
    expect(d.evidence).toEqual([(await getJson(server.port, "/api/segments?practice=Cobalt")).segments[0]]);
  });
});

describe("matrix parameters and co-occurrence", () => {
  it("without new parameters the matrix is byte for byte the Summary's, and rows=practice gives the same", async () => {
    for (const by of ["construct", "code", "level", "assessment"] as const) {
      const plain = await http(server.port, `/api/matrix.csv?by=${by}`);
      expect(plain.text).toBe(matrixCsv(study.summary(), study.codebook, by, false));
      if (by !== "assessment") expect((await http(server.port, `/api/matrix.csv?by=${by}&rows=practice&count=notes`)).text).toBe(plain.text);
    }
  });

  it("rows by participant attribute, segments, rollup and a note filter", async () => {
    const r = await http(server.port, "/api/matrix.csv?by=code&rows=participant.role&count=segments&rollup=1");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/csv/);
    expect(r.text).toBe("participant.role,gp-buy-in,gp-champion,shared-learning\r\ngp,2,1,1\r\nlink-worker,3,1,1\r\n");
    const f = await http(server.port, "/api/matrix.csv?by=construct&rows=month&practice=Magenta");
    expect(f.text).toBe("month,coherence,cognitive-participation,collective-action,reflexive-monitoring\r\n2016-03,1,0,0,0\r\n2016-04,0,0,0,0\r\n2016-05,1,0,0,0\r\n");
  });

  it("co-occurrence counts segments carrying both codes; note filters apply", async () => {
    const r = await http(server.port, "/api/cooccurrence.csv");
    expect(r.text).toBe("code,gp-buy-in,gp-champion,shared-learning\r\ngp-buy-in,2,0,1\r\ngp-champion,0,1,0\r\nshared-learning,1,0,2\r\n");
    expect((await http(server.port, "/api/cooccurrence.csv?practice=Cobalt")).text).toBe(
      "code,gp-buy-in,gp-champion,shared-learning\r\ngp-buy-in,1,0,0\r\ngp-champion,0,0,0\r\nshared-learning,0,0,0\r\n",
    );
  });
});

describe("usage errors are 400 JSON naming the bad value", () => {
  const cases: [string, RegExp][] = [
    ["/api/segments?cod=gp-buy-in", /Unknown filter 'cod'\. Did you mean 'code'\?/],
    ["/api/segments?code=gp-buyin", /Unknown code 'gp-buyin'.*Did you mean 'gp-buy-in'\?/],
    ["/api/segments?under=nope", /Unknown code 'nope'/],
    ["/api/segments?construct=coherance", /Unknown construct 'coherance'.*Did you mean 'coherence'\?/],
    ["/api/segments?practice=magenta", /Unknown practice 'magenta'.*Did you mean 'Magenta'\?/],
    ["/api/segments?participant=LW1", /Unknown participant 'LW1'.*Did you mean 'LW01'/],
    ["/api/segments?type=meting", /Unknown note type 'meting'.*Did you mean 'meeting'\?/],
    ["/api/segments?from=2016-02-30", /'2016-02-30' in 'from' is not a date/],
    ["/api/segments?to=March", /'March' in 'to' is not a date/],
    ["/api/segments?practice.traning=true", /Unknown practice attribute 'traning'.*Did you mean 'training'\?/],
    ["/api/segments?participant.rol=gp", /Unknown participant attribute 'rol'.*Did you mean 'role'\?/],
    ["/api/segments?code=", /'code' needs a value/],
    ["/api/segments?limit=abc", /'limit' must be a whole number from 0 to 10000, not 'abc'/],
    ["/api/segments?limit=10001", /'limit' .* not '10001'/],
    ["/api/segments?offset=-1", /'offset' .* not '-1'/],
    ["/api/matrix.csv?by=codes", /'by' must be one of .* not 'codes'.*Did you mean 'code'\?/],
    ["/api/matrix.csv?rows=participants", /'rows' must be .* not 'participants'.*Did you mean 'participant'\?/],
    ["/api/matrix.csv?rows=practice.size", /'size' is not a practice attribute/],
    ["/api/matrix.csv?count=note", /'count' must be notes or segments, not 'note'/],
    ["/api/matrix.csv?by=level&count=segments", /'count=segments' needs by=code or by=construct/],
    ["/api/matrix.csv?by=assessment&count=segments", /'count=segments' needs by=code or by=construct/],
    ["/api/matrix.csv?by=assessment&rows=type", /'by=assessment' takes only rows=practice/],
    ["/api/matrix.csv?by=construct&rollup=1", /'rollup' works with by=code/],
    ["/api/matrix.csv?rollup=yes", /'rollup' must be 1 or 0, not 'yes'/],
    ["/api/matrix.csv?presence=2", /'presence' must be 1 or 0, not '2'/],
    ["/api/matrix.csv?code=gp-buy-in", /'code' is a segment filter/],
    ["/api/matrix.csv?practice=Nowhere", /Unknown practice 'Nowhere'/],
    ["/api/cooccurrence.csv?text=x", /'text' is a segment filter/],
    ["/api/cooccurrence.csv?participant=Nobody", /Unknown participant 'Nobody'/],
  ];
  for (const [path, message] of cases) {
    it(path, async () => {
      const r = await http(server.port, path);
      expect(r.status).toBe(400);
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(r.text).error).toMatch(message);
    });
  }
});

describe("GET /notes/<path>", () => {
  it("shows a note as read-only HTML with numbered lines and #L anchors", async () => {
    const r = await http(server.port, "/notes/notes/Magenta/2016-03-14-meeting.md");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/html/);
    expect(r.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(r.text).toContain('<li id="L12"><a href="#L12">12</a><span>The partners agreed to protect an afternoon. #shared-learning #gp-buy-in</span></li>');
    expect(r.text).not.toContain("<script");
    // An excluded note is still a note of the study.
    expect((await http(server.port, "/notes/notes/Cobalt/2016-06-01-broken.md")).status).toBe(200);
  });

  it("anything that is not a note of the study is 404, however the path is written", async () => {
    for (const bad of [
      "/notes/notes/Magenta/nope.md",
      "/notes/fieldnotes.yaml",
      "/notes/codebook.yaml",
      "/notes/README.md",
      "/notes/outside/x.md",
      "/notes/notes/Magenta/link.md",
      "/notes/notes/Magenta/..%2F..%2Ffieldnotes.yaml",
      "/notes/notes%2FMagenta%2F..%2F..%2Ffieldnotes.yaml",
      "/notes/%2e%2e/%2e%2e/etc/passwd",
      "/notes/notes/Magenta/2016-03-14-meeting.md%00",
      "/notes/%E0%A4%A",
      "/notes/",
    ]) {
      const r = await http(server.port, bad);
      expect(r.status, bad).toBe(404);
      expect(r.text).not.toContain("study: Test study");
    }
    expect((await http(server.port, "/notes/notes/Magenta/2016-03-14-meeting.md", { method: "POST" })).status).toBe(405);
  });
});

describe("integration: false over HTTP", () => {
  it("has rule null, no integration table in the HTML or Markdown, and no notes excluded for a missing npt", async () => {
    const r2 = makeStudy({ "notes/Magenta/a.md": "---\npractice: Magenta\ndate: 2016-03-14\n---\n\nText. #gp-buy-in\n" }, { config: BASIC_CONFIG + "integration: false\n", codebook: BASIC_CODEBOOK });
    const s2 = await Study.open(r2, { cache: false, workers: 1, today: "2030-01-01" });
    const srv = await listen({ study: s2, port: 0 });
    try {
      const summary = await getJson(srv.port, "/api/summary");
      expect(summary.rule).toBeNull();
      expect(summary.groups).toEqual({});
      expect(summary.excluded).toEqual([]);
      expect(summary.practices.map((p: { integration: unknown }) => p.integration)).toEqual([null, null]);
      const html = (await http(srv.port, "/")).text;
      expect(html).not.toContain('id="integration"');
      expect(html).not.toContain('id="groups"');
      expect(html).not.toMatch(/not yet assessed|fully integrated/i);
      expect(html).not.toContain('class="chart bars"'); // no note names a level: nothing to picture
      expect(html).toContain('id="themes"');
      const md = (await http(srv.port, "/api/report.md")).text;
      expect(md).not.toMatch(/^## (Integration|Groups compared)/m);
      expect(md).not.toMatch(/not yet assessed/);
    } finally {
      await srv.close();
    }
  });
});
