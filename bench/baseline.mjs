// The bare-parse baseline every benchmark compares against: a child process reads every .md file under
// a folder and parses it with unified / remark-parse / remark-frontmatter / remark-gfm, and the
// frontmatter with yaml's parseDocument (run it as: node --input-type=module -e BASELINE DIR). It prints
// {"files","nodes","parseMs"} on standard error.
export const BASELINE = `
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import { parseDocument } from "yaml";
const t0 = performance.now();
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith(".md")) files.push(p); } };
walk(process.argv[1]);
const processor = unified().use(remarkParse).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);
let nodes = 0;
for (const f of files) {
  const text = readFileSync(f, "utf8");
  const tree = processor.parse(text);
  const fm = tree.children[0];
  if (fm && fm.type === "yaml") nodes += parseDocument(fm.value).contents ? 1 : 0;
  nodes += tree.children.length;
}
process.stderr.write(JSON.stringify({ files: files.length, nodes, parseMs: performance.now() - t0 }) + "\\n");
`;

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the bare parse resolves unified, remark and yaml from its node_modules. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const HAS_TIME = existsSync("/usr/bin/time");

/**
 * Runs `node ...nodeArgs` as a child process, under GNU time when it is installed.
 * Returns { ms (wall), rss (peak KB, NaN without GNU time), status, stdout, stderr }.
 * Throws when the process exits other than 0 or 1 (1 is a check that found errors).
 */
export function runNode(nodeArgs, { cwd = REPO } = {}) {
  const t0 = process.hrtime.bigint();
  const r = HAS_TIME
    ? spawnSync("/usr/bin/time", ["-f", "MAXRSS_KB %M", process.execPath, ...nodeArgs], { cwd, encoding: "utf8", maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, nodeArgs, { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = Number(/MAXRSS_KB (\d+)/.exec(r.stderr ?? "")?.[1] ?? NaN);
  if (r.status !== 0 && r.status !== 1) throw new Error(`node ${nodeArgs.slice(0, 3).join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, rss, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The bare parse of every .md file under dir, as a process run from the repository (so that its imports
 * resolve). Returns { ms (process wall), parseMs (inside), files, rss }. Throws when it did not parse
 * one file: a baseline that failed to run must never become a 0.1 s denominator.
 */
export function bareParse(dir) {
  const r = runNode(["--input-type=module", "-e", BASELINE, dir], { cwd: REPO });
  const line = (r.stderr ?? "").split("\n").find((l) => l.startsWith("{"));
  const facts = line ? JSON.parse(line) : null;
  if (r.status !== 0 || !facts || facts.files === 0) throw new Error(`bench: the bare parse of ${dir} failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return { ms: r.ms, parseMs: facts.parseMs, files: facts.files, rss: r.rss };
}

/** The median of a list of numbers (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `--notes N` (default 10000) and `--keep` from the command line. */
export function benchArgs(argv = process.argv.slice(2)) {
  return { notes: Number(argv[argv.indexOf("--notes") + 1]) || 10000, keep: argv.includes("--keep") };
}

/** Exits 2 with one line when dist/ is not built (`name`: the bench, for the message). */
export function requireBuilt(name) {
  if (existsSync(join(REPO, "dist", "server", "cli", "main.js"))) return;
  console.error(`bench/${name}: dist/ is missing; run \`npm run build\` first (npm run bench does).`);
  process.exit(2);
}

/**
 * The benches' shared study: bench/make-study.mjs with `notes` notes, 12 practices, 300 codes, seed
 * 2016 and 1% broken notes, in a new temporary folder. Returns { work (the folder), study }; exits 2
 * with the generator's error when it fails.
 */
export function generateBenchStudy(prefix, notes) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const study = join(work, "study");
  const gen = spawnSync(process.execPath, [join(REPO, "bench", "make-study.mjs"), "--out", study, "--notes", String(notes), "--practices", "12", "--codes", "300", "--seed", "2016", "--broken", "0.01"], { encoding: "utf8" });
  if (gen.status !== 0) {
    console.error(gen.stderr);
    process.exit(2);
  }
  console.log(gen.stdout.trim());
  return { work, study };
}
