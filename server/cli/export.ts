// `fieldnotes export [PATH] --format qdpx|qdc [--out FILE] [--force]` (SPEC section 13): the study as a
// REFI-QDA project or its codebook. Excluded notes are listed on standard error with their rules.
import { parseArgs } from "node:util";
import { relative, resolve } from "node:path";
import { writeFileSync } from "node:fs";
import { Study, NotAStudyError } from "../core/study.js";
import { exportStudy, type ExportFormat } from "../core/refi/export.js";
import { RefiError } from "../core/refi/errors.js";

type Out = { out: (s: string) => void; err: (s: string) => void };

export const EXPORT_HELP = `fieldnotes export [PATH] --format qdpx|qdc [--out FILE] [--force]

Exports the study at or above PATH (default: the current folder) for NVivo, ATLAS.ti, MAXQDA,
QualCoder and other REFI-QDA tools: qdpx (default) is the whole project (codes, cases, every included
note as a text source with its coded segments); qdc is the codebook alone. Writes FILE (default
<study folder name>.qdpx or .qdc in the current folder) and never overwrites it without --force.
Notes with errors are not exported; they are listed on standard error. Exit status 0, or 2.`;

export async function exportCommand(argv: string[], io: Out): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: "string", default: "qdpx" }, out: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`fieldnotes export: ${(err as Error).message}\n\n${EXPORT_HELP}\n`);
    return 2;
  }
  if (values.help) return io.out(EXPORT_HELP + "\n"), 0;
  const format = values.format as string;
  if (format !== "qdpx" && format !== "qdc") {
    io.err(`fieldnotes export: --format must be qdpx or qdc, not '${format}'.\n`);
    return 2;
  }
  if (positionals.length > 1) {
    io.err(`fieldnotes export: too many arguments: ${positionals.slice(1).join(" ")}\n`);
    return 2;
  }
  let study: Study;
  try {
    study = await Study.open(resolve(positionals[0] ?? "."));
  } catch (err) {
    if (err instanceof NotAStudyError) return io.err(`fieldnotes: ${err.message}\n`), 2;
    throw err;
  }
  if (!study.config || study.configDiagnostics.length) {
    for (const d of study.configDiagnostics) io.err(`fieldnotes.yaml:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.rule}: ${d.message}\n`);
    io.err("fieldnotes export: the study configuration is invalid; fix fieldnotes.yaml first.\n");
    return 2;
  }
  let result;
  try {
    result = exportStudy(study, format as ExportFormat);
  } catch (err) {
    if (err instanceof RefiError) return io.err(`fieldnotes export: ${err.message}\n`), 2;
    throw err;
  }
  const out = resolve((values.out as string | undefined) ?? result.fileName);
  const shown = relative(process.cwd(), out) || out;
  try {
    writeFileSync(out, result.bytes, { flag: values.force ? "w" : "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.err(code === "EEXIST" ? `fieldnotes export: ${shown} exists; give --force to replace it, or --out another file.\n` : `fieldnotes export: cannot write ${shown}: ${code ?? (err as Error).message}\n`);
    return 2;
  }
  if (format === "qdpx") for (const e of result.excluded) io.err(`fieldnotes export: not exported (errors: ${e.rules.join(", ")}): ${e.file}\n`);
  for (const w of result.warnings) io.err(`fieldnotes export: warning: ${w}\n`);
  const c = result.counts;
  io.err(
    format === "qdc"
      ? `fieldnotes: wrote ${shown}: ${c.codes} codes.\n`
      : `fieldnotes: wrote ${shown}: ${c.sources} sources, ${c.selections} coded segments, ${c.codings} codings, ${c.codes} codes, ${c.cases} cases; ${result.excluded.length} notes with errors not exported.\n`,
  );
  return 0;
}
