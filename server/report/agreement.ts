// Inter-coder agreement reports (SPEC section 14): text for a terminal, Markdown for a pull request and
// a self-contained HTML page. Numbers are shown with three decimals; an undefined coefficient as "–".
import type { AgreementDetail, AgreementReport } from "../core/agreement/compare.js";
import type { Unit } from "../core/agreement/units.js";
import { mdText } from "./markdown.js";
import { esc } from "./svg.js";
import { constructTitle } from "./util.js";

/** Three decimals, or "–" for an undefined coefficient. */
export function fixed3(x: number | null): string {
  return x === null ? "–" : x.toFixed(3);
}

const side = (v: AgreementReport["a"]) => `${v.source}${v.commit ? ` (${v.commit.slice(0, 10)})` : ""}`;
const who = (d: { a: boolean; b: boolean }) => (d.a ? "A only" : "B only");
const short = (s: string, n = 80) => {
  const one = s.replace(/\s+/g, " ");
  return one.length > n ? one.slice(0, n - 1) + "…" : one;
};

function headline(r: AgreementReport): string[] {
  return [
    `Notes compared: ${r.notes.compared} (only in A: ${r.notes.onlyInA.length}, only in B: ${r.notes.onlyInB.length}, excluded: ${r.notes.excluded.length}).`,
    `Units: ${r.units} segments matched by their text; ${r.unmatched.length} segment(s) without a partner are not units.`,
    `Overall: agreement ${fixed3(r.overall.agreement)}, Cohen's κ ${fixed3(r.overall.kappa)} (mean over codes), Krippendorff's α ${fixed3(r.overall.alpha)} (pooled).`,
  ];
}

/** A plain-text table for a terminal. */
export function agreementText(r: AgreementReport): string {
  const out = [`Inter-coder agreement: A = ${side(r.a)}, B = ${side(r.b)}`, ...headline(r), ...r.warnings.map((w) => `Note: ${w}`), ""];
  const width = Math.max(4, ...r.codes.map((c) => c.code.length));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width) : c.padStart(i <= 4 ? 7 : 10))).join(" ");
  out.push(row(["code", "A", "B", "both", "neither", "agreement", "kappa", "alpha"]));
  for (const c of r.codes) out.push(row([c.code, String(c.a), String(c.b), String(c.both), String(c.neither), fixed3(c.agreement), fixed3(c.kappa), fixed3(c.alpha)]));
  out.push("", `Disagreements (${r.disagreements.length}):`);
  for (const d of r.disagreements) out.push(`${d.file}:${d.line}: ${d.code} (${who(d)}) ${short(d.text)}`);
  out.push("", `Assessments: agreement ${fixed3(r.assessments.agreement)}, Cohen's κ ${fixed3(r.assessments.kappa)} over the pairs both assessed.`);
  for (const p of r.assessments.pairs) if (p.a !== p.b) out.push(`  ${p.practice} ${p.construct}: A ${p.a ?? "–"}, B ${p.b ?? "–"}`);
  out.push("Integration:");
  for (const p of r.integration) out.push(`  ${p.practice}: A ${p.a ?? "–"}, B ${p.b ?? "–"}${p.a === p.b ? "" : "  (differs)"}`);
  return out.join("\n") + "\n";
}

