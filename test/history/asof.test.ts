// As of a date and history (SPEC section 15): `report --as-of D` is the report of the study with every
// note dated after D deleted; integrationHistory is the classification recomputed as of each note date;
// ?asOf on the HTTP routes; the trajectory in the HTML report and the changes table in Markdown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { Study } from "../../server/core/index.js";
import { isRealDate } from "../../server/core/config.js";
import { studyAsOf } from "../../server/core/history.js";
import { listen, type RunningServer } from "../../server/http/serve.js";
import { http, getJson } from "../http/helpers.js";
import { OWN_GENERATOR, cleanupTemp, ensureBuilt, generate, runCli, tempDir } from "../fixtures/helpers.js";

let study: string;
/** Every note file with its frontmatter date (when it is a real day), root-relative. */
let dated: { rel: string; date: string | undefined }[];

function listNotes(root: string): string[] {
  return (readdirSync(join(root, "notes"), { recursive: true }) as string[]).filter((f) => f.endsWith(".md")).map((f) => `notes/${f.split("\\").join("/")}`);
}

function frontmatterDate(text: string): string | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) return undefined;
  try {
    const d = parseYaml(m[1])?.date;
    return typeof d === "string" && isRealDate(d) ? d : undefined;
  } catch {
    return undefined;
  }
}

beforeAll(() => {
  ensureBuilt();
  study = join(tempDir("fieldnotes-asof-"), "study");
  generate(OWN_GENERATOR, study, ["--notes", "80", "--practices", "3", "--codes", "15", "--seed", "7", "--broken", "0.06"]);
  dated = listNotes(study).map((rel) => ({ rel, date: frontmatterDate(readFileSync(join(study, rel), "utf8")) }));
}, 120_000);
afterAll(() => cleanupTemp());

const withoutTime = (s: { generatedAt?: string }) => ({ ...s, generatedAt: undefined });

describe("report --as-of", () => {
  it("equals the report of a copy without the notes dated after D (json and md), for several dates", async () => {
    const dates = [...new Set(dated.map((d) => d.date).filter((d): d is string => !!d))].sort();
    expect(dates.length).toBeGreaterThan(10);
    const picks = ["2014-12-31", dates[3], dates[Math.floor(dates.length / 2)], dates[dates.length - 2], "2017-01-01"];
    for (const D of picks) {
      const copy = join(tempDir("fieldnotes-asof-copy-"), "study");
      cpSync(study, copy, { recursive: true });
      rmSync(join(copy, ".fieldnotes"), { recursive: true, force: true });
      let removed = 0;
      for (const n of dated) if (n.date && n.date > D) (rmSync(join(copy, n.rel)), removed++);
      const asOf = await runCli(["report", "--as-of", D], study);
      const cut = await runCli(["report"], copy);
      expect(asOf.code).toBe(0);
      expect(withoutTime(JSON.parse(asOf.stdout))).toEqual(withoutTime(JSON.parse(cut.stdout)));
      const md = await runCli(["report", "--format", "md", "--as-of", D], study);
      expect(md.stdout).toBe((await runCli(["report", "--format", "md"], copy)).stdout);
      if (D === "2017-01-01") expect(removed).toBe(0);
    }
  }, 180_000);

  it("rejects a date that is not a real day: one line, exit 2", async () => {
    const r = await runCli(["report", "--as-of", "2016-02-30"], study);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-of: '2016-02-30' is not a date/);
  }, 120_000);
});

