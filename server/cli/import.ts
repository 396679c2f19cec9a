// `fieldnotes import FILE [DIR]` (SPEC section 13): a new study from a REFI-QDA `.qdpx`, `.qde` or `.qdc`,
// then a report of what was imported and what could not be carried, with counts.
import { parseArgs } from "node:util";
import { relative } from "node:path";
import { importExchange } from "../core/refi/import.js";
import { RefiError } from "../core/refi/errors.js";

type Out = { out: (s: string) => void; err: (s: string) => void };

export const IMPORT_HELP = `fieldnotes import FILE [DIR]

Creates a new study in DIR (default: a new folder named after the project) from a REFI-QDA project
(.qdpx or .qde) or codebook (.qdc) written by NVivo, ATLAS.ti, MAXQDA, QualCoder or fieldnotes: the
codebook, practices from the project's cases, and one note per text source, its codings written as
inline codes at the end of the paragraphs they cover. DIR must not exist or be empty. Prints what was
imported and what could not be carried (pictures, PDF, audio and video, links, graphs…), with counts.
Exit status 0, or 2.`;

export async function importCommand(argv: string[], io: Out): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }));
  } catch (err) {
    io.err(`fieldnotes import: ${(err as Error).message}\n\n${IMPORT_HELP}\n`);
    return 2;
  }
  if (values.help) return io.out(IMPORT_HELP + "\n"), 0;
  if (positionals.length < 1 || positionals.length > 2) {
    io.err(`fieldnotes import: give the file to import, and optionally the new study's folder.\n\n${IMPORT_HELP}\n`);
    return 2;
  }
  try {
    const report = importExchange(positionals[0], positionals[1]);
    const lines = [`fieldnotes: imported '${report.study}' into ${relative(process.cwd(), report.dir) || "."}${report.fieldnotesOrigin ? " (a fieldnotes project, read back as written)" : ""}${report.utf16 ? " (positions read as UTF-16 code units, as NVivo writes them)" : ""}.`];
    lines.push("Imported:");
    for (const [what, n] of report.imported) lines.push(`  ${n} ${what}`);
    if (!report.imported.length) lines.push("  nothing");
    lines.push("Not carried:");
    for (const [what, n] of report.notCarried) lines.push(`  ${n} ${what}`);
    if (!report.notCarried.length) lines.push("  nothing");
    // Every problem is counted above; the first ones are also named one by one.
    const SHOWN = 100;
    for (const w of report.warnings.slice(0, SHOWN)) lines.push(`warning: ${w}`);
    if (report.warnings.length > SHOWN) lines.push(`… and ${report.warnings.length - SHOWN} more warnings.`);
    io.out(lines.join("\n") + "\n");
    return 0;
  } catch (err) {
    if (err instanceof RefiError) return io.err(`fieldnotes import: ${err.message}\n`), 2;
    throw err;
  }
}
