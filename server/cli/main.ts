// The `fieldnotes` command (SPEC section 7): a thin view on the notes core.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { relative, resolve, join, dirname } from "node:path";
import { existsSync, lstatSync, mkdirSync, statSync } from "node:fs";
import { Study, NotAStudyError } from "../core/study.js";
import { findStudyRoot } from "../core/files.js";
import { loadConfig } from "../core/config.js";
import { createNote, initStudy, NestedStudyError } from "../core/newnote.js";
import { WriteError, isInside, realPathOf, writeReplacing, reason } from "../core/safewrite.js";
import { plural } from "../core/plural.js";
import { closest, didYouMean } from "../core/suggest.js";
import type { Diagnostic, DiagnosticsReport } from "../core/types.js";
import { query, splitFilterArgs, relativeHref, QUERY_HELP } from "./query.js";
import { AnalysisUsageError } from "../core/analysis/filters.js";
import { renderReport, REPORT_FORMATS, REPORT_BY, type ReportFormat, type ReportBy } from "../report/index.js";
import { CHECK_FORMATS, renderCheckFormat } from "./formats.js";
import { GitError, openStaged } from "../core/git/revision.js";
import { asOfProblem, studyAsOf } from "../core/history.js";
import { DIFF_HELP, diffCommand } from "./diff.js";
import { AGREE_HELP, agreeCommand } from "./agree.js";

const USAGE = `fieldnotes: check, report on and edit qualitative field notes (Markdown + YAML, NPT).

Usage:
  fieldnotes check [PATH] [--format text|json|github|sarif] [--staged] [--max-warnings N] [--no-cache]
  fieldnotes report [PATH] [--format json|md|html|csv] [--by construct|code|level|assessment|segment|cooccurrence] [--presence] [--as-of DATE] [--out FILE]
  fieldnotes report [PATH] --format csv [--by B] [--rows R] [--count notes|segments] [--rollup] [FILTERS]
  fieldnotes query [PATH] [FILTERS] [--format text|json|csv|md] [--out FILE]
  fieldnotes serve [PATH] [--port N] [--host H]
  fieldnotes lsp --stdio
  fieldnotes new --practice ID [--type T] [--date YYYY-MM-DD] [--observer X] [PATH]
  fieldnotes init [DIR]
  fieldnotes export [PATH] --format qdpx|qdc [--out FILE] [--force]
  fieldnotes import FILE [DIR]
  fieldnotes diff A [B] [PATH] [--format md|json]
  fieldnotes agree A B [PATH] [--format text|json|md|html] [--out FILE]

Run 'fieldnotes <command> --help' for the options of one command.`;

