// `fieldnotes serve` through real HTTP on 127.0.0.1: routes, status codes, Host check, ETag/304, HEAD,
// gzip, freshness after file changes, concurrency during updates, and the CLI's JSON report as oracle.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { gunzipSync } from "node:zlib";
import { writeFileSync, unlinkSync, renameSync, readFileSync, readdirSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { Study } from "../../server/core/index.js";
import { listen, isLoopback, type RunningServer } from "../../server/http/serve.js";
import { allowedHosts } from "../../server/http/app.js";
import { copyStudy, http, getJson, poll, stripGenerated, repoRoot } from "./helpers.js";

let study: Study;
let server: RunningServer;
let dir: string;
let cleanup: () => void;
const logLines: string[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = copyStudy());
  study = await Study.open(dir, { cache: false });
  server = await listen({ study, port: 0, log: (l) => logLines.push(l) });
});

afterAll(async () => {
  await server?.close();
  cleanup?.();
});

const note = (practice: string, date: string, body: string, extra = "") =>
  `---\npractice: ${practice}\ndate: ${date}\nnpt: [coherence]\ntype: observation\nlevel: [patient]\n${extra}---\n\n${body}\n`;

describe("routes", () => {
  it("listens on 127.0.0.1 with a real port and a loopback URL", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect((server.server.address() as { address: string }).address).toBe("127.0.0.1");
  });

  it("GET /api/health", async () => {
    const r = await http(server.port, "/api/health");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(r.text)).toEqual({ status: "ok", notes: study.notes.size });
    expect(study.notes.size).toBeGreaterThan(10);
  });

  it("GET /api/summary is the Summary", async () => {
    const s = await getJson(server.port, "/api/summary");
    expect(s.study).toBe("Deep End Links Worker Programme process evaluation");
    expect(s.practices.map((p: { id: string }) => p.id)).toEqual(study.config!.practices.map((p) => p.id));
    expect(stripGenerated(s)).toEqual(stripGenerated(JSON.parse(JSON.stringify(study.summary()))));
    expect(Date.parse(s.generatedAt)).not.toBeNaN();
  });

  it("GET /api/practices/:id has the evidence; unknown and malformed ids are 404 JSON", async () => {
    const d = await getJson(server.port, "/api/practices/Magenta");
    expect(d.id).toBe("Magenta");
    expect(d.evidence.length).toBeGreaterThan(0);
    for (const e of d.evidence) {
      // SPEC section 12: evidence is a coded segment with its note's metadata.
      expect(Object.keys(e).sort()).toEqual(["codes", "constructs", "date", "file", "line", "observer", "participants", "practice", "text", "type"]);
      expect(e.practice).toBe("Magenta");
      expect(e.file).toMatch(/^notes\/Magenta\/.*\.md$/);
      const lines = readFileSync(join(dir, e.file), "utf8").split(/\r?\n/);
      // The segment (paragraph, list item paragraph, table cell...) starts on that line.
      expect(lines[e.line - 1]).toContain(e.text.slice(0, 12));
    }
    for (const bad of ["/api/practices/Nowhere", "/api/practices/..%2F..%2Fetc%2Fpasswd", "/api/practices/%2e%2e", "/api/practices/a%00b"]) {
      const r = await http(server.port, bad);
      expect(r.status, bad).toBe(404);
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(r.text).error).toEqual(expect.any(String));
    }
  });

  it("GET /api/diagnostics is the diagnostics report", async () => {
    const d = await getJson(server.port, "/api/diagnostics");
    expect(d).toEqual(JSON.parse(JSON.stringify(study.diagnosticsReport())));
    expect(Object.keys(d.counts).sort()).toEqual(["error", "information", "warning"]);
  });

  it("GET /api/matrix.csv by construct, code, level, assessment, with presence", async () => {
    const s = study.summary();
    const parse = (t: string) => t.trimEnd().split("\r\n").map((l) => l.split(","));
    const byConstruct = await http(server.port, "/api/matrix.csv");
    expect(byConstruct.headers["content-type"]).toMatch(/^text\/csv/);
    expect(byConstruct.text).toContain("\r\n");
    const rows = parse(byConstruct.text);
    expect(rows[0]).toEqual(["practice", "coherence", "cognitive-participation", "collective-action", "reflexive-monitoring"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(s.practices.map((p) => p.id));
    rows.slice(1).forEach((r, i) => expect(r.slice(1).map(Number)).toEqual(rows[0].slice(1).map((c) => s.practices[i].constructs[c].notes)));

    const byCode = parse((await http(server.port, "/api/matrix.csv?by=code")).text);
    expect(byCode[0]).toEqual(["practice", ...study.codebook.order]);
    byCode.slice(1).forEach((r, i) => expect(r.slice(1).map(Number)).toEqual(study.codebook.order.map((c) => s.practices[i].codes[c]?.notes ?? 0)));
    const presence = parse((await http(server.port, "/api/matrix.csv?by=code&presence=1")).text);
    presence.slice(1).forEach((r, i) => expect(r.slice(1).map(Number)).toEqual(byCode[i + 1].slice(1).map((v) => (Number(v) > 0 ? 1 : 0))));

    const byLevel = parse((await http(server.port, "/api/matrix.csv?by=level")).text);
    expect(byLevel[0]).toEqual(["practice", "patient", "practice", "community"]);
    byLevel.slice(1).forEach((r, i) => expect(r.slice(1).map(Number)).toEqual(["patient", "practice", "community"].map((l) => s.practices[i].levels[l])));

    const byAssessment = parse((await http(server.port, "/api/matrix.csv?by=assessment")).text);
    byAssessment.slice(1).forEach((r, i) => expect(r.slice(1)).toEqual(byConstruct.text.split("\r\n")[0].split(",").slice(1).map((c) => s.practices[i].constructs[c].assessment ?? "")));

    const bad = await http(server.port, "/api/matrix.csv?by=nonsense");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/construct/);
  });

  it("GET /api/segments.csv: one row per coded segment and code", async () => {
    const r = await http(server.port, "/api/segments.csv");
    expect(r.status).toBe(200);
    const lines = r.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("file,line,practice,practice_name,date,type,observer,participants,constructs,code,code_construct,text,listSize,training,linkWorkerStart");
    let expected = 0;
    for (const p of study.config!.practices) for (const e of study.practiceDetail(p.id)!.evidence) expected += e.codes.length;
    // Quoted text may not contain CRLF here (segments are single paragraphs); count records by lines.
    expect(lines.length - 1).toBe(expected);
  });

  it("GET /api/report.md and GET / (HTML)", async () => {
    const md = await http(server.port, "/api/report.md");
    expect(md.status).toBe(200);
    expect(md.headers["content-type"]).toMatch(/^text\/markdown/);
    expect(md.text).toMatch(/^# Integration summary: Deep End/);
    const html = await http(server.port, "/");
    expect(html.status).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!doctype html><html lang="en">/);
  });

  it("unknown routes are 404 JSON whatever the method; known routes with other methods 405", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const r = await http(server.port, "/api/nothing-here", { method });
      expect(r.status, method).toBe(404);
      expect(JSON.parse(r.text).error).toEqual(expect.any(String));
    }
    for (const path of ["/api/summary", "/api/health", "/", "/api/practices/Magenta", "/api/matrix.csv"]) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const r = await http(server.port, path, { method });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.allow).toBe("GET, HEAD");
        expect(JSON.parse(r.text).error).toMatch(/not allowed/);
      }
    }
  });

  it("HEAD answers like GET without a body", async () => {
    for (const path of ["/api/summary", "/", "/api/matrix.csv"]) {
      const get = await http(server.port, path);
      const head = await http(server.port, path, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers["content-length"]).toBe(String(get.body.length));
      expect(head.headers.etag).toBe(get.headers.etag);
    }
  });
});

