// The HTML report's analysis parts in a real headless chromium: the framework matrix's cells lead to their
// excerpts in the themes part, the themes follow the codebook (children under parents), and every link to
// a note resolves, served (GET /notes/<path> with its #L anchor) and written with --out into another folder.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { Study } from "../server/core/study.js";
import { listen, type RunningServer } from "../server/http/serve.js";
import { cleanupTemp, ensureBuilt, runCli, tempDir } from "./fixtures/helpers.js";
import { makeAnalysisStudy } from "./fixtures/analysis-study.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the analysis HTML test: no chromium at ${CHROMIUM}.`);

describe.skipIf(!haveChromium)("HTML report: framework matrix, themes and note links in chromium", () => {
  let browser: Browser;
  let page: Page;
  let server: RunningServer;
  let root: string;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    root = makeAnalysisStudy();
    const study = await Study.open(root, { cache: false, workers: 1, today: "2030-01-01" });
    server = await listen({ study, port: 0, watch: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
    page = await browser.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(server.url, { waitUntil: "load" });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTemp();
  });

  it("themes: every code in use in codebook order, children under their parents, segments by practice", async () => {
    const themes = await page.$$eval("#themes section.theme", (s) => s.map((x) => ({ id: x.id, cls: x.className, practices: [...x.querySelectorAll("section.theme-practice")].map((p) => p.id) })));
    expect(themes.map((t) => t.id)).toEqual(["theme-gp-buy-in", "theme-gp-champion", "theme-shared-learning"]);
    expect(themes[1].cls).toContain("depth-1");
    expect(themes[0].practices).toEqual(["t-gp-buy-in--Magenta", "t-gp-buy-in--Cobalt"]);
    const first = await page.$eval("#t-gp-buy-in--Cobalt li", (li) => li.textContent);
    expect(first).toContain("2016-02-01");
    expect(first).toContain("LW02");
    expect(first).toContain("Referrals came up again.");
  });

  it("heatmap column labels are whole and inside the picture (the last one included)", async () => {
    const labels = await page.$$eval("svg.heatmap text.col-label", (ts) => {
      const svg = ts[0].ownerSVGElement!.getBoundingClientRect();
      return ts.map((t) => ({ text: [...t.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(""), right: t.getBoundingClientRect().right, top: t.getBoundingClientRect().top, svgRight: svg.right, svgTop: svg.top }));
    });
    expect(labels.map((l) => l.text)).toEqual(["GP buy-in", "GP champion", "Shared learning"]);
    for (const l of labels) {
      expect(l.right).toBeLessThanOrEqual(l.svgRight);
      expect(l.top).toBeGreaterThanOrEqual(l.svgTop);
    }
  });

  it("a matrix cell leads to its excerpts: clicking it shows exactly those segments", async () => {
    const cells = await page.$$eval("table.matrix td a", (as) => as.map((a) => ({ href: a.getAttribute("href")!, n: Number(a.textContent) })));
    expect(cells.map((c) => `${c.href}=${c.n}`).sort()).toEqual(["#t-gp-buy-in--Cobalt=1", "#t-gp-buy-in--Magenta=1", "#t-gp-champion--Magenta=1", "#t-shared-learning--Magenta=2"]);
    for (const cell of cells) {
      await page.click(`table.matrix td a[href="${cell.href}"]`);
      expect(new URL(page.url()).hash).toBe(cell.href);
      const target = await page.$(cell.href);
      expect(target, cell.href).not.toBeNull();
      expect(await target!.isVisible()).toBe(true);
      const [code, practice] = cell.href.slice("#t-".length).split("--");
      const items = await target!.$$eval("li", (lis) => lis.map((li) => ({ text: li.querySelector("blockquote")!.textContent!, file: li.querySelector("a[data-file]")!.getAttribute("data-file")! })));
      expect(items.length).toBe(cell.n);
      for (const it of items) {
        expect(it.text).toContain(`#${code}`);
        expect(it.file.startsWith(`notes/${practice}/`)).toBe(true);
      }
    }
    expect(problems).toEqual([]);
  });

  it("served: every note link opens the note page at an existing #L anchor", async () => {
    const hrefs = await page.$$eval("a[data-file]", (as) => [...new Set(as.map((a) => (a as HTMLAnchorElement).href))]);
    expect(hrefs.length).toBeGreaterThan(4);
    const notePage = await browser.newPage();
    for (const href of hrefs) {
      const res = await notePage.goto(href);
      expect(res?.status(), href).toBe(200);
      const hash = new URL(href).hash;
      if (hash) {
        const line = await notePage.$(hash);
        expect(line, href).not.toBeNull();
        const data = await notePage.$eval(hash, (li) => li.querySelector("span")!.textContent);
        expect(data!.length).toBeGreaterThan(0);
      }
    }
    await notePage.close();
  });

  it("written with --out into another folder: every note link resolves to the note file and line", async () => {
    const outDir = join(tempDir("fieldnotes-report-out-"), "shared", "reports");
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, "report.html");
    const r = await runCli(["report", root, "--format", "html", "--out", out, "--no-cache"]);
    expect(r.code).toBe(0);
    const file = await browser.newPage();
    await file.goto(`file://${out}`, { waitUntil: "load" });
    const links = await file.$$eval("a[data-file]", (as) => as.map((a) => ({ href: (a as HTMLAnchorElement).href, line: a.getAttribute("data-line") })));
    expect(links.length).toBeGreaterThan(4);
    for (const l of links) {
      const url = new URL(l.href);
      expect(url.protocol).toBe("file:");
      const path = fileURLToPath(url);
      expect(path.startsWith(root), l.href).toBe(true);
      expect(existsSync(path), l.href).toBe(true);
      if (l.line) {
        expect(url.hash).toBe(`#L${l.line}`);
        expect(readFileSync(path, "utf8").split("\n").length).toBeGreaterThanOrEqual(Number(l.line));
      }
    }
    // The matrix drill-down works offline too.
    const cell = await file.$eval("table.matrix td a", (a) => a.getAttribute("href")!);
    await file.click(`table.matrix td a[href="${cell}"]`);
    expect(await file.$eval(cell, (s) => s.querySelectorAll("li").length)).toBeGreaterThan(0);
    await file.close();
  }, 120_000);
});