const HELP: Record<string, string> = {
  check: `fieldnotes check [PATH] [--format text|json|github|sarif] [--staged] [--max-warnings N] [--no-cache]

Checks every note of the study at or above PATH (default: the current folder), its codebook and its
configuration. Text output: one line per problem, 'path:line:column: severity rule: message'.
JSON output: {"files":[{"file","diagnostics":[…]}],"counts":{…}}, as GET /api/diagnostics.
github: one GitHub Actions workflow command per problem (annotations on a pull request).
sarif: SARIF 2.1.0, for code scanning. --staged checks what is staged in git's index (notes, config
and codebook as staged), as a pre-commit hook must; the working tree and the index are not touched.

Exit status: 0 no errors (and at most N warnings with --max-warnings N); 1 otherwise;
2 usage error, no study found, or an invalid fieldnotes.yaml.`,
  report: `fieldnotes report [PATH] [--format json|md|html|csv] [--by construct|code|level|assessment|segment] [--presence] [--as-of DATE] [--out FILE] [--no-cache]

Writes the per-practice integration summary. json (default): the Summary of the spec; md: a Markdown
report for review; html: a self-contained HTML report; csv: a framework matrix, one row per practice,
columns by construct (default), code, level or assessment; --presence turns counts into 0/1;
--by segment: one row per coded segment and code (file, line, practice, date, participants, constructs,
code, text and the practice's attributes), as GET /api/segments.csv; --by cooccurrence: how many coded
segments carry each pair of codes, as GET /api/cooccurrence.csv.
Framework matrices (csv, as GET /api/matrix.csv): --rows practice|participant|type|month|practice.ATTR|
participant.ATTR (default practice); --count notes|segments (default notes; segments with --by code or
construct); --rollup (with --by code: a code's cell counts it and every code below it); note filters
--practice ID, --participant ID, --type T, --from D, --to D, --practice.ATTR V, --participant.ATTR V.
--by, --presence and the matrix options apply only to --format csv.
--as-of YYYY-MM-DD: everything computed over the notes dated on or before that day.
Writes to standard output unless --out FILE is given: FILE is replaced whole (never a file of the study),
and its folder is created when it lies inside the study or the current folder. Exit status 0, or 2.`,
  query: QUERY_HELP,
  serve: `fieldnotes serve [PATH] [--port N] [--host H]

Starts the local HTTP server for the study (default 127.0.0.1:4319) and prints its URL. It serves the
HTML report at / and the JSON API under /api. Binds to loopback unless --host is given.`,
  lsp: `fieldnotes lsp --stdio

Runs the fieldnotes language server on standard input and output, for any LSP client.`,
  new: `fieldnotes new --practice ID [--type T] [--date YYYY-MM-DD] [--observer X] [PATH]

Creates notes/<practice>/<date>-<type>.md from the template (the study's templates/ folder overrides the
built-in templates). The date defaults to today, the type to observation. Never overwrites: '-2', '-3'…
is added before '.md' when the name is taken. Prints the new file's path. The note is written whole or not
at all, and never outside the study (a notes folder that is a symbolic link elsewhere is refused).
Exit status 0, or 2.`,
  init: `fieldnotes init [DIR]

Creates a study skeleton in DIR (default: the current folder): fieldnotes.yaml, codebook.yaml, notes/,
and a .gitignore for .fieldnotes/ and node_modules/ unless DIR has one. Never overwrites an existing
file; refuses inside an existing study. Exit status 0, or 2.`,
  diff: DIFF_HELP,
  agree: AGREE_HELP,
};

class UsageError extends Error {}

/** A problem with the environment, not a bug (a path that does not exist, a port in use): one line, exit 2. */
class CliError extends Error {}

const VERSION = "0.1.0";

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

type Options = NonNullable<ParseArgsConfig["options"]>;