describe("security", () => {
  it("403 JSON for a Host that is not loopback:PORT (DNS rebinding)", async () => {
    const p = server.port;
    for (const host of [`evil.example:${p}`, "127.0.0.1", "localhost", `127.0.0.1:${p + 1}`, `localhost.evil.example:${p}`, `[::1]`]) {
      const r = await http(p, "/api/summary", { headers: { host } });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.text).error).toMatch(/Forbidden/);
    }
    const none = await http(p, "/api/health", { setHost: false });
    expect(none.status).toBe(403);
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`]) {
      expect((await http(p, "/api/health", { headers: { host } })).status, host).toBe(200);
    }
  });

  it("sends no CORS headers, even to a cross-origin request", async () => {
    const r = await http(server.port, "/api/summary", { headers: { origin: "https://evil.example" } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.headers).filter((h) => h.startsWith("access-control"))).toEqual([]);
  });

  it("logs method, path, status and time only: no query values, no note text", async () => {
    await http(server.port, "/api/matrix.csv?by=code&presence=1");
    const texts = study.practiceDetail("Magenta")!.evidence.map((e) => e.text.slice(0, 30));
    expect(logLines.length).toBeGreaterThan(5);
    for (const line of logLines) {
      expect(line).toMatch(/^[A-Z]+ \/\S* \d{3} \d+\.\dms$/);
      expect(line).not.toContain("?");
      for (const t of texts) expect(line).not.toContain(t);
    }
  });

  it("sets request timeouts", () => {
    expect(server.server.requestTimeout).toBeGreaterThan(0);
    expect(server.server.headersTimeout).toBeGreaterThan(0);
  });
});

describe("caching and compression", () => {
  it("ETag and If-None-Match give 304; the ETag changes with the query and with the notes", async () => {
    const a = await http(server.port, "/api/summary");
    const etag = a.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await http(server.port, "/api/summary", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await http(server.port, "/api/summary", { headers: { "if-none-match": `W/${etag}, "other"` } })).status).toBe(304);
    expect((await http(server.port, "/api/summary", { headers: { "if-none-match": '"stale"' } })).status).toBe(200);
    const m1 = (await http(server.port, "/api/matrix.csv?by=code")).headers.etag;
    const m2 = (await http(server.port, "/api/matrix.csv?by=level")).headers.etag;
    expect(m1).not.toBe(m2);
    expect((await http(server.port, "/api/matrix.csv?by=code", { headers: { "if-none-match": m2 as string } })).status).toBe(200);

    writeFileSync(join(dir, "notes/Magenta/2016-12-01-etag.md"), note("Magenta", "2016-12-01", "A new note changes the ETag."));
    const changed = await poll(async () => {
      const r = await http(server.port, "/api/summary", { headers: { "if-none-match": etag } });
      return r.status === 200 ? r : undefined;
    }, 5000, "a new ETag");
    expect(changed.headers.etag).not.toBe(etag);
    unlinkSync(join(dir, "notes/Magenta/2016-12-01-etag.md"));
  });

  it("gzip for large bodies when accepted, identity otherwise", async () => {
    for (const path of ["/api/summary", "/", "/api/segments.csv", "/api/report.md"]) {
      const plain = await http(server.port, path);
      const gz = await http(server.port, path, { headers: { "accept-encoding": "gzip, deflate, br" } });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(gz.headers["content-encoding"], path).toBe("gzip");
      expect(gz.headers.vary).toMatch(/Accept-Encoding/i);
      expect(gz.body.length).toBeLessThan(plain.body.length);
      const unzipped = gunzipSync(gz.body).toString("utf8");
      if (path === "/api/summary") expect(stripGenerated(JSON.parse(unzipped))).toEqual(stripGenerated(JSON.parse(plain.text)));
      else if (path !== "/") expect(unzipped).toBe(plain.text);
    }
    const refused = await http(server.port, "/api/summary", { headers: { "accept-encoding": "gzip;q=0" } });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    const small = await http(server.port, "/api/health", { headers: { "accept-encoding": "gzip" } });
    expect(small.headers["content-encoding"]).toBeUndefined();
  });
});

describe("freshness", () => {
  const total = async () => (await getJson(server.port, "/api/summary")).totals;

  it("a note added, edited, renamed and deleted shows in the next responses", async () => {
    const before = await total();
    const file = join(dir, "notes/Cyan/2016-12-02-fresh.md");
    writeFileSync(file, note("Cyan", "2016-12-02", "Fresh evidence. #gp-buy-in"));
    await poll(async () => (await total()).notes === before.notes + 1, 5000, "the added note");
    // Edited: becomes excluded (unknown practice), then included again.
    writeFileSync(file, note("Nowhere", "2016-12-02", "Fresh evidence."));
    await poll(async () => (await total()).excluded === before.excluded + 1, 5000, "the edited note excluded");
    const ex = (await getJson(server.port, "/api/summary")).excluded;
    expect(ex).toContainEqual({ file: "notes/Cyan/2016-12-02-fresh.md", rules: ["practice-unknown"] });
    writeFileSync(file, note("Cyan", "2016-12-02", "Fresh evidence again. #gp-buy-in"));
    await poll(async () => (await total()).excluded === before.excluded, 5000, "the edited note included");
    // Renamed (editors' atomic saves, mv).
    renameSync(file, join(dir, "notes/Cyan/2016-12-03-renamed.md"));
    await poll(async () => {
      const d = await getJson(server.port, "/api/practices/Cyan");
      const files = d.evidence.map((e: { file: string }) => e.file);
      return files.includes("notes/Cyan/2016-12-03-renamed.md") && !files.includes("notes/Cyan/2016-12-02-fresh.md");
    }, 5000, "the renamed note");
    // Deleted.
    unlinkSync(join(dir, "notes/Cyan/2016-12-03-renamed.md"));
    await poll(async () => (await total()).notes === before.notes, 5000, "the deleted note gone");
    expect(await getJson(server.port, "/api/health")).toEqual({ status: "ok", notes: before.notes });
  });

  it("a new folder of notes and edits to the config and codebook", async () => {
    const before = await total();
    mkdirSync(join(dir, "notes/Olive/2017"));
    writeFileSync(join(dir, "notes/Olive/2017/2016-12-04-a.md"), note("Olive", "2016-12-04", "In a new folder."));
    await poll(async () => (await total()).notes === before.notes + 1, 5000, "a note in a new folder");
    writeFileSync(join(dir, "notes/Olive/2017/2016-12-05-b.md"), note("Olive", "2016-12-05", "Second note in the new folder."));
    await poll(async () => (await total()).notes === before.notes + 2, 5000, "a later note in the new folder");

    const config = readFileSync(join(dir, "fieldnotes.yaml"), "utf8");
    writeFileSync(join(dir, "fieldnotes.yaml"), config.replace("study: Deep End Links Worker Programme process evaluation", "study: Renamed study"));
    await poll(async () => (await getJson(server.port, "/api/summary")).study === "Renamed study", 5000, "the config change");
    writeFileSync(join(dir, "fieldnotes.yaml"), config);

    const codebook = readFileSync(join(dir, "codebook.yaml"), "utf8");
    writeFileSync(join(dir, "codebook.yaml"), codebook.replace(/^  gp-buy-in:/m, "  gp-buy-in-renamed:"));
    await poll(async () => (await total()).excluded > before.excluded, 5000, "notes using a removed code excluded");
    writeFileSync(join(dir, "codebook.yaml"), codebook);
    await poll(async () => (await total()).excluded === before.excluded && (await getJson(server.port, "/api/summary")).study !== "Renamed study", 5000, "restored");
  });

  it("50 parallel requests while 100 notes are rewritten: no errors, every response parses", async () => {
    const files = readdirSync(join(dir, "notes/Amber")).filter((f) => f.endsWith(".md"));
    const writes: Promise<void>[] = [];
    const requests: Promise<unknown>[] = [];
    const paths = ["/api/summary", "/api/practices/Amber", "/api/diagnostics", "/api/matrix.csv?by=code", "/", "/api/report.md", "/api/health"];
    for (let i = 0; i < 100; i++) {
      const f = join(dir, "notes/Amber", `bulk-${i}.md`);
      writes.push(new Promise((r) => setImmediate(() => (writeFileSync(f, note("Amber", "2016-01-01", `Bulk note ${i}. #gp-buy-in`)), r()))));
      if (i % 2 === 0) {
        const path = paths[i % paths.length];
        requests.push(
          http(server.port, path).then((r) => {
            expect(r.status, path).toBe(200);
            if (/^\/api\/[a-z]+(\/[A-Za-z]+)?$/.test(path)) JSON.parse(r.text);
            else expect(r.text.length).toBeGreaterThan(0);
          }),
        );
      }
    }
    await Promise.all([...writes, ...requests]);
    const s = await poll(async () => {
      const t = await total();
      return t.notes >= 100 + files.length ? t : undefined;
    }, 10000, "all 100 bulk notes");
    expect(s.notes).toBeGreaterThanOrEqual(100 + files.length);
    // Every summary seen is internally consistent: included + excluded = notes.
    const final = await getJson(server.port, "/api/summary");
    expect(final.totals.included + final.totals.excluded).toBe(final.totals.notes);
    expect(final.practices.reduce((a: number, p: { notes: number }) => a + p.notes, 0)).toBe(final.totals.included);
    for (let i = 0; i < 100; i++) unlinkSync(join(dir, "notes/Amber", `bulk-${i}.md`));
    await poll(async () => (await total()).notes === s.notes - 100, 10000, "bulk notes removed");
  });
});

