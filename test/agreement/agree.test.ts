// `fieldnotes agree` (SPEC section 14) through the CLI as a process: published values, two coders'
// branches in a real temporary git repository with known changes, a folder pair, undefined
// coefficients, bad input, and GET /api/agreement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Study } from "../../server/core/index.js";
import { listen, type RunningServer } from "../../server/http/serve.js";
import { http } from "../http/helpers.js";
import { BASIC_CODEBOOK, BASIC_CONFIG, OWN_GENERATOR, cleanupTemp, ensureBuilt, generate, makeStudy, runCli, tempDir } from "../fixtures/helpers.js";
import { commitAll, git, makeRepo, writeFiles } from "../history/git.js";
import { openFolder } from "../../server/core/git/revision.js";
import { compareCoding } from "../../server/core/agreement/compare.js";
import { cpSync } from "node:fs";

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => cleanupTemp());

// Independent of the implementation: κ and α of a 2×2 table, from the textbook definitions.
function kappa(t: { a: number; b: number; both: number; neither: number }): number | null {
  const n = t.a + t.b - t.both + t.neither;
  const po = (t.both + t.neither) / n;
  const pe = (t.a / n) * (t.b / n) + ((n - t.a) / n) * ((n - t.b) / n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}
function alpha(t: { a: number; b: number; both: number; neither: number }): number | null {
  const n = t.a + t.b - t.both + t.neither;
  // Coincidence matrix of two coders (Krippendorff 2011): each unit adds (x,y) and (y,x).
  const o = [[0, 0], [0, 0]];
  const add = (x: number, y: number, k: number) => ((o[x][y] += k), (o[y][x] += k));
  add(1, 1, t.both);
  add(1, 0, t.a - t.both);
  add(0, 1, t.b - t.both);
  add(0, 0, t.neither);
  const n0 = o[0][0] + o[0][1];
  const n1 = o[1][0] + o[1][1];
  const N = 2 * n;
  if (n0 * n1 === 0) return null;
  return 1 - ((N - 1) * (o[0][1] + o[1][0])) / (n0 * n1 + n1 * n0);
}

/** Two folders holding one note each, A coding units with #x where `a[i]`, B where `b[i]`. */
function codedPair(a: number[], b: number[]): [string, string] {
  const dirs: string[] = [];
  for (const coding of [a, b]) {
    const body = coding.map((v, i) => `Unit number ${["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"][i % 10]} of block ${Math.floor(i / 10)}.${v ? " #gp-buy-in" : ""}`).join("\n\n");
    dirs.push(makeStudy({ "notes/Magenta/units.md": `---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n${body}\n` }));
  }
  return dirs as [string, string];
}

async function agreeJson(args: string[], cwd?: string) {
  const r = await runCli(["agree", ...args, "--format", "json"], cwd);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("published values", () => {
  it("Krippendorff (2011), example A: binary data, two observers, 10 units: α = 0.095", async () => {
    const A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const r = await agreeJson(codedPair(A, B));
    expect(r.units).toBe(10);
    const x = r.codes.find((c: { code: string }) => c.code === "gp-buy-in");
    expect(x).toMatchObject({ a: 2, b: 4, both: 1, neither: 5 });
    expect(x.alpha.toFixed(3)).toBe("0.095");
    expect(x.agreement).toBe(0.6);
  }, 120_000);

  it("Cohen's κ, the textbook 2×2 example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no): κ = 0.4", async () => {
    const A: number[] = [];
    const B: number[] = [];
    const push = (x: number, y: number, k: number) => {
      for (let i = 0; i < k; i++) (A.push(x), B.push(y));
    };
    push(1, 1, 20);
    push(1, 0, 5);
    push(0, 1, 10);
    push(0, 0, 15);
    const r = await agreeJson(codedPair(A, B));
    const x = r.codes[0];
    expect(x).toMatchObject({ code: "gp-buy-in", a: 25, b: 30, both: 20, neither: 15 });
    expect(x.kappa).toBeCloseTo(0.4, 12);
    expect(x.agreement).toBeCloseTo(0.7, 12);
    expect(r.disagreements).toHaveLength(15);
  }, 120_000);
});

const TAG = /(^|\s)#([A-Za-z0-9][A-Za-z0-9-]*)/g;
const keyOf = (line: string) => line.replace(TAG, "$1").replace(/\s+/g, " ").trim();

/** Plain one-line paragraphs of a generated note (blank lines around, no block marker), 0-based line. */
function paragraphs(text: string): { line: number; text: string; codes: string[] }[] {
  const lines = text.split("\n");
  const close = lines.indexOf("---", 1);
  const out: { line: number; text: string; codes: string[] }[] = [];
  for (let i = close + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim() || /^(#+ |[-*+>|]|\d+[.)] )/.test(l) || lines[i - 1]?.trim() || lines[i + 1]?.trim()) continue;
    out.push({ line: i, text: l, codes: [...l.matchAll(TAG)].map((m) => m[2]).filter((c) => /[a-z]/.test(c)) });
  }
  // Only paragraphs whose text without codes is unique in the note: they are units one to one.
  const all = lines.slice(close + 1).map(keyOf);
  return out.filter((p) => all.filter((k) => k === keyOf(p.text)).length === 1);
}

describe("two coders on two branches", () => {
  let top: string;
  let base: Record<string, { a: number; b: number; both: number; neither: number }>;
  let baseUnits: number;
  const changed: { file: string; line: number; code: string; a: boolean; b: boolean }[] = [];
  const delta = new Map<string, { a: number; b: number; both: number }>();
  const bump = (code: string, d: { a?: number; b?: number; both?: number }) => {
    const x = delta.get(code) ?? { a: 0, b: 0, both: 0 };
    delta.set(code, { a: x.a + (d.a ?? 0), b: x.b + (d.b ?? 0), both: x.both + (d.both ?? 0) });
  };
  let editedLine = -1;
  let editedFile = "";
  let assessmentChanged = { practice: "", construct: "" };

  beforeAll(async () => {
    top = makeRepo();
    const study = join(top, "study");
    generate(OWN_GENERATOR, study, ["--notes", "40", "--practices", "3", "--codes", "12", "--seed", "11", "--broken", "0"]);
    commitAll(top, "the study, uncoded by either coder yet");
    git(top, "branch", "coder-a");
    // The baseline: A against itself (checked to be perfect below), before B's changes.
    const self = await agreeJson(["coder-a", "coder-a"], study);
    expect(self.disagreements).toEqual([]);
    expect(self.unmatched).toEqual([]);
    base = Object.fromEntries(self.codes.map((c: { code: string; a: number; b: number; both: number; neither: number }) => [c.code, c]));
    baseUnits = self.units;
    for (const c of self.codes) expect([c.a, c.b]).toEqual([c.both, c.both]);

    git(top, "checkout", "-q", "-b", "coder-b");
    const notes = (readdirSync(join(study, "notes"), { recursive: true }) as string[]).filter((f) => f.endsWith(".md")).map((f) => `notes/${f}`).sort();
    const codebookIds = [...readFileSync(join(study, "codebook.yaml"), "utf8").matchAll(/^  ([a-z0-9-]+):$/gm)].map((m) => m[1]);
    const edit = (file: string, fn: (lines: string[]) => void) => {
      const lines = readFileSync(join(study, file), "utf8").split("\n");
      fn(lines);
      writeFileSync(join(study, file), lines.join("\n"));
    };
    const removeTag = (l: string, code: string) => l.replace(new RegExp(`(^|\\s)#${code}(?=\\s|$)`), "$1").replace(/^\s+/, "");
    // 1. A code removed; 2. a code added to an uncoded paragraph; 3. a code moved to another paragraph.
    const [n1, n2, n3, n4] = notes.filter((f) => {
      const ps = paragraphs(readFileSync(join(study, f), "utf8"));
      return ps.filter((p) => p.codes.length).length >= 2 && ps.some((p) => !p.codes.length);
    });
    {
      const p = paragraphs(readFileSync(join(study, n1), "utf8")).find((x) => x.codes.length)!;
      const code = p.codes[0];
      edit(n1, (ls) => (ls[p.line] = removeTag(ls[p.line], code)));
      bump(code, { b: -1, both: -1 });
      changed.push({ file: n1, line: p.line + 1, code, a: true, b: false });
    }
    {
      const ps = paragraphs(readFileSync(join(study, n2), "utf8"));
      const p = ps.find((x) => !x.codes.length)!;
      const code = codebookIds.find((c) => !base[c]) ?? codebookIds[0]; // preferably a code A never used
      edit(n2, (ls) => (ls[p.line] = `${ls[p.line]} #${code}`));
      bump(code, { b: +1 });
      changed.push({ file: n2, line: p.line + 1, code, a: false, b: true });
    }
    {
      const ps = paragraphs(readFileSync(join(study, n3), "utf8"));
      const from = ps.find((x) => x.codes.length)!;
      const to = ps.find((x) => !x.codes.length)!;
      const code = from.codes[0];
      edit(n3, (ls) => {
        ls[from.line] = removeTag(ls[from.line], code);
        ls[to.line] = `${ls[to.line]} #${code}`;
      });
      bump(code, { both: -1 });
      changed.push({ file: n3, line: from.line + 1, code, a: true, b: false }, { file: n3, line: to.line + 1, code, a: false, b: true });
    }
    // 4. A coded paragraph edited so that it no longer matches: not a unit on either side.
    {
      const p = paragraphs(readFileSync(join(study, n4), "utf8")).find((x) => x.codes.length)!;
      edit(n4, (ls) => (ls[p.line] = `Reworded: ${ls[p.line]}`));
      for (const c of new Set(p.codes)) bump(c, { a: -1, b: -1, both: -1 });
      editedLine = p.line + 1;
      editedFile = n4;
    }
    // 5. A note only on B's side.
    writeFiles(study, { "notes/Extra/2016-01-01-only-b.md": `---\npractice: ${/practice: (\S+)/.exec(readFileSync(join(study, n1), "utf8"))![1]}\ndate: 2016-01-01\nnpt: coherence\n---\n\nOnly coder B wrote this. #${codebookIds[0]}\n` });
    // 6. A different assessment.
    const assessed = notes.find((f) => /\nassessment:\n {2}[a-z-]+: (full|partial|absent)/.test(readFileSync(join(study, f), "utf8")))!;
    edit(assessed, (ls) => {
      const i = ls.indexOf("assessment:") + 1;
      const m = /^ {2}([a-z-]+): (\w+)$/.exec(ls[i])!;
      ls[i] = `  ${m[1]}: ${m[2] === "absent" ? "full" : "absent"}`;
    });
    assessmentChanged = { practice: /practice: (\S+)/.exec(readFileSync(join(study, assessed), "utf8"))![1], construct: /\nassessment:\n {2}([a-z-]+):/.exec(readFileSync(join(study, assessed), "utf8"))![1] };
    commitAll(top, "coder B's coding");
    git(top, "checkout", "-q", "main");
  }, 120_000);

  it("gives the counts, κ and α that follow from the changes", async () => {
    const r = await agreeJson(["coder-a", "coder-b"], join(top, "study"));
    expect(r.a).toEqual({ source: "coder-a", commit: git(top, "rev-parse", "coder-a").trim() });
    expect(r.notes.onlyInB).toEqual(["notes/Extra/2016-01-01-only-b.md"]);
    expect(r.notes.onlyInA).toEqual([]);
    expect(r.units).toBe(baseUnits - 1);
    expect(r.unmatched).toEqual([
      { file: editedFile, line: editedLine, side: "a" },
      { file: editedFile, line: editedLine, side: "b" },
    ]);
    const expectedCodes = new Map<string, { a: number; b: number; both: number; neither: number }>();
    for (const code of new Set([...Object.keys(base), ...delta.keys()])) {
      const b0 = base[code] ?? { a: 0, b: 0, both: 0 };
      const d = delta.get(code) ?? { a: 0, b: 0, both: 0 };
      const t = { a: b0.a + d.a, b: b0.b + d.b, both: b0.both + d.both, neither: 0 };
      t.neither = r.units - t.a - t.b + t.both;
      expectedCodes.set(code, t);
    }
    expect(r.codes.map((c: { code: string }) => c.code).sort()).toEqual([...expectedCodes.keys()].sort());
    for (const c of r.codes) {
      const t = expectedCodes.get(c.code)!;
      expect({ code: c.code, a: c.a, b: c.b, both: c.both, neither: c.neither }).toEqual({ code: c.code, ...t });
      for (const [got, want] of [[c.kappa, kappa(t)], [c.alpha, alpha(t)]]) {
        if (want === null) expect(got).toBeNull();
        else expect(got).toBeCloseTo(want, 12);
      }
    }
    const pooled = [...expectedCodes.values()].reduce((s, t) => ({ a: s.a + t.a, b: s.b + t.b, both: s.both + t.both, neither: s.neither + t.neither }), { a: 0, b: 0, both: 0, neither: 0 });
    expect(r.overall.alpha).toBeCloseTo(alpha(pooled)!, 12);
    expect(r.overall.agreement).toBeCloseTo((pooled.both + pooled.neither) / (r.units * expectedCodes.size), 12);
    const ks = [...expectedCodes.values()].map(kappa).filter((k): k is number => k !== null);
    expect(r.overall.kappa).toBeCloseTo(ks.reduce((s, k) => s + k, 0) / ks.length, 12);
    expect(r.disagreements.map((d: { file: string; line: number; code: string; a: boolean; b: boolean }) => ({ file: d.file, line: d.line, code: d.code, a: d.a, b: d.b }))).toEqual(
      changed.map((c) => ({ ...c, file: c.file })).sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line || (x.code < y.code ? -1 : 1))),
    );
    const differing = r.assessments.pairs.filter((p: { a: string | null; b: string | null }) => p.a !== p.b);
    expect(differing).toHaveLength(1);
    expect(differing[0]).toMatchObject(assessmentChanged);
    const both = r.assessments.pairs.filter((p: { a: string | null; b: string | null }) => p.a !== null && p.b !== null);
    expect(r.assessments.agreement).toBeCloseTo((both.length - 1) / both.length, 12);
    expect(r.integration.map((p: { practice: string }) => p.practice)).toHaveLength(3);
  }, 120_000);

  it("a folder pair gives the same result as the two branches", async () => {
    const dirs = ["coder-a", "coder-b"].map((branch) => {
      const dir = tempDir(`fieldnotes-${branch}-`);
      const tar = execFileSync("git", ["archive", branch, "study"], { cwd: top });
      execFileSync("tar", ["-x", "-C", dir], { input: tar });
      return join(dir, "study");
    });
    const fromFolders = await agreeJson(dirs);
    const fromBranches = await agreeJson(["coder-a", "coder-b"], join(top, "study"));
    expect({ ...fromFolders, a: null, b: null }).toEqual({ ...fromBranches, a: null, b: null });
    expect(fromFolders.a).toEqual({ source: dirs[0], commit: null });
  }, 120_000);

  it("text, md and html show the same figures; html is self-contained with links to the note lines", async () => {
    const r = await agreeJson(["coder-a", "coder-b"], join(top, "study"));
    const text = (await runCli(["agree", "coder-a", "coder-b", "study"], top)).stdout;
    const md = (await runCli(["agree", "coder-a", "coder-b", "study", "--format", "md"], top)).stdout;
    for (const c of r.codes) {
      expect(text).toMatch(new RegExp(`^${c.code} .* ${c.kappa === null ? "–" : c.kappa.toFixed(3)} +${c.alpha === null ? "–" : c.alpha.toFixed(3)}$`, "m"));
      expect(md).toContain(`| ${c.code.replace(/-/g, "-")} | ${c.a} | ${c.b} | ${c.both} | ${c.neither} |`);
    }
    const out = join(tempDir(), "agreement.html");
    const h = await runCli(["agree", "coder-a", "coder-b", "study", "--format", "html", "--out", out], top);
    expect(h.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script|<link|src="http/);
    const d = r.disagreements[0];
    expect(html).toContain(`#L${d.line}">${d.line}</a>`);
    // Sorted by κ, lowest first (undefined last).
    const order = [...html.matchAll(/<tr(?: class="low")?><td>([a-z0-9-]+)<\/td><td class="n">/g)].map((m) => m[1]);
    const defined = r.codes.filter((c: { kappa: number | null }) => c.kappa !== null).sort((x: { kappa: number }, y: { kappa: number }) => x.kappa - y.kappa).map((c: { code: string }) => c.code);
    expect(order.slice(0, defined.length)).toEqual(defined);
    expect((await runCli(["agree", "coder-a", "coder-b", "study", "--format", "html", "--out", out], top)).code).toBe(2); // never overwrites
  }, 120_000);

  it("GET /api/agreement?a=&b= answers the same JSON; a bad revision is 400", async () => {
    const server: RunningServer = await listen({ study: await Study.open(join(top, "study"), { cache: false }), port: 0 });
    try {
      const r = await http(server.port, "/api/agreement?a=coder-a&b=coder-b");
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual(await agreeJson(["coder-a", "coder-b"], join(top, "study")));
      const bad = await http(server.port, "/api/agreement?a=coder-a&b=nope");
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text).error).toMatch(/Unknown revision 'nope'/);
      expect((await http(server.port, "/api/agreement?a=coder-a")).status).toBe(400);
      expect((await http(server.port, "/api/agreement?a=coder-a&b=coder-b", { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe("undefined coefficients and bad input", () => {
  it("a code used only in an unmatched segment, and one both coders used everywhere: κ and α null", async () => {
    const note = (extra: string) => `---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nFirst. #gp-buy-in\n\nSecond. #gp-buy-in\n\n${extra}\n`;
    const a = makeStudy({ "notes/Magenta/n.md": note("Third as A wrote it. #shared-learning") });
    const b = makeStudy({ "notes/Magenta/n.md": note("Third as B wrote it.") });
    const r = await agreeJson([a, b]);
    expect(r.units).toBe(2);
    expect(r.codes).toEqual([
      { code: "gp-buy-in", a: 2, b: 2, both: 2, neither: 0, agreement: 1, kappa: null, alpha: null },
      { code: "shared-learning", a: 0, b: 0, both: 0, neither: 2, agreement: 1, kappa: null, alpha: null },
    ]);
    // Pooled, the decisions do vary (yes for one code, no for the other) and agree: α = 1; no κ is defined.
    expect(r.overall).toEqual({ agreement: 1, kappa: null, alpha: 1 });
  }, 120_000);

  it("codebooks that differ: the union, said plainly", async () => {
    const a = makeStudy({ "notes/Magenta/n.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nOne. #gp-buy-in\n" });
    const b = makeStudy({ "notes/Magenta/n.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nOne. #extra-code\n" }, { codebook: BASIC_CODEBOOK + "  extra-code:\n    label: Extra\n" });
    const r = await runCli(["agree", a, b]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Note: The two codebooks differ \(only in .*: extra-code\); agreement is computed over the union/);
    expect(r.stdout).toMatch(/^extra-code +0 +1 /m);
  }, 120_000);

  it("every bad input: one plain line, exit 2", async () => {
    const top = makeRepo();
    writeFiles(top, { "x.txt": "x" });
    const before = commitAll(top, "before");
    writeFiles(top, { "fieldnotes.yaml": BASIC_CONFIG, "codebook.yaml": BASIC_CODEBOOK, "notes/Magenta/a.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nText. #gp-buy-in\n" });
    commitAll(top, "study");
    const other = makeStudy({ "notes/Magenta/other.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nElse.\n" });
    const noRepo = makeStudy({ "notes/Magenta/a.md": "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\nText.\n" });
    mkdirSync(join(noRepo, "sub"));
    const cases: [string[], string, RegExp][] = [
      [["agree", "main", "nope"], top, /Unknown revision 'nope'/],
      [["agree", before, "main"], top, /holds no study at the repository's top folder/],
      [["agree", "HEAD", "HEAD"], noRepo, /not inside a git repository/],
      [["agree", top, other], top, /No note is in both .* and included in both: there is nothing to compare/],
      [["agree", "main"], top, /give two versions/],
      [["agree", "main", "main", "--format", "xml"], top, /--format must be one of text, json, md, html/],
    ];
    for (const [args, cwd, message] of cases) {
      const r = await runCli(args, cwd);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      if (!/give two versions/.test(message.source)) expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 120_000);

  it("a comparison scanned in worker threads (the built CLI, 240 notes) equals one scanned in a single thread", async () => {
    const a = tempDir("fieldnotes-threads-a-");
    generate(OWN_GENERATOR, a, ["--notes", "240", "--practices", "3", "--codes", "12", "--seed", "23", "--broken", "0.02"]);
    const b = tempDir("fieldnotes-threads-b-");
    cpSync(a, b, { recursive: true });
    // B: every seventh inline code dropped, so that many notes differ and many stay the same.
    let seen = 0;
    for (const f of (readdirSync(join(b, "notes"), { recursive: true }) as string[]).filter((x) => x.endsWith(".md"))) {
      const path = join(b, "notes", f);
      const text = readFileSync(path, "utf8");
      const close = text.indexOf("\n---", 4);
      writeFileSync(path, text.slice(0, close) + text.slice(close).replace(/ #([a-z][a-z0-9-]*)/g, (m) => (++seen % 7 === 0 ? "" : m)));
    }
    const cli = await agreeJson([a, b], a);
    // From the TypeScript sources the worker file does not exist, so scan.ts reads every note in this thread.
    const [va, vb] = [await openFolder(a, { cache: false }, a), await openFolder(b, { cache: false }, b)];
    const here = (await compareCoding(va, vb)).report;
    expect(cli.disagreements.length).toBeGreaterThan(20);
    expect(cli.units).toBe(here.units);
    expect(cli.codes).toEqual(here.codes);
    expect(cli.disagreements).toEqual(here.disagreements);
    expect(cli.unmatched).toEqual(here.unmatched);
  }, 120_000);
});