function parse<T extends Options>(command: string, argv: string[], options: T) {
  try {
    const all = { ...options, help: { type: "boolean" as const, short: "h" } };
    const parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP[command]}`);
  }
}

/** The one PATH argument, resolved; a PATH that does not exist is a one-line error (not "no study"). */
function onePath(positionals: string[], command: string, mustExist = true): string {
  if (positionals.length > 1) throw new UsageError(`Too many arguments: ${positionals.slice(1).join(" ")}\n\n${HELP[command]}`);
  const path = resolve(positionals[0] ?? ".");
  if (mustExist && !lstatSync(path, { throwIfNoEntry: false })) throw new CliError(`${positionals[0]} does not exist.`);
  return path;
}

export async function main(argv: string[], io: Out = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return await check(rest, io);
      case "report":
        return await report(rest, io);
      case "query":
        return await query(rest, io);
      case "serve":
        return await serve(rest, io);
      case "lsp":
        return await lsp(rest);
      case "new":
        return newNote(rest, io);
      case "init":
        return init(rest, io);
      case "export":
        return await (await import("./export.js")).exportCommand(rest, io);
      case "import":
        return await (await import("./import.js")).importCommand(rest, io);
      case "diff":
        return await diffCommand(rest, io);
      case "agree":
        return await agreeCommand(rest, io);
      case "--version":
      case "-v":
        io.out(VERSION + "\n");
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        io.err(`fieldnotes: unknown command '${command}'.\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof AnalysisUsageError) {
      io.err(`fieldnotes ${command}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof NotAStudyError || err instanceof GitError) {
      io.err(`fieldnotes: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliError || err instanceof WriteError || err instanceof NestedStudyError || (err as Error).name === "ListenError") {
      io.err(`fieldnotes ${command}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

function formatLine(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.rule}: ${d.message}`;
}

/** Opens the study, printing config problems; returns undefined (exit 2) when the config is unusable. */
async function openStudy(path: string, noCache: boolean, io: Out): Promise<Study | undefined> {
  const study = await Study.open(path, { cache: !noCache });
  for (const w of study.warnings) io.err(w + "\n");
  if (study.configDiagnostics.length || !study.config) {
    const file = relative(process.cwd(), join(study.root, "fieldnotes.yaml")) || "fieldnotes.yaml";
    for (const d of study.configDiagnostics) io.err(formatLine(file, d) + "\n");
    io.err("fieldnotes: the study configuration is invalid; fix fieldnotes.yaml first.\n");
    return undefined;
  }
  return study;
}

async function check(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse("check", argv, {
    format: { type: "string", default: "text" },
    "max-warnings": { type: "string" },
    "no-cache": { type: "boolean" },
    staged: { type: "boolean" },
  });
  if (values.help) return io.out(HELP.check + "\n"), 0;
  const format = values.format as string;
  if (!(CHECK_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${CHECK_FORMATS.join(", ")}, not '${format}'.`);
  let maxWarnings: number | undefined;
  if (values["max-warnings"] !== undefined) {
    maxWarnings = Number(values["max-warnings"]);
    if (!/^\d+$/.test(values["max-warnings"] as string)) throw new UsageError("--max-warnings takes a whole number.");
  }
  const staged = values.staged ? await openStaged(onePath(positionals, "check"), { cache: !values["no-cache"] }) : undefined;
  const study = staged?.study ?? (await Study.open(onePath(positionals, "check"), { cache: !values["no-cache"] }));
  staged?.close();
  for (const w of study.warnings) io.err(w + "\n");
  // Paths as the user sees them: staged files are shown where they live in the working tree.
  const shownPath = (file: string) => relative(process.cwd(), join(staged?.displayRoot ?? study.root, file)).split("\\").join("/") || file;
  const report: DiagnosticsReport = study.diagnosticsReport();
  if (format === "json") io.out(JSON.stringify(report, null, 2) + "\n");
  else if (format === "github" || format === "sarif") io.out(renderCheckFormat(format, report, shownPath, VERSION));
  else {
    const lines: string[] = [];
    for (const f of report.files) {
      const shown = shownPath(f.file);
      for (const d of f.diagnostics) lines.push(formatLine(shown, d));
    }
    const { error, warning, information } = report.counts;
    const notes = study.notes.size;
    lines.push(`${plural(notes, "note")} checked: ${plural(error, "error")}, ${plural(warning, "warning")}, ${information} information.`);
    io.out(lines.join("\n") + "\n");
  }
  if (study.configDiagnostics.length) return 2;
  if (report.counts.error > 0) return 1;
  if (maxWarnings !== undefined && report.counts.warning > maxWarnings) {
    if (format === "text") io.err(`fieldnotes: ${plural(report.counts.warning, "warning")} ${report.counts.warning === 1 ? "exceeds" : "exceed"} --max-warnings ${maxWarnings}.\n`);
    return 1;
  }
  return 0;
}

async function report(argv: string[], io: Out): Promise<number> {
  // Matrix parameters and filters (SPEC 12.3) travel as name/value pairs, checked against the study.
  const split = splitFilterArgs(argv, { format: "string", by: "string", presence: "boolean", out: "string", "no-cache": "boolean", rollup: "boolean", "as-of": "string" });
  const { values, positionals } = parse("report", split.rest, {
    format: { type: "string", default: "json" },
    by: { type: "string" },
    presence: { type: "boolean" },
    rollup: { type: "boolean" },
    out: { type: "string" },
    "no-cache": { type: "boolean" },
    "as-of": { type: "string" },
  });
  const analysis: [string, string][] = [...(values.rollup ? [["rollup", "1"] as [string, string]] : []), ...split.pairs];
  if (values.help) return io.out(HELP.report + "\n"), 0;
  const asOf = values["as-of"] as string | undefined;
  if (asOf !== undefined && asOfProblem(asOf)) throw new UsageError(`--as-of: ${asOfProblem(asOf)}`);
  const format = values.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")}, not '${format}'.`);
  const by = (values.by ?? "construct") as ReportBy;
  if (!REPORT_BY.includes(by)) throw new UsageError(`--by must be one of ${REPORT_BY.join(", ")}, not '${by}'.`);
  // Options that shape only the CSV: given with another format they would be silently ignored.
  if (format !== "csv") {
    const given = [values.by !== undefined && `--by ${by}`, values.presence && "--presence"].filter(Boolean);
    if (given.length) throw new UsageError(`${given.join(" and ")} ${given.length === 1 ? "applies" : "apply"} only to --format csv (the format is ${format}).`);
    if (analysis.length) throw new UsageError(`--${analysis[0][0]} shapes a framework matrix: use it with --format csv.`);
  }
  if (by === "segment" && values.presence) throw new UsageError("--presence applies to the framework matrix, not to --by segment.");
  if (analysis.length && by === "segment") throw new UsageError(`--${analysis[0][0]} does not apply to --by segment; use 'fieldnotes query' to select segments.`);
  const study = await openStudy(onePath(positionals, "report"), !!values["no-cache"], io);
  if (!study) return 2;
  const out = values.out === undefined ? undefined : reportTarget(values.out as string, study);
  // Written with --out, links to notes are relative to the written file (SPEC 12.5).
  const outDir = out ? dirname(out) : undefined;
  const href = outDir ? (file: string, line?: number) => relativeHref(outDir, join(study.root, file)) + (line ? `#L${line}` : "") : undefined;
  const body = await renderReport(asOf ? studyAsOf(study, asOf) : study, { format, by, presence: !!values.presence, analysis, href });
  if (out) {
    writeReplacing(out, body, values.out as string);
    io.err(`fieldnotes: wrote ${values.out}\n`);
  } else io.out(body);
  return 0;
}

/**
 * Where `report --out FILE` writes. A missing folder is created when it lies inside the study or the
 * current folder, else it is an error in words; a file the study reads (its configuration, codebook,
 * a note) is never replaced; any other existing file is replaced whole (safewrite.ts).
 */
function reportTarget(given: string, study: Study): string {
  if (!given) throw new UsageError("--out needs a file name.");
  const path = resolve(given);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    throw new CliError(`cannot write ${given}: ${reason((err as NodeJS.ErrnoException).code)}.`);
  }
  if (st?.isDirectory()) throw new CliError(`cannot write ${given}: it is a folder; give a file name.`);
  const real = realPathOf(path);
  const own = [join(study.root, "fieldnotes.yaml"), study.config?.codebook ? join(study.root, study.config.codebook) : "", ...[...study.notes.keys()].map((f) => join(study.root, f))];
  if (st && own.some((f) => f && realPathOf(f) === real)) throw new CliError(`refusing to write ${given}: it is a file of the study, not a report.`);
  const dir = dirname(path);
  if (!existsSync(dir)) {
    if (!isInside(study.root, dir) && !isInside(process.cwd(), dir)) {
      throw new CliError(`cannot write ${given}: the folder ${relative(process.cwd(), dir).startsWith("..") ? dir : relative(process.cwd(), dir)} does not exist (fieldnotes creates missing folders only inside the study or the current folder).`);
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new CliError(`cannot create the folder of ${given}: ${reason((err as NodeJS.ErrnoException).code)}.`);
    }
  }
  return path;
}

async function serve(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse("serve", argv, {
    port: { type: "string", default: "4319" },
    host: { type: "string", default: "127.0.0.1" },
    "no-cache": { type: "boolean" },
  });
  if (values.help) return io.out(HELP.serve + "\n"), 0;
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port as string) || port > 65535) throw new UsageError(`--port must be a port number, not '${values.port}'.`);
  const study = await openStudy(onePath(positionals, "serve"), !!values["no-cache"], io);
  if (!study) return 2;
  const { startServer } = await import("../http/serve.js");
  await startServer({ study, port, host: values.host as string, log: (s: string) => io.err(s + "\n"), print: (s: string) => io.out(s + "\n") });
  return new Promise<number>(() => {}); // runs until stopped
}