/** Markdown for a pull request. */
export function agreementMarkdown(r: AgreementReport): string {
  const out = [`## Inter-coder agreement: ${mdText(side(r.a))} vs ${mdText(side(r.b))}`, "", ...headline(r).map(mdText), ""];
  for (const w of r.warnings) out.push(`> **Note:** ${mdText(w)}`, "");
  out.push("| Code | A | B | Both | Neither | Agreement | κ | α |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const c of r.codes) out.push(`| ${mdText(c.code)} | ${c.a} | ${c.b} | ${c.both} | ${c.neither} | ${fixed3(c.agreement)} | ${fixed3(c.kappa)} | ${fixed3(c.alpha)} |`);
  out.push("", `### Disagreements (${r.disagreements.length})`, "");
  if (r.disagreements.length) {
    out.push("| Note | Code | Applied by | Text |", "| --- | --- | --- | --- |");
    for (const d of r.disagreements) out.push(`| ${mdText(`${d.file}:${d.line}`)} | ${mdText(d.code)} | ${who(d)} | ${mdText(short(d.text))} |`);
  } else out.push("None.");
  out.push("", "### Assessments", "", `Agreement ${fixed3(r.assessments.agreement)}, Cohen's κ ${fixed3(r.assessments.kappa)} over the pairs both coders assessed.`, "");
  out.push("| Practice | Construct | A | B |", "| --- | --- | --- | --- |");
  for (const p of r.assessments.pairs) out.push(`| ${mdText(p.practice)} | ${constructTitle(p.construct)} | ${p.a ?? "–"} | ${p.b ?? "–"} |`);
  out.push("", "| Practice | Integration (A) | Integration (B) |", "| --- | --- | --- |");
  for (const p of r.integration) out.push(`| ${mdText(p.practice)} | ${p.a ?? "–"} | ${p.b ?? "–"} |`);
  return out.join("\n") + "\n";
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;color:#1f2933;max-width:1100px;margin:0 auto;padding:16px 24px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #d9e2ec;padding:4px 8px;vertical-align:top}th{background:#f4f6f8;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.low{background:#fef3c7}.muted{color:#52606d}.diff{font-weight:600}
blockquote{margin:4px 0;padding-left:10px;border-left:3px solid #d9e2ec}.note{background:#fffbeb;border:1px solid #fcd34d;border-radius:6px;padding:6px 10px}
@media print{body{max-width:none;padding:0}a{color:inherit;text-decoration:none}tr,section{break-inside:avoid}}`;

/**
 * A self-contained HTML page: per-code table sorted by κ (lowest first, undefined last), the
 * disagreements grouped by note with both coders' codes side by side and links to the note lines
 * (`href(file, line)`), and the assessment comparison.
 */
export function agreementHtml(r: AgreementReport, detail: AgreementDetail, href: (file: string, line: number) => string): string {
  const out: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>Inter-coder agreement: ${esc(side(r.a))} vs ${esc(side(r.b))}</title><style>${CSS}</style></head><body>`,
    `<h1>Inter-coder agreement</h1><p>A = <strong>${esc(side(r.a))}</strong>, B = <strong>${esc(side(r.b))}</strong>.</p>`,
    `<ul>${headline(r).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`,
    ...r.warnings.map((w) => `<p class="note">${esc(w)}</p>`),
    `<p class="muted">A unit is a segment (paragraph, heading or table cell) whose text, without codes, is the same in both versions. For each code: A, B = units each coder coded with it; agreement = share of units on which they agree; Cohen's κ and Krippendorff's α correct that for chance (1 = perfect, 0 = chance level, below 0 = worse than chance; "–" = undefined, e.g. a code nobody used).</p>`,
    `<h2 id="codes">Codes, by κ</h2><table><thead><tr><th>Code</th><th>A</th><th>B</th><th>Both</th><th>Neither</th><th>Agreement</th><th>κ</th><th>α</th></tr></thead><tbody>`,
  ];
  const byKappa = [...r.codes].sort((x, y) => (x.kappa === null ? (y.kappa === null ? 0 : 1) : y.kappa === null ? -1 : x.kappa - y.kappa));
  for (const c of byKappa) {
    out.push(
      `<tr${c.kappa !== null && c.kappa < 0.6 ? ' class="low"' : ""}><td>${esc(c.code)}</td>${[c.a, c.b, c.both, c.neither].map((n) => `<td class="n">${n}</td>`).join("")}` +
        `<td class="n">${fixed3(c.agreement)}</td><td class="n">${fixed3(c.kappa)}</td><td class="n">${fixed3(c.alpha)}</td></tr>`,
    );
  }
  out.push(`</tbody></table>`);

  // Disagreements grouped by note, then unit: both coders' codes side by side.
  const unitAt = new Map<string, Unit>(detail.units.map((u) => [`${u.file}\u0000${u.a.line}`, u]));
  const byNote = new Map<string, Map<number, string[]>>();
  for (const d of r.disagreements) {
    const lines = byNote.get(d.file) ?? byNote.set(d.file, new Map()).get(d.file)!;
    (lines.get(d.line) ?? lines.set(d.line, []).get(d.line)!).push(d.code);
  }
  out.push(`<h2 id="disagreements">Disagreements (${r.disagreements.length})</h2>`);
  if (!byNote.size) out.push(`<p>None: the coders agree on every unit.</p>`);
  for (const [file, lines] of byNote) {
    out.push(`<section><h3>${esc(file)}</h3><table><thead><tr><th>Line</th><th>Text</th><th>Codes of A</th><th>Codes of B</th></tr></thead><tbody>`);
    for (const [line, differing] of lines) {
      const u = unitAt.get(`${file}\u0000${line}`);
      const codes = (list: string[]) => list.map((c) => (differing.includes(c) ? `<span class="diff">${esc(c)}</span>` : esc(c))).join(", ") || "–";
      out.push(
        `<tr><td><a href="${esc(href(file, line))}">${line}</a></td><td><blockquote>${esc(u?.a.text ?? "")}</blockquote></td>` +
          `<td>${codes(u?.a.codes ?? [])}</td><td>${codes(u?.b.codes ?? [])}</td></tr>`,
      );
    }
    out.push(`</tbody></table></section>`);
  }

  out.push(
    `<h2 id="assessments">Assessments</h2><p>Agreement ${fixed3(r.assessments.agreement)}, Cohen's κ ${fixed3(r.assessments.kappa)} (categories full, partial, absent) over the pairs both coders assessed.</p>`,
    `<table><thead><tr><th>Practice</th><th>Construct</th><th>A</th><th>B</th></tr></thead><tbody>`,
  );
  for (const p of r.assessments.pairs) {
    out.push(`<tr${p.a !== p.b ? ' class="low"' : ""}><td>${esc(p.practice)}</td><td>${esc(constructTitle(p.construct))}</td><td>${esc(p.a ?? "–")}</td><td>${esc(p.b ?? "–")}</td></tr>`);
  }
  out.push(`</tbody></table><table><thead><tr><th>Practice</th><th>Integration (A)</th><th>Integration (B)</th></tr></thead><tbody>`);
  for (const p of r.integration) out.push(`<tr${p.a !== p.b ? ' class="low"' : ""}><td>${esc(p.practice)}</td><td>${esc(p.a ?? "–")}</td><td>${esc(p.b ?? "–")}</td></tr>`);
  out.push(`</tbody></table>`);
  if (r.unmatched.length) {
    out.push(`<h2 id="unmatched">Segments without a partner (${r.unmatched.length})</h2><ul>`);
    for (const u of r.unmatched) out.push(`<li>${esc(u.file)}:${u.line} (only in ${u.side.toUpperCase()})</li>`);
    out.push(`</ul>`);
  }
  out.push(`</body></html>\n`);
  return out.join("\n");
}
