// The `fieldnotes` command (SPEC section 7): a thin view on the notes core.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { relative, resolve, join } from "node:path";
import { writeFileSync } from "node:fs";
import { Study, NotAStudyError } from "../core/study.js";
import { findStudyRoot } from "../core/files.js";
import { loadConfig } from "../core/config.js";
import { createNote, initStudy } from "../core/newnote.js";
import type { Diagnostic, DiagnosticsReport } from "../core/types.js";
import { renderReport, REPORT_FORMATS, REPORT_BY, type ReportFormat, type ReportBy } from "../report/index.js";
import { CHECK_FORMATS, renderCheckFormat } from "./formats.js";
import { GitError, openStaged } from "../core/git/revision.js";
import { asOfProblem, studyAsOf } from "../core/history.js";
import { DIFF_HELP, diffCommand } from "./diff.js";
import { AGREE_HELP, agreeCommand } from "./agree.js";

const USAGE = `fieldnotes: check, report on and edit qualitative field notes (Markdown + YAML, NPT).

Usage:
  fieldnotes check [PATH] [--format text|json|github|sarif] [--staged] [--max-warnings N] [--no-cache]
  fieldnotes report [PATH] [--format json|md|html|csv] [--by construct|code|level|assessment|segment] [--presence] [--as-of DATE] [--out FILE]
  fieldnotes serve [PATH] [--port N] [--host H]
  fieldnotes lsp --stdio
  fieldnotes new --practice ID [--type T] [--date YYYY-MM-DD] [--observer X] [PATH]
  fieldnotes init [DIR]
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
--by segment: one row per coded segment and code (file, line, practice, date, constructs, code, text and
the practice's attributes), as GET /api/segments.csv.
--as-of YYYY-MM-DD: everything computed over the notes dated on or before that day.
Writes to standard output unless --out FILE is given. Exit status 0, or 2.`,
  serve: `fieldnotes serve [PATH] [--port N] [--host H]

Starts the local HTTP server for the study (default 127.0.0.1:4319) and prints its URL. It serves the
HTML report at / and the JSON API under /api. Binds to loopback unless --host is given.`,
  lsp: `fieldnotes lsp --stdio

Runs the fieldnotes language server on standard input and output, for any LSP client.`,
  new: `fieldnotes new --practice ID [--type T] [--date YYYY-MM-DD] [--observer X] [PATH]

Creates notes/<practice>/<date>-<type>.md from the template (the study's templates/ folder overrides the
built-in templates). The date defaults to today, the type to observation. Never overwrites: '-2', '-3'…
is added before '.md' when the name is taken. Prints the new file's path. Exit status 0, or 2.`,
  init: `fieldnotes init [DIR]

Creates a study skeleton in DIR (default: the current folder): fieldnotes.yaml, codebook.yaml, notes/.
Never overwrites an existing file. Exit status 0, or 2.`,
  diff: DIFF_HELP,
  agree: AGREE_HELP,
};

class UsageError extends Error {}

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

function onePath(positionals: string[], command: string): string {
  if (positionals.length > 1) throw new UsageError(`Too many arguments: ${positionals.slice(1).join(" ")}\n\n${HELP[command]}`);
  return resolve(positionals[0] ?? ".");
}

export async function main(argv: string[], io: Out = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return await check(rest, io);
      case "report":
        return await report(rest, io);
      case "serve":
        return await serve(rest, io);
      case "lsp":
        return await lsp(rest);
      case "new":
        return newNote(rest, io);
      case "init":
        return init(rest, io);
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
    if (err instanceof UsageError) {
      io.err(`fieldnotes ${command}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof NotAStudyError || err instanceof GitError) {
      io.err(`fieldnotes: ${err.message}\n`);
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
    lines.push(`${notes} note${notes === 1 ? "" : "s"} checked: ${error} error${error === 1 ? "" : "s"}, ${warning} warning${warning === 1 ? "" : "s"}, ${information} information.`);
    io.out(lines.join("\n") + "\n");
  }
  if (study.configDiagnostics.length) return 2;
  if (report.counts.error > 0) return 1;
  if (maxWarnings !== undefined && report.counts.warning > maxWarnings) {
    if (format === "text") io.err(`fieldnotes: ${report.counts.warning} warnings exceed --max-warnings ${maxWarnings}.\n`);
    return 1;
  }
  return 0;
}

async function report(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse("report", argv, {
    format: { type: "string", default: "json" },
    by: { type: "string", default: "construct" },
    presence: { type: "boolean" },
    out: { type: "string" },
    "no-cache": { type: "boolean" },
    "as-of": { type: "string" },
  });
  if (values.help) return io.out(HELP.report + "\n"), 0;
  const asOf = values["as-of"] as string | undefined;
  if (asOf !== undefined && asOfProblem(asOf)) throw new UsageError(`--as-of: ${asOfProblem(asOf)}`);
  const format = values.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")}, not '${format}'.`);
  const by = values.by as ReportBy;
  if (!REPORT_BY.includes(by)) throw new UsageError(`--by must be one of ${REPORT_BY.join(", ")}, not '${by}'.`);
  if (by === "segment" && format !== "csv") throw new UsageError("--by segment is a CSV export: use it with --format csv.");
  const study = await openStudy(onePath(positionals, "report"), !!values["no-cache"], io);
  if (!study) return 2;
  const body = await renderReport(asOf ? studyAsOf(study, asOf) : study, { format, by, presence: !!values.presence });
  if (values.out) {
    try {
      writeFileSync(resolve(values.out as string), body);
    } catch (err) {
      io.err(`fieldnotes report: cannot write ${values.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 2;
    }
    io.err(`fieldnotes: wrote ${values.out}\n`);
  } else io.out(body);
  return 0;
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
    io.err(`fieldnotes new: '${values.practice}' is not a practice in fieldnotes.yaml (${config.practices.map((p) => p.id).join(", ")}).\n`);
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
    });
    io.out(relative(process.cwd(), path) + "\n");
    return 0;
  } catch (err) {
    io.err(`fieldnotes new: ${(err as Error).message}\n`);
    return 2;
  }
}

function init(argv: string[], io: Out): number {
  const { values, positionals } = parse("init", argv, { name: { type: "string" } });
  if (values.help) return io.out(HELP.init + "\n"), 0;
  const dir = onePath(positionals, "init");
  try {
    const written = initStudy(dir, values.name as string | undefined);
    io.out(written.map((f) => relative(process.cwd(), join(dir, f)) || f).join("\n") + "\n");
    return 0;
  } catch (err) {
    io.err(`fieldnotes init: ${(err as Error).message}\n`);
    return 2;
  }
}