async function lsp(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP.lsp + "\n");
    return 0;
  }
  const { runLanguageServer } = await import("../lsp/main.js");
  runLanguageServer();
  return new Promise<number>(() => {}); // the connection ends the process on exit
}

function newNote(argv: string[], io: Out): number {
  const { values, positionals } = parse("new", argv, {
    practice: { type: "string" },
    type: { type: "string" },
    date: { type: "string" },
    observer: { type: "string" },
  });
  if (values.help) return io.out(HELP.new + "\n"), 0;
  if (!values.practice) throw new UsageError(`--practice is required.\n\n${HELP.new}`);
  const start = onePath(positionals, "new");
  const root = findStudyRoot(start);
  if (!root) throw new NotAStudyError(start);
  const { config, diagnostics } = loadConfig(root);
  if (!config) {
    for (const d of diagnostics) io.err(formatLine("fieldnotes.yaml", d) + "\n");
    return 2;
  }
  if (!config.practices.some((p) => p.id === values.practice)) {
    const ids = config.practices.map((p) => p.id);
    const near = closest(values.practice as string, ids);
    io.err(`fieldnotes new: '${values.practice}' is not a practice in fieldnotes.yaml.${near.length ? didYouMean(near) : ` Practices: ${ids.join(", ")}.`}\n`);
    return 2;
  }
  try {
    const { path } = createNote({
      root,
      practice: values.practice as string,
      type: values.type as string | undefined,
      date: values.date as string | undefined,
      observer: values.observer as string | undefined,
      types: config.types,
      npt: config.integration !== null,
    });
    io.out(relative(process.cwd(), path) + "\n");
    return 0;
  } catch (err) {
    io.err(`fieldnotes new: ${shownMessage(err as Error)}\n`);
    return 2;
  }
}

