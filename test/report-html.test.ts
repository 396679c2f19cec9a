// The HTML report in a real headless chromium, served by `fieldnotes serve` on 127.0.0.1: no console
// errors, no script from the notes runs, one row per practice, the SVG pictures, evidence links to files
// and lines. Saves test-output/report.png.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { Study } from "../server/core/index.js";
import { listen, type RunningServer } from "../server/http/serve.js";
import { renderReport } from "../server/report/index.js";
import { copyStudy, addHostileNote, repoRoot } from "./http/helpers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the browser test: no chromium at ${CHROMIUM} (apt-get install -y chromium).`);

describe.skipIf(!haveChromium)("HTML report in chromium", () => {
  let browser: Browser;
  let page: Page;
  let server: RunningServer;
  let study: Study;
  let dir: string;
  let cleanup: () => void;
  const problems: string[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = copyStudy());
    addHostileNote(dir);
    study = await Study.open(dir, { cache: false });
    server = await listen({ study, port: 0, watch: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) problems.push(`external request: ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanup?.();
  });

  it("loads from the server without console errors, dialogs or external requests", async () => {
    const res = await page.goto(server.url, { waitUntil: "load" });
    expect(res?.status()).toBe(200);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.title()).toContain("Deep End");
    expect(problems).toEqual([]);
  });

  it("the integration table has one row per practice, headers with scope and a caption", async () => {
    const ids = await page.$$eval("table.integration tbody tr", (rows) => rows.map((r) => r.querySelector("th[scope=row] a")?.textContent));
    expect(ids).toEqual(study.config!.practices.map((p) => p.id));
    expect(await page.$$eval("table.integration thead th", (th) => th.every((h) => h.getAttribute("scope") === "col"))).toBe(true);
    expect(await page.textContent("table.integration caption")).toMatch(/Integration/);
    // Assessments read without colour: symbol and word.
    const cells = await page.$$eval("table.integration td.a-full", (tds) => tds.map((t) => t.textContent ?? ""));
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) expect(c).toMatch(/● full/);
    // Groups compared.
    expect(await page.$$eval("table.groups tbody tr", (r) => r.length)).toBeGreaterThan(1);
  });

  it("has the SVG pictures with a title per heatmap cell", async () => {
    const s = study.summary();
    expect(await page.$$eval("svg.heatmap", (x) => x.length)).toBe(1);
    expect(await page.$$eval("svg.timeline", (x) => x.length)).toBe(1);
    expect(await page.$$eval("svg.bars", (x) => x.length)).toBe(1);
    const cells = await page.$$eval("svg.heatmap g > title", (t) => t.map((x) => x.textContent ?? ""));
    expect(cells.length).toBe(s.practices.length * study.codebook.order.length);
    const box = await page.$eval("svg.heatmap", (el) => el.getBoundingClientRect().height);
    expect(box).toBeGreaterThan(100);
  });

  it("evidence links point to files and lines; hostile text is shown as text", async () => {
    const links = await page.$$eval(".practice a[data-file][data-line]", (as) =>
      as.map((a) => ({ href: a.getAttribute("href")!, file: a.getAttribute("data-file")!, line: Number(a.getAttribute("data-line")), text: a.textContent })),
    );
    const total = study.config!.practices.reduce((n, p) => n + Math.min(200, study.practiceDetail(p.id)!.evidence.length), 0);
    expect(links.length).toBe(total);
    for (const l of links) {
      // Served: the read-only note page (GET /notes/<path>) at the line.
      expect(l.href).toBe(`/notes/${l.file.split("/").map(encodeURIComponent).join("/")}#L${l.line}`);
      expect(l.text).toBe(`${l.file}:${l.line}`);
      const lines = readFileSync(join(dir, l.file), "utf8").split(/\r?\n/);
      expect(l.line).toBeGreaterThanOrEqual(1);
      expect(l.line).toBeLessThanOrEqual(lines.length);
    }
    const hostile = await page.$$eval(".practice blockquote", (b) => b.map((x) => x.textContent ?? "").filter((t) => t.includes("onerror")));
    expect(hostile).toEqual([`<img src=x onerror="alert(2)"> a | pipe, a "quote" and </blockquote><script>alert(3)</script> #gp-buy-in`]);
    expect(await page.$$eval("img", (i) => i.length)).toBe(0);
    expect(problems).toEqual([]);
  });

  it("its one script is allowed by the server's CSP hash and opens every drill-down for printing", async () => {
    expect(await page.$$eval("details", (d) => d.filter((x) => !x.open).length)).toBeGreaterThan(0);
    await page.evaluate(() => dispatchEvent(new Event("beforeprint")));
    expect(await page.$$eval("details", (d) => d.filter((x) => !x.open).length)).toBe(0);
    expect(problems).toEqual([]);
  });

  it("works offline as a saved file, and prints", async () => {
    const html = await renderReport(study, { format: "html" });
    mkdirSync(join(repoRoot, "test-output"), { recursive: true });
    const saved = join(dir, "report.html");
    writeFileSync(saved, html);
    const offline = await browser.newPage({ offline: true } as never);
    const errors: string[] = [];
    offline.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    offline.on("requestfailed", (r) => errors.push(`failed: ${r.url()}`));
    await offline.goto(`file://${saved}`, { waitUntil: "load" });
    expect(await offline.$$eval("table.integration tbody tr", (r) => r.length)).toBe(study.config!.practices.length);
    await offline.emulateMedia({ media: "print" });
    expect(await offline.$eval("nav", (n) => getComputedStyle(n).display)).toBe("none");
    expect(errors).toEqual([]);
    await offline.close();
  });

  it("saves a screenshot to test-output/report.png", async () => {
    mkdirSync(join(repoRoot, "test-output"), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 2400 });
    await page.screenshot({ path: join(repoRoot, "test-output/report.png") });
    expect(existsSync(join(repoRoot, "test-output/report.png"))).toBe(true);
  });
});
