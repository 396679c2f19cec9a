#!/usr/bin/env node
// Hostile notes and codebooks through the real CLI (issue 9 section 6): for each shape of
// bench/hostile-shapes.mjs, a study of one hostile file of --mb MB and a few ordinary notes is checked
// with `fieldnotes check DIR --format json` under /usr/bin/time, cold (the cache is written, as a user's
// first run writes it) and, with --warm, once more from the cache. Prints per shape: wall and CPU
// seconds, peak RSS (MB, from /usr/bin/time's %M), the exit code, what became of the hostile file, and
// whether every ordinary note was still checked. The budget (issue 9): under 5 s and 500 MB.
// Usage (after `npm run build`):
//   node bench/hostile-cli.mjs [--mb 10] [--only name,name] [--warm] [--no-cache] [--timeout 120]
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CODEBOOK_SHAPES, SHAPES, hostileArgs } from "./hostile-shapes.mjs";

const { args, opt, mb: MB, only: ONLY } = hostileArgs();
const WARM = args.includes("--warm");
const NO_CACHE = args.includes("--no-cache");
/** A run longer than this is killed (through timeout(1), so no orphan is left) and reported as such. */
const TIMEOUT = Number(opt("timeout", "120"));
const CLI = fileURLToPath(new URL("../bin/fieldnotes.js", import.meta.url));
const BUDGET = { seconds: 5, mb: 500 };
/** Files over 10 MB are never read (file-too-large): the shapes stay just under it. */
const BYTES = Math.min(MB * 1024 * 1024, 10 * 1024 * 1024 - 1024);

const FM = "---\npractice: Magenta\ndate: 2016-03-14\nnpt: coherence\n---\n\n";
const CONFIG = 'study: Hostile\nperiod: { start: 2015-01-01, end: 2016-12-31 }\nnotes: ["notes/**/*.md"]\npractices:\n  - id: Magenta\n';
const CODEBOOK = "codes:\n  gp-buy-in:\n    label: GP buy-in\n    npt: coherence\n  old-code:\n    label: Old code\n    deprecated: true\n    replacedBy: gp-buy-in\n";
/** Ordinary notes, each with one known warning so that its being checked shows in the output. */
const ORDINARY = 3;

function study(files, codebook = CODEBOOK) {
  const root = mkdtempSync(join(tmpdir(), "fieldnotes-hostile-"));
  writeFileSync(join(root, "fieldnotes.yaml"), CONFIG);
  writeFileSync(join(root, "codebook.yaml"), codebook);
  mkdirSync(join(root, "notes", "Magenta"), { recursive: true });
  for (let i = 0; i < ORDINARY; i++) writeFileSync(join(root, "notes", "Magenta", `ordinary-${i}.md`), FM + `Visit ${["one", "two", "three"][i]}: the team met. #gp-buy-in #old-code\n`);
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(root, rel), text);
  return root;
}

function check(root) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "timeout", "-s", "KILL", String(TIMEOUT), process.execPath, CLI, "check", root, "--format", "json", ...(NO_CACHE ? ["--no-cache"] : [])], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  const timeLine = r.stderr.trim().split("\n").pop() ?? "";
  const [wall, user, sys, kb] = timeLine.split(" ").map(Number);
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    const killed = r.status === 137 || wall >= TIMEOUT;
    const error = killed ? `killed after ${TIMEOUT} s` : (r.stderr.split("\n").find((l) => l.trim() && !l.startsWith("Command")) ?? `exit ${r.status}`).slice(0, 100);
    return { wall, cpu: user + sys, rss: kb / 1024, code: r.status, error };
  }
  return { wall, cpu: user + sys, rss: kb / 1024, code: r.status, json };
}

/** What became of the hostile file, and whether each ordinary note was checked (its code-deprecated). */
function outcome(json, file) {
  const byFile = new Map(json.files.map((f) => [f.file, f.diagnostics]));
  const diags = byFile.get(file) ?? [];
  const skipped = diags.find((d) => d.rule === "file-skipped");
  const rules = [...new Set(diags.map((d) => d.rule))];
  const what = skipped ? `file-skipped at ${skipped.range.start.line + 1}:${skipped.range.start.character + 1}` : `read (${diags.length} diagnostics${rules.length ? `: ${rules.slice(0, 3).join(", ")}` : ""})`;
  let ok = 0;
  // (code-unknown when the codebook was not read: the note was still checked.)
  for (let i = 0; i < ORDINARY; i++) if ((byFile.get(`notes/Magenta/ordinary-${i}.md`) ?? []).some((d) => d.rule === "code-deprecated" || d.rule === "code-unknown")) ok++;
  return { what, others: `${ok}/${ORDINARY}` };
}

const rows = [];
const cases = [
  ...Object.entries(SHAPES).map(([name, make]) => ({ name, make: () => ({ files: { [`notes/Magenta/${name}.md`]: make(BYTES) } }), file: `notes/Magenta/${name}.md` })),
  // The ordinary notes' two codes lead the hostile codebook, so those notes read as elsewhere.
  ...Object.entries(CODEBOOK_SHAPES).map(([name, make]) => ({
    name: `codebook: ${name}`,
    make: () => {
      const shape = make(BYTES);
      return { files: shape.files, codebook: shape.codebook.replace(/^codes:\n/, CODEBOOK) };
    },
    file: "codebook.yaml",
  })),
];
console.log(`Hostile files of ${(BYTES / 1048576).toFixed(2)} MB through \`fieldnotes check\`${NO_CACHE ? " --no-cache" : " (cold: the cache is written)"}, with ${ORDINARY} ordinary notes each. Budget: ${BUDGET.seconds} s, ${BUDGET.mb} MB.`);
console.log("shape".padEnd(28) + "wall s".padStart(8) + "CPU s".padStart(8) + "RSS MB".padStart(8) + "  exit  others  outcome");
for (const c of cases) {
  if (ONLY.length && !ONLY.includes(c.name)) continue;
  const { files, codebook } = c.make();
  const root = study(files ?? {}, codebook);
  try {
    for (const pass of WARM ? ["cold", "warm"] : ["cold"]) {
      const r = check(root);
      const label = pass === "warm" ? `${c.name} (warm)` : c.name;
      const over = r.wall > BUDGET.seconds || r.rss > BUDGET.mb ? "  OVER BUDGET" : "";
      const o = r.json ? outcome(r.json, c.file) : { what: `FAILED: ${r.error}`, others: "-" };
      console.log(label.padEnd(28) + r.wall.toFixed(1).padStart(8) + r.cpu.toFixed(1).padStart(8) + r.rss.toFixed(0).padStart(8) + `  ${String(r.code).padStart(4)}  ${o.others.padStart(6)}  ${o.what}${over}`);
      rows.push({ name: label, ...r, json: undefined, ...o });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
const over = rows.filter((r) => r.wall > BUDGET.seconds || r.rss > BUDGET.mb || r.others !== `${ORDINARY}/${ORDINARY}`);
console.log(over.length ? `over budget or study not checked: ${over.map((r) => r.name).join(", ")}` : "every shape within budget, every ordinary note checked");