function init(argv: string[], io: Out): number {
  const { values, positionals } = parse("init", argv, { name: { type: "string" } });
  if (values.help) return io.out(HELP.init + "\n"), 0;
  const dir = onePath(positionals, "init", false); // a missing DIR is created
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) throw new CliError(`cannot create a study in ${positionals[0]}: it is a file, not a folder.`);
  try {
    const written = initStudy(dir, values.name as string | undefined);
    io.out(written.map((f) => relative(process.cwd(), join(dir, f)) || f).join("\n") + "\n");
    return 0;
  } catch (err) {
    io.err(`fieldnotes init: ${shownMessage(err as Error)}\n`);
    return 2;
  }
}

/** An error's one-line message with the path it names made relative to the current folder. */
function shownMessage(err: Error): string {
  if (err instanceof WriteError && err.path) return err.message.split(err.path).join(relative(process.cwd(), err.path) || err.path);
  if (err instanceof NestedStudyError) return err.message;
  if (err instanceof Error && !(err as NodeJS.ErrnoException).code) return err.message;
  // An unexpected file-system error (EACCES on a folder, ENOTDIR…): still one line, in words.
  const e = err as NodeJS.ErrnoException;
  return `${e.path ? `${relative(process.cwd(), e.path) || e.path}: ` : ""}${reason(e.code)}.`;
}
