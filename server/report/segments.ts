// Renderings of retrieved coded segments (SPEC 12.2): text lines, JSON, CSV and the Markdown "code report".
import type { Codebook, CodedSegment } from "../core/types.js";
import { textCell, csvRows } from "./csv.js";
import { mdText } from "./markdown.js";

export const QUERY_FORMATS = ["text", "json", "csv", "md"] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** `{"total","segments"}`, as GET /api/segments returns it (here with every segment). */
export function segmentsJson(segments: CodedSegment[]): string {
  return JSON.stringify({ total: segments.length, segments }, null, 2) + "\n";
}

/** One line per segment: `file:line: practice date [codes] text` (the text on one line). */
export function segmentsText(segments: CodedSegment[]): string {
  return segments.map((s) => `${s.file}:${s.line}: ${s.practice} ${s.date} [${s.codes.join(", ")}] ${oneLine(s.text)}\n`).join("");
}

const QUERY_COLUMNS = ["file", "line", "date", "practice", "type", "observer", "participants", "codes", "constructs", "text"];

/** One row per segment, columns of SPEC 12.2, lists joined with `;`, text cells guarded. */
export function segmentsQueryCsv(segments: CodedSegment[]): string {
  const lines: string[][] = [QUERY_COLUMNS];
  for (const s of segments) {
    lines.push([
      textCell(s.file),
      String(s.line),
      s.date,
      textCell(s.practice),
      textCell(s.type ?? ""),
      textCell(s.observer ?? ""),
      textCell(s.participants.join(";")),
      textCell(s.codes.join(";")),
      s.constructs.join(";"),
      textCell(s.text),
    ]);
  }
  return csvRows(lines);
}

export interface CodeReportOptions {
  /** The link destination of a note line (default: the root-relative path with `#L<line>`). */
  href?: (file: string, line: number) => string;
  /** A heading line above the sections (e.g. the study and the filters). */
  title?: string;
}

/** The default link: the root-relative path, each part percent-encoded, then `#L<line>`. */
export function noteHref(file: string, line: number): string {
  return file.split("/").map(encodeURIComponent).join("/") + `#L${line}`;
}

/**
 * The code report: one section per code (codebook order) carried by the segments, holding those
 * segments as block quotes, each headed by practice, date, type, participants and a `file:line` link.
 * A segment with two codes appears under both.
 */
export function segmentsMarkdown(segments: CodedSegment[], codebook: Codebook, options: CodeReportOptions = {}): string {
  const href = options.href ?? noteHref;
  const byCode = new Map<string, CodedSegment[]>();
  for (const s of segments) for (const c of s.codes) (byCode.get(c) ?? byCode.set(c, []).get(c)!).push(s);
  const order = [...codebook.order.filter((id) => byCode.has(id)), ...[...byCode.keys()].filter((id) => !codebook.codes.has(id)).sort()];
  const out: string[] = [`# ${options.title ? mdText(options.title) : "Code report"}`, ""];
  out.push(`${segments.length} coded segment${segments.length === 1 ? "" : "s"}${order.length ? `, ${order.length} code${order.length === 1 ? "" : "s"}` : ""}.`, "");
  for (const id of order) {
    const entry = codebook.codes.get(id);
    const list = byCode.get(id)!;
    out.push(`## ${mdText(entry?.label ?? id)} (\`${id}\`)`, "");
    if (entry?.description) out.push(mdText(entry.description), "");
    out.push(`${list.length} segment${list.length === 1 ? "" : "s"}.`, "");
    for (const s of list) {
      const meta = [mdText(s.practice), s.date, s.type ? mdText(s.type) : "", s.participants.length ? s.participants.map(mdText).join(", ") : ""].filter(Boolean);
      out.push(`**${meta.join(" · ")}**, [${mdText(s.file)}:${s.line}](${href(s.file, s.line)})`, "");
      out.push(...s.text.split(/\r\n|\r|\n/).map((l) => `> ${mdText(l)}`), "");
    }
  }
  return out.join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*(\r\n|\r|\n)\s*/g, " ");
}