describe("history", () => {
  it("integrationHistory equals the classification recomputed as of each note date, changes only", async () => {
    const s = await Study.open(study, { cache: false });
    const summary = s.summary();
    let changes = 0;
    for (const p of summary.practices) {
      const dates = [...new Set([...s.notes.values()].filter((r) => !r.excluded && r.reading?.practice === p.id).map((r) => r.reading!.date))].sort();
      const expected: { date: string; integration: string }[] = [];
      for (const D of dates) {
        // In process (what --as-of runs; the CLI's as-of is checked against deleted notes above).
        const at = studyAsOf(s, D).summary().practices.find((x) => x.id === p.id)!.integration;
        if (expected[expected.length - 1]?.integration !== at) expected.push({ date: D, integration: at });
      }
      expect(p.integrationHistory).toEqual(expected);
      changes += expected.length;
      // history: every assessment, in (date, path) order, its last entry the latest assessment.
      for (const [c, list] of Object.entries(p.history)) {
        const keys = list.map((a) => `${a.date}\u0000${a.file}`);
        expect(keys).toEqual([...keys].sort());
        const last = list[list.length - 1];
        expect(p.constructs[c]).toMatchObject({ assessment: last.assessment, assessedOn: last.date, assessedIn: last.file });
      }
    }
    expect(changes).toBeGreaterThan(summary.practices.length); // some practice did change
  }, 60_000);

  it("the HTML report draws each practice's trajectory; the Markdown report lists changes by date", async () => {
    const s = await Study.open(study, { cache: false });
    const summary = s.summary();
    const html = (await runCli(["report", "--format", "html"], study)).stdout;
    const svgs = html.match(/<svg[^>]*class="chart trajectory"[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(summary.practices.filter((p) => p.notes > 0).length);
    const marks = summary.practices.reduce((n, p) => n + Object.values(p.history).reduce((m, l) => m + l.length, 0), 0);
    expect(svgs.join("").match(/assessed (full|partial|absent) on \d{4}-\d{2}-\d{2}/g)).toHaveLength(marks);
    const md = (await runCli(["report", "--format", "md"], study)).stdout;
    const table = md.slice(md.indexOf("## Changes by date"), md.indexOf("## Groups compared"));
    const rows = table.split("\n").filter((l) => /^\| \d{4}-/.test(l));
    const transitions = summary.practices.reduce((n, p) => n + p.integrationHistory.length, 0);
    expect(rows).toHaveLength(marks + transitions);
    const rowDates = rows.map((r) => r.slice(2, 12));
    expect(rowDates).toEqual([...rowDates].sort());
  }, 60_000);
});

describe("?asOf over HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen({ study: await Study.open(study, { cache: false }), port: 0 });
  }, 120_000);
  afterAll(async () => server?.close());

  it("summary, practice, report and CSV routes answer as of the date; a bad date is 400", async () => {
    const D = dated.map((d) => d.date).filter(Boolean).sort()[40]!;
    const cli = JSON.parse((await runCli(["report", "--as-of", D], study)).stdout);
    expect(withoutTime(await getJson(server.port, `/api/summary?asOf=${D}`))).toEqual(withoutTime(cli));
    expect(withoutTime(await getJson(server.port, "/api/summary"))).not.toEqual(withoutTime(cli));
    const id = cli.practices[0].id;
    const practice = await getJson(server.port, `/api/practices/${id}?asOf=${D}`);
    expect({ ...practice, evidence: undefined }).toEqual({ ...cli.practices[0], evidence: undefined });
    expect(practice.evidence.every((e: { file: string }) => dated.find((n) => n.rel === e.file)!.date! <= D)).toBe(true);
    const md = await http(server.port, `/api/report.md?asOf=${D}`);
    expect(md.text.replaceAll("](/notes/", "](")).toBe((await runCli(["report", "--format", "md", "--as-of", D], study)).stdout);
    const csv = await http(server.port, `/api/matrix.csv?by=code&asOf=${D}`);
    expect(csv.text).toBe((await runCli(["report", "--format", "csv", "--by", "code", "--as-of", D], study)).stdout);
    const html = await http(server.port, `/?asOf=${D}`);
    expect(html.status).toBe(200);
    for (const path of ["/api/summary?asOf=2016-13-01", "/api/report.md?asOf=yesterday", "/?asOf=", "/api/matrix.csv?asOf=2016-1-1"]) {
      const r = await http(server.port, path);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.text).error).toMatch(/asOf: .* is not a date/);
    }
  }, 120_000);
});
