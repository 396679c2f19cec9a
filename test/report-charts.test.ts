// The report's SVG charts: the timeline labels months often enough to read (not only each January), and
// the heatmap keeps code labels whole.
import { describe, expect, it } from "vitest";
import { heatmapSvg, timelineSvg } from "../server/report/svg.js";
import { monthRange } from "../server/report/util.js";

const labels = (svg: string) => [...svg.matchAll(/<text class="tick-label"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);

describe("timeline month labels", () => {
  it("labels months at a regular step that leaves room for each label, from the first month", () => {
    const short = monthRange("2015-03", "2015-08"); // bars of 26 px: a label every 2 months
    expect(labels(timelineSvg({ rows: [{ id: "A", label: "A" }], months: short, counts: [short.map(() => 1)], caption: "c" }))).toEqual(["2015-03", "2015-05", "2015-07"]);
    const long = monthRange("2015-03", "2016-12"); // 22 months: bars of 26 px, a label every 2 months
    const got = labels(timelineSvg({ rows: [{ id: "A", label: "A" }], months: long, counts: [long.map(() => 1)], caption: "c" }));
    expect(got).toEqual(long.filter((_, i) => i % 2 === 0));
    expect(got.filter((m) => !m.endsWith("-01")).length).toBeGreaterThan(2);
    const years = monthRange("2010-01", "2019-12"); // 120 months: every 12 (bars of 8 px)
    expect(labels(timelineSvg({ rows: [{ id: "A", label: "A" }], months: years, counts: [years.map(() => 1)], caption: "c" }))).toEqual(years.filter((_, i) => i % 12 === 0));
  });
});

describe("heatmap labels", () => {
  it("keeps a long code label whole", () => {
    const label = "Shared learning across the whole practice team";
    const svg = heatmapSvg({ rows: [{ id: "A", label: "A" }], columns: [{ id: "x", label }], value: () => 1, title: () => "t", caption: "c" });
    expect(svg).toContain(`${label}</text>`);
  });
});

describe("generated-at in the HTML report", () => {
  it("is shown in the local time of the machine writing it, with the ISO instant kept in <time>", async () => {
    const { spawnSync } = await import("node:child_process");
    const { CLI, ensureBuilt, makeStudy, cleanupTemp } = await import("./fixtures/helpers.js");
    ensureBuilt();
    const root = makeStudy({});
    const r = spawnSync(process.execPath, [CLI, "report", root, "--format", "html", "--no-cache"], { encoding: "utf8", env: { ...process.env, TZ: "Asia/Kolkata" } });
    cleanupTemp();
    const m = /<time datetime="([^"]+)">([^<]+)<\/time>/.exec(r.stdout)!;
    expect(m[1]).toMatch(/Z$/);
    expect(m[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\+05:30\)$/);
    const utc = new Date(m[1]);
    const local = new Date(utc.getTime() + 330 * 60_000).toISOString();
    expect(m[2].slice(0, 16)).toBe(`${local.slice(0, 10)} ${local.slice(11, 16)}`);
  }, 60_000);
});

describe("the themes part's excerpt cap", () => {
  it("shows at most the cap per code and practice and says how many more and how to list them", async () => {
    const { Study } = await import("../server/core/study.js");
    const { renderHtml } = await import("../server/report/html.js");
    const { makeAnalysisStudy } = await import("./fixtures/analysis-study.js");
    const { cleanupTemp } = await import("./fixtures/helpers.js");
    const study = await Study.open(makeAnalysisStudy(), { cache: false, workers: 1, today: "2030-01-01" });
    const html = renderHtml(study, { themeCap: 1 });
    cleanupTemp();
    const group = /<section class="theme-practice" id="t-shared-learning--Magenta">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(group.match(/<li>/g)!.length).toBe(1);
    expect(group).toContain("1 more: <code>fieldnotes query --code shared-learning --practice Magenta</code>");
    expect(html).toContain("at most 1 excerpt is shown per code and practice");
  });
});
