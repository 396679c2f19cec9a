// The Markdown report: for review in a pull request or on a git host. Deterministic: the same notes,
// config and codebook give the same bytes (no timestamp inside), so a committed report diffs cleanly.
import type { Codebook, Summary, PracticeSummary, AttributeComparison } from "../core/types.js";
import type { Theme } from "./themes.js";
import { changesByDate } from "./trajectory.js";
import { CONSTRUCTS, LEVELS, ASSESSMENT_SYMBOL, INTEGRATION_SYMBOL, INTEGRATION_WORDS, constructTitle, num, ruleWords } from "./util.js";
import { plural } from "../core/plural.js";

/** Escapes text from notes or config for a Markdown table cell or line: no markup, no HTML, no `|`. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]<>|#~!&]/g, (c) => `\\${c}`)
    .replace(/^([-+=>])/, "\\$1");
}

/** Where a link to a study file (and a line) points: root-relative by default (SPEC 12.5). */
export type MdHref = (file: string, line?: number) => string;
const rootHref: MdHref = (file, line) => file.split("/").map(encodeURIComponent).join("/") + (line ? `#L${line}` : "");

/** A link to a study file, its text escaped, its destination percent-encoded. */
function fileLink(file: string, line?: number, href: MdHref = rootHref): string {
  return `[${mdText(file)}${line ? `:${line}` : ""}](${href(file, line)})`;
}

export interface MarkdownOptions {
  /** The themes part (codes in use and their segments by practice); left out when absent. */
  themes?: Theme[];
  href?: MdHref;
  /** Excerpts per code and practice in the themes part (default 20). */
  themeCap?: number;
}

function table(head: string[], align: ("l" | "r" | "c")[], body: string[][]): string[] {
  const sep = align.map((a) => (a === "r" ? "---:" : a === "c" ? ":---:" : "---"));
  return [`| ${head.join(" | ")} |`, `| ${sep.join(" | ")} |`, ...body.map((r) => `| ${r.join(" | ")} |`)];
}

function assessmentCell(p: PracticeSummary, c: string): string {
  const k = p.constructs[c];
  if (k.assessment === null) return "– not assessed";
  return `${ASSESSMENT_SYMBOL[k.assessment] ?? ""} ${k.assessment} (${k.assessedOn})`;
}

function practiceLabel(p: PracticeSummary): string {
  return p.name ? `${mdText(p.id)} (${mdText(p.name)})` : mdText(p.id);
}

function comparison(a: AttributeComparison | undefined): string {
  if (!a) return "–";
  if ("mean" in a && "min" in a && "max" in a && typeof a.mean === "number") return `mean ${num(a.mean)} (${num(a.min as number)}–${num(a.max as number)})`;
  return Object.entries(a)
    .map(([k, v]) => `${mdText(k)}: ${v}`)
    .join(", ");
}

export function renderMarkdown(summary: Summary, codebook: Codebook, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  const t = summary.totals;
  const count = (kind: PracticeSummary["integration"]) => summary.practices.filter((p) => p.integration === kind).length;
  out.push(`# ${summary.rule ? "Integration summary" : "Study summary"}: ${mdText(summary.study)}`, "");
  const rule = summary.rule;
  if (!rule) {
    // `integration: false` (SPEC section 11): no integration table and no group comparison.
    out.push(`${t.notes} notes: ${t.included} included, ${t.excluded} excluded (errors). ${t.practices} practices.`, "");
    out.push(...matrixAndAfter(summary, codebook, options));
    return out.join("\n");
  }
  out.push(
    `${plural(t.notes, "note")}: ${t.included} included, ${t.excluded} excluded (errors). ${plural(t.practices, "practice")}: ` +
      `${count("full")} fully integrated, ${count("partial")} partially integrated, ${count("unassessed")} not yet assessed.`,
    "",
  );
  out.push(mdText(ruleWords(rule)), "");
  out.push("Assessments: ● full, ◐ partial, ○ absent, – not assessed (the latest assessment in the notes, with its date).", "");

  out.push("## Integration", "");
  out.push(
    ...table(
      ["Practice", "Notes", ...CONSTRUCTS.map(constructTitle), ...LEVELS.map((l) => `${l[0].toUpperCase()}${l.slice(1)} level`), "Integration", "Reasons"],
      ["l", "r", ...CONSTRUCTS.map(() => "l" as const), ...LEVELS.map(() => "r" as const), "l", "l"],
      summary.practices.map((p) => [
        practiceLabel(p),
        String(p.notes),
        ...CONSTRUCTS.map((c) => assessmentCell(p, c)),
        ...LEVELS.map((l) => String(p.levels[l] ?? 0)),
        `${INTEGRATION_SYMBOL[p.integration!]} ${p.integration}`,
        p.reasons.length ? p.reasons.map(mdText).join("; ") : "–",
      ]),
    ),
    "",
  );

  const warnings = summary.practices.flatMap((p) => p.warnings.map((w) => `- **${mdText(p.id)}**: ${mdText(w)}`));
  if (warnings.length) out.push("### Judgements without evidence", "", ...warnings, "");

  const changes = changesByDate(summary, mdText);
  if (changes.length) {
    out.push("## Changes by date", "", "Every assessment and every change of a practice's classification, in date order.", "");
    out.push(...table(["Date", "Practice", "Change", "Note"], ["l", "l", "l", "l"], changes), "");
  }

  out.push("## Groups compared", "");
  out.push("Attributes of the practices in each group (numbers: mean, with minimum–maximum; other values: how many practices have each).", "");
  const groups = (["full", "partial", "unassessed"] as const).map((g) => ({ g, group: summary.groups[g]! }));
  const names: string[] = [];
  for (const p of summary.practices) for (const k of Object.keys(p.attributes)) if (!names.includes(k)) names.push(k);
  out.push(
    ...table(
      ["", ...groups.map(({ g }) => INTEGRATION_WORDS[g])],
      ["l", ...groups.map(() => "l" as const)],
      [
        ["Practices", ...groups.map(({ group }) => `${group.practices.length}${group.practices.length ? `: ${group.practices.map(mdText).join(", ")}` : ""}`)],
        ...names.map((n) => [mdText(n), ...groups.map(({ group }) => (group.practices.length ? comparison(group.attributes[n]) : "–"))]),
      ],
    ),
    "",
  );
  out.push(...matrixAndAfter(summary, codebook, options));
  return out.join("\n");
}

