// `fieldnotes diff A [B] [PATH] [--format md|json]` (SPEC section 15): what changed in the findings
// between revision A and B (default: the working tree), read through git without touching either.
import { parseArgs } from "node:util";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { configProblem, locateStudy, openFolder, openVersion, type StudyVersion } from "../core/git/revision.js";
import { diffStudies } from "../core/diff.js";
import { renderDiffMarkdown } from "../report/diff.js";

export const DIFF_HELP = `fieldnotes diff A [B] [PATH] [--format md|json] [--no-cache]

Compares the study at git revision A (a branch, tag or commit) with B (default: the working tree):
practices whose integration changed (from, to, reasons), constructs whose latest assessment changed,
notes added, removed, newly excluded or no longer excluded, codes added, removed or newly deprecated,
and the diagnostic counts of each side. PATH (default: the current folder) is the study or a folder
in it; with two arguments, the second is PATH when it is an existing folder, else B. A folder may
stand for A or B too. md (default) suits a pull-request comment; json is for tools.
Nothing is written to the working tree or the index. Exit status 0, or 2.`;

type Io = { out: (s: string) => void; err: (s: string) => void };

const isDir = (p: string) => existsSync(resolve(p)) && statSync(resolve(p)).isDirectory();

export async function diffCommand(argv: string[], io: Io): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: "string", default: "md" }, "no-cache": { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`fieldnotes diff: ${(err as Error).message}\n\n${DIFF_HELP}\n`);
    return 2;
  }
  if (values.help) return io.out(DIFF_HELP + "\n"), 0;
  const format = values.format as string;
  if (format !== "md" && format !== "json") return io.err(`fieldnotes diff: --format must be md or json, not '${format}'.\n`), 2;
  if (positionals.length < 1 || positionals.length > 3) return io.err(`fieldnotes diff: give one or two versions and at most one PATH.\n\n${DIFF_HELP}\n`), 2;
  const [aSpec, second, third] = positionals;
  let bSpec: string | undefined = second;
  let path = third ?? ".";
  if (positionals.length === 2 && isDir(second)) {
    bSpec = undefined;
    path = second;
  }
  const options = { cache: !values["no-cache"] };
  const versions: StudyVersion[] = [];
  try {
    const a = await openVersion(aSpec, path, options);
    versions.push(a);
    const b = bSpec === undefined ? await openFolder((await locateStudy(path)).dir, options, "(working tree)") : await openVersion(bSpec, path, options);
    versions.push(b);
    for (const v of versions) {
      const problem = configProblem(v);
      if (problem) return io.err(`fieldnotes diff: ${problem}\n`), 2;
    }
    const d = diffStudies(a.study, b.study, { a: { source: a.source, commit: a.commit }, b: { source: b.source, commit: b.commit } });
    io.out(format === "json" ? JSON.stringify(d, null, 2) + "\n" : renderDiffMarkdown(d));
    return 0;
  } finally {
    for (const v of versions) v.close();
  }
}
