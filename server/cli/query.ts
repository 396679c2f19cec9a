// `fieldnotes query` (SPEC 12.2): the coded segments that pass the filters, as text, JSON, CSV or the
// Markdown code report. Also the splitting of filter options shared with `fieldnotes report`.
import { parseArgs } from "node:util";
import { dirname, relative, resolve, join } from "node:path";
import { writeFileSync } from "node:fs";
import { Study } from "../core/study.js";
import { AnalysisUsageError, parseFilters } from "../core/analysis/filters.js";
import { querySegments } from "../core/analysis/retrieval.js";
import { QUERY_FORMATS, segmentsJson, segmentsMarkdown, segmentsQueryCsv, segmentsText, type QueryFormat } from "../report/segments.js";

export const QUERY_HELP = `fieldnotes query [PATH] [FILTERS] [--format text|json|csv|md] [--out FILE] [--no-cache]

Prints the coded segments of the study's included notes that pass the filters, sorted by date, file and
line. Filters (each may be given several times: any of its values matches; different filters must all match):
  --code ID            segments carrying code ID inline
  --under ID           segments carrying ID or any code below it in the codebook
  --construct C        segments carrying a code mapped to core construct C
  --text WORDS         segments whose text contains WORDS (ignoring case)
  --practice ID, --participant ID, --type T (unspecified: no type)
  --from YYYY-MM-DD, --to YYYY-MM-DD
  --practice.ATTR V, --participant.ATTR V   e.g. --practice.training true, --participant.role gp
Formats: text (default; 'file:line: practice date [codes] text'), json ({"total","segments"}, as
GET /api/segments), csv (one row per segment), md (a code report: one section per code, the segments
as block quotes with practice, date, type, participants and a link to the note line).
Exit status 0 (also when nothing matches), 2 on a usage error.`;

type Out = { out: (s: string) => void; err: (s: string) => void };

/**
 * Separates filter options (`--NAME VALUE` or `--NAME=VALUE`, any NAME that is not one of `own`) from
 * the command's own arguments. Unknown filter names are kept as pairs, so that parseFilters names them.
 * Throws AnalysisUsageError for a filter without a value.
 */
export function splitFilterArgs(argv: string[], own: Record<string, "string" | "boolean">): { rest: string[]; pairs: [string, string][] } {
  const rest: string[] = [];
  const pairs: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (!a.startsWith("--") || a.length === 2) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (name in own || name === "help") {
      rest.push(a);
      if (own[name] === "string" && eq === -1 && i + 1 < argv.length) rest.push(argv[++i]);
      continue;
    }
    if (eq !== -1) pairs.push([name, a.slice(eq + 1)]);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) pairs.push([name, argv[++i]]);
    else throw new AnalysisUsageError(`--${name} needs a value.`);
  }
  return { rest, pairs };
}

const OWN = { format: "string", out: "string", "no-cache": "boolean" } as const;

export async function query(argv: string[], io: Out): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  let pairs: [string, string][];
  try {
    const split = splitFilterArgs(argv, OWN);
    pairs = split.pairs;
    const parsed = parseArgs({
      args: split.rest,
      options: { format: { type: "string", default: "text" }, out: { type: "string" }, "no-cache": { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (err) {
    io.err(`fieldnotes query: ${(err as Error).message}\n\n${QUERY_HELP}\n`);
    return 2;
  }
  if (values.help) return io.out(QUERY_HELP + "\n"), 0;
  const format = values.format as QueryFormat;
  if (!QUERY_FORMATS.includes(format)) {
    io.err(`fieldnotes query: --format must be one of ${QUERY_FORMATS.join(", ")}, not '${format}'.\n`);
    return 2;
  }
  if (positionals.length > 1) {
    io.err(`fieldnotes query: Too many arguments: ${positionals.slice(1).join(" ")}\n\n${QUERY_HELP}\n`);
    return 2;
  }
  const study = await Study.open(resolve(positionals[0] ?? "."), { cache: !values["no-cache"] });
  if (!study.config || study.configDiagnostics.length) {
    const file = relative(process.cwd(), join(study.root, "fieldnotes.yaml")) || "fieldnotes.yaml";
    for (const d of study.configDiagnostics) io.err(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.rule}: ${d.message}\n`);
    io.err("fieldnotes: the study configuration is invalid; fix fieldnotes.yaml first.\n");
    return 2;
  }
  let filters;
  try {
    filters = parseFilters(pairs, { config: study.config, codebook: study.codebook });
  } catch (err) {
    if (err instanceof AnalysisUsageError) {
      io.err(`fieldnotes query: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const segments = querySegments(study, filters);
  const outPath = values.out ? resolve(values.out as string) : undefined;
  let body: string;
  switch (format) {
    case "json":
      body = segmentsJson(segments);
      break;
    case "csv":
      body = segmentsQueryCsv(segments);
      break;
    case "md": {
      // Links point at the note files relative to where the report is read: the written file, or the current folder.
      const base = outPath ? dirname(outPath) : process.cwd();
      const href = (file: string, line: number) => relativeHref(base, join(study.root, file)) + `#L${line}`;
      body = segmentsMarkdown(segments, study.codebook, { href, title: `Code report: ${study.config.study}` });
      break;
    }
    default:
      body = segmentsText(segments);
  }
  if (outPath) {
    try {
      writeFileSync(outPath, body);
    } catch (err) {
      io.err(`fieldnotes query: cannot write ${values.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 2;
    }
    io.err(`fieldnotes: wrote ${values.out} (${segments.length} segment${segments.length === 1 ? "" : "s"})\n`);
  } else io.out(body);
  return 0;
}

/** A relative link from folder `base` to file `abs`, `/`-separated, each part percent-encoded. */
export function relativeHref(base: string, abs: string): string {
  return relative(base, abs).split(/[\\/]/).map(encodeURIComponent).join("/");
}