describe("oracle: the CLI", () => {
  it("GET /api/summary equals `fieldnotes report --format json` run as a process (generatedAt aside)", async () => {
    const out = execFileSync(process.execPath, [join(repoRoot, "bin/fieldnotes.js"), "report", dir, "--format", "json", "--no-cache"], { encoding: "utf8" });
    const cli = JSON.parse(out);
    const served = await getJson(server.port, "/api/summary");
    expect(stripGenerated(served)).toEqual(stripGenerated(cli));
  });

  it("GET /api/report.md equals `fieldnotes report --format md`, byte for byte but for links to the served note pages", async () => {
    const out = execFileSync(process.execPath, [join(repoRoot, "bin/fieldnotes.js"), "report", dir, "--format", "md", "--no-cache"], { encoding: "utf8" });
    const served = (await http(server.port, "/api/report.md")).text;
    expect(served).toContain("](/notes/notes/");
    expect(served.replaceAll("](/notes/", "](")).toBe(out);
  });
});

describe("fieldnotes serve (the CLI, as a process)", () => {
  it("prints its URL once listening on 127.0.0.1, serves, and logs requests to stderr", async () => {
    const child = spawn(process.execPath, [join(repoRoot, "bin/fieldnotes.js"), "serve", dir, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const url = await poll(async () => /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[0], 20000, "the printed URL");
      const port = Number(new URL(url).port);
      expect(port).toBeGreaterThan(0);
      expect(await getJson(port, "/api/health")).toEqual({ status: "ok", notes: study.notes.size });
      await poll(async () => err.includes("GET /api/health 200"), 5000, "the access log line");
      expect(err).not.toMatch(/WARNING/);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("knows loopback addresses; --host H adds H:PORT to the accepted Host values", () => {
    for (const h of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "192.168.1.10", "::", "example.org"]) expect(isLoopback(h), h).toBe(false);
    expect([...allowedHosts(4319)]).toEqual(["127.0.0.1:4319", "localhost:4319", "[::1]:4319"]);
    expect(allowedHosts(4319, "192.168.1.10").has("192.168.1.10:4319")).toBe(true);
    expect(allowedHosts(4319, "fe80::1").has("[fe80::1]:4319")).toBe(true);
    expect(allowedHosts(4319, "192.168.1.10").has("192.168.1.10")).toBe(false);
  });
});
