// `fieldnotes agree A B [PATH] [--format text|json|md|html] [--out FILE]` (SPEC section 14): inter-coder
// agreement between two git revisions (or folders) of a study, read without touching the working tree.
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { configProblem, openVersion, type StudyVersion } from "../core/git/revision.js";
import { compareCoding, NothingToCompareError } from "../core/agreement/compare.js";
import { agreementHtml, agreementMarkdown, agreementText } from "../report/agreement.js";

export const AGREE_HELP = `fieldnotes agree A B [PATH] [--format text|json|md|html] [--out FILE] [--no-cache]

Inter-coder agreement between two codings of the same notes: A and B are git revisions (branches, tags,
commits) of the repository holding the study at PATH (default: the current folder), or folders holding
copies of the study. Units are the segments whose text (without codes) is the same on both sides;
for every code: A, B, both, neither, percent agreement, Cohen's κ and Krippendorff's α (nominal); the
pooled overall figures; every disagreement; and the two coders' assessments and classifications.
text (default) is a table for a terminal, json the data, md for a pull request, html a self-contained
page. Nothing is written to the working tree or the index. Exit status 0, or 2 when nothing can be
compared (unknown revision, no study there, no note in common).`;

type Io = { out: (s: string) => void; err: (s: string) => void };
const FORMATS = ["text", "json", "md", "html"];

export async function agreeCommand(argv: string[], io: Io): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: "string", default: "text" }, out: { type: "string" }, "no-cache": { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`fieldnotes agree: ${(err as Error).message}\n\n${AGREE_HELP}\n`);
    return 2;
  }
  if (values.help) return io.out(AGREE_HELP + "\n"), 0;
  const format = values.format as string;
  if (!FORMATS.includes(format)) return io.err(`fieldnotes agree: --format must be one of ${FORMATS.join(", ")}, not '${format}'.\n`), 2;
  if (positionals.length < 2 || positionals.length > 3) return io.err(`fieldnotes agree: give two versions (A and B) and at most one PATH.\n\n${AGREE_HELP}\n`), 2;
  const [aSpec, bSpec, path = "."] = positionals;
  const options = { cache: !values["no-cache"] };
  const versions: StudyVersion[] = [];
  try {
    for (const spec of [aSpec, bSpec]) versions.push(await openVersion(spec, path, options));
    for (const v of versions) {
      const problem = configProblem(v);
      if (problem) return io.err(`fieldnotes agree: ${problem}\n`), 2;
    }
    const [a, b] = versions;
    let result;
    try {
      result = await compareCoding(a, b);
    } catch (err) {
      if (err instanceof NothingToCompareError) return io.err(`fieldnotes agree: ${err.message}\n`), 2;
      throw err;
    }
    const { report, detail } = result;
    const out = values.out ? resolve(values.out as string) : undefined;
    // Links to the notes as they stand in A's folder (the working study for a revision), relative to the page.
    const from = out ? dirname(out) : process.cwd();
    const href = (file: string, line: number) => `${relative(from, join(a.displayRoot, file)).split("\\").join("/").split("/").map(encodeURIComponent).join("/")}#L${line}`;
    const body =
      format === "json" ? JSON.stringify(report, null, 2) + "\n"
      : format === "md" ? agreementMarkdown(report)
      : format === "html" ? agreementHtml(report, detail, href)
      : agreementText(report);
    if (out) {
      try {
        writeFileSync(out, body, { flag: "wx" });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        io.err(`fieldnotes agree: cannot write ${values.out}: ${code === "EEXIST" ? "the file exists (fieldnotes never overwrites)" : code ?? (err as Error).message}.\n`);
        return 2;
      }
      io.err(`fieldnotes: wrote ${values.out}\n`);
    } else io.out(body);
    for (const w of report.warnings) if (format === "json") io.err(`fieldnotes agree: ${w}\n`);
    return 0;
  } finally {
    for (const v of versions) v.close();
  }
}