/** The parts every study gets: the framework matrix, codes, notes by practice, excluded notes. */
function matrixAndAfter(summary: Summary, codebook: Codebook, options: MarkdownOptions): string[] {
  const out: string[] = [];
  // A study without NPT (integration: false, no npt anywhere) has nothing to show by construct.
  const anyConstruct = summary.practices.some((p) => Object.values(p.constructs).some((c) => c.notes > 0 || c.codedSegments > 0));
  if (summary.rule || anyConstruct) {
    out.push("## Framework matrix", "", "Included notes naming each construct (or one of its sub-constructs) in `npt`, and segments coded with a code that maps to it.", "");
    out.push(
      ...table(
        ["Practice", ...CONSTRUCTS.map((c) => `${constructTitle(c)} (notes / coded segments)`)],
        ["l", ...CONSTRUCTS.map(() => "r" as const)],
        summary.practices.map((p) => [mdText(p.id), ...CONSTRUCTS.map((c) => `${p.constructs[c].notes} / ${p.constructs[c].codedSegments}`)]),
      ),
      "",
    );
  }

  out.push("## Codes", "", "Notes per practice where each code appears (frontmatter or inline), in codebook order.", "");
  out.push(
    ...table(
      ["Code", "Label", "NPT", ...summary.practices.map((p) => mdText(p.id)), "Total"],
      ["l", "l", "l", ...summary.practices.map(() => "r" as const), "r"],
      codebook.order.map((id) => {
        const entry = codebook.codes.get(id);
        const counts = summary.practices.map((p) => p.codes[id]?.notes ?? 0);
        return [
          `${mdText(id)}${entry?.deprecated ? " (deprecated)" : ""}`,
          mdText(entry?.label ?? ""),
          mdText(entry?.npt ?? ""),
          ...counts.map(String),
          String(counts.reduce((a, b) => a + b, 0)),
        ];
      }),
    ),
    "",
  );

  const types: string[] = [];
  for (const p of summary.practices) for (const k of Object.keys(p.byType)) if (!types.includes(k)) types.push(k);
  types.sort();
  out.push("## Notes by practice", "");
  out.push(
    ...table(
      ["Practice", "Notes", "First", "Last", ...types.map(mdText)],
      ["l", "r", "l", "l", ...types.map(() => "r" as const)],
      summary.practices.map((p) => [mdText(p.id), String(p.notes), p.firstDate ?? "–", p.lastDate ?? "–", ...types.map((k) => String(p.byType[k] ?? 0))]),
    ),
    "",
  );

  if (options.themes) out.push(...themesPart(options.themes, summary, options.href ?? rootHref, options.themeCap ?? 20));

  out.push("## Excluded notes", "");
  if (!summary.excluded.length) out.push("None: every note passed the checks.", "");
  else {
    out.push(`${summary.excluded.length === 1 ? "1 note has errors and is" : `${summary.excluded.length} notes have errors and are`} left out of every count above. Run \`fieldnotes check\` for the details.`, "");
    out.push(...table(["File", "Errors"], ["l", "l"], summary.excluded.map((e) => [fileLink(e.file, undefined, options.href), e.rules.map((r) => `\`${r}\``).join(", ")])), "");
  }
  return out;
}

/** The themes part: each code in use and its coded segments by practice, with date, type, participants and a link. */
function themesPart(list: Theme[], summary: Summary, href: MdHref, themeCap: number): string[] {
  // As in the HTML report: fewer excerpts per group (at least 1) when a big study would pass 2000.
  const groups = list.reduce((n, t) => n + t.practices.length, 0);
  const cap = Math.min(themeCap, Math.max(1, Math.floor(2000 / Math.max(1, groups))));
  const out = ["## Themes", "", `Every code in use, in codebook order with codes below their parents, and its coded segments by practice (date order). At most ${cap} excerpts per code and practice; \`fieldnotes query --code ID --practice ID\` lists them all.`, ""];
  if (!list.length) out.push("No coded segments yet.", "");
  const names = new Map(summary.practices.map((p) => [p.id, p.name]));
  for (const t of list) {
    const hashes = "#".repeat(Math.min(3 + t.depth, 6));
    out.push(`${hashes} ${mdText(t.label)} (\`${t.code}\`)`, "", `${t.total} coded segment${t.total === 1 ? "" : "s"}.`, "");
    for (const g of t.practices) {
      const name = names.get(g.practice);
      out.push(`**${mdText(g.practice)}${name ? ` (${mdText(name)})` : ""}**, ${g.segments.length}:`, "");
      for (const s of g.segments.slice(0, cap)) {
        const meta = [s.date, s.type ? mdText(s.type) : "", s.participants.map(mdText).join(", ")].filter(Boolean).join(" · ");
        out.push(`- ${meta}, ${fileLink(s.file, s.line, href)}`, ...s.text.split(/\r\n|\r|\n/).map((l) => `  > ${mdText(l)}`));
      }
      if (g.segments.length > cap) out.push(`- ${g.segments.length - cap} more: \`fieldnotes query --code ${t.code} --practice ${g.practice}\``);
      out.push("");
    }
  }
  return out;
}
