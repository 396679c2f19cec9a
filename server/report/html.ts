// The HTML report: one self-contained page (inline CSS and SVG, no external assets, a few lines of optional
// script), readable offline when saved or mailed, printable, and readable without colour. Everything that
// comes from notes, the config or the codebook is escaped.
import type { Study } from "../core/study.js";
import type { NoteRecord } from "../core/study.js";
import type { AttributeComparison, Evidence, PracticeSummary, Summary } from "../core/types.js";
import { noteSegments } from "../core/analysis/segments.js";
import { themes, themeAnchor, type Theme } from "./themes.js";
import { esc, heatmapSvg, timelineSvg, barsSvg } from "./svg.js";
import { plural } from "../core/plural.js";
import { TRAJECTORY_CSS, studySpan, trajectorySvg } from "./trajectory.js";
import {
  CONSTRUCTS,
  LEVELS,
  ASSESSMENT_SYMBOL,
  INTEGRATION_SYMBOL,
  INTEGRATION_WORDS,
  constructTitle,
  includedNotes,
  monthRange,
  num,
  ruleWords,
} from "./util.js";

export interface HtmlOptions {
  /** Evidence excerpts shown per practice (default 200); the rest are counted and pointed to. */
  evidenceCap?: number;
  /** The Summary to show (default: study.summary()). */
  summary?: Summary;
  /**
   * The link to a note (at a line): root-relative by default; `/notes/<path>` when served, relative to
   * the written file with `--out` (SPEC 12.5).
   */
  href?: NoteHref;
  /** Excerpts shown per code and practice in the themes part (default 20). */
  themeCap?: number;
}

/** Where a link to a study file (and a line in it) points. */
export type NoteHref = (file: string, line?: number) => string;

export const EVIDENCE_CAP = 200;
export const THEME_CAP = 20;
/** Excerpts in the whole themes part, at most (about): a big study's page stays quick to open. */
export const THEME_BUDGET = 2000;

/** The page's only script (opens every drill-down for printing); the server allows exactly it by hash. */
export const PRINT_SCRIPT = `addEventListener("beforeprint",function(){document.querySelectorAll("details").forEach(function(d){d.open=true})})`;

/** An href for a root-relative study file: each segment percent-encoded, `#L<line>` for a line. */
export function fileHref(file: string, line?: number): string {
  return file.split("/").map(encodeURIComponent).join("/") + (line ? `#L${line}` : "");
}

/** The links of the served report: the read-only note pages of GET /notes/<path>. */
export const servedHref: NoteHref = (file, line) => `/notes/${fileHref(file, line)}`;

function fileLink(href: NoteHref, file: string, line?: number): string {
  const text = line ? `${file}:${line}` : file;
  return `<a class="file" href="${esc(href(file, line))}" data-file="${esc(file)}"${line ? ` data-line="${line}"` : ""}>${esc(text)}</a>`;
}

/** "2026-11-30 21:10 (UTC+01:00)": an ISO instant in the local time of the machine writing the report. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const zone = `UTC${off >= 0 ? "+" : "-"}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())} (${zone})`;
}

/**
 * The first `cap` evidence entries of a practice and how many there are: the same entries, in the same
 * order, as GET /api/practices/:id (included notes by path, segments in order), without building them all.
 */
function evidenceOf(study: Study, notes: NoteRecord[], cap: number): { shown: Evidence[]; total: number } {
  const shown: Evidence[] = [];
  let total = 0;
  for (const r of notes) {
    const segments = r.facts.segments;
    total += segments.length;
    if (shown.length >= cap) continue;
    for (const seg of noteSegments(r, study.codebook)) {
      if (shown.length >= cap) break;
      shown.push(seg);
    }
  }
  return { shown, total };
}

const anchor = (id: string) => `practice-${id}`;

function assessmentCell(p: PracticeSummary, c: string, required: boolean): string {
  const k = p.constructs[c];
  const req = required ? "" : ' <span class="muted">(not needed for full integration)</span>';
  if (k.assessment === null) return `<td class="a-none">— not assessed${req}</td>`;
  const cls = k.assessment in ASSESSMENT_SYMBOL ? k.assessment : "none";
  return (
    `<td class="a-${cls}"><span aria-hidden="true">${ASSESSMENT_SYMBOL[k.assessment] ?? ""}</span> ${esc(k.assessment)}` +
    `<br><small>${esc(k.assessedOn ?? "")}${req}</small></td>`
  );
}

function levelsCell(p: PracticeSummary, requiredLevels: string[]): string {
  const items = LEVELS.map((l) => {
    const n = p.levels[l] ?? 0;
    const missing = n === 0 && requiredLevels.includes(l);
    return `<li${missing ? ' class="missing"' : ""}>${esc(l)}: ${n}${missing ? ' <span aria-label="missing">✗</span>' : ""}</li>`;
  });
  return `<td><ul class="levels">${items.join("")}</ul></td>`;
}

function comparisonCell(a: AttributeComparison | undefined, hasMembers: boolean): string {
  if (!hasMembers || !a) return '<td class="muted">—</td>';
  if ("mean" in a && "min" in a && "max" in a && typeof a.mean === "number") {
    return `<td>mean ${esc(num(a.mean))}<br><small>min ${esc(num(a.min as number))}, max ${esc(num(a.max as number))}</small></td>`;
  }
  return `<td>${Object.entries(a)
    .map(([k, v]) => `${esc(k)}: ${v}`)
    .join("<br>")}</td>`;
}

/** Evidence text, escaped, with its inline codes marked. */
function excerpt(text: string, codes: string[]): string {
  const known = new Set(codes);
  return esc(text).replace(/#([A-Za-z0-9][A-Za-z0-9-]*)/g, (m, id: string) => (known.has(id) ? `<span class="tag">${m}</span>` : m));
}

const CSS = `
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#ffffff;--panel:#f5f7fa;--accent:#1d4ed8;
--full:#14532d;--full-bg:#dcfce7;--partial:#7a3e00;--partial-bg:#ffedd5;--absent:#8a1c1c;--absent-bg:#fee2e2;--none-bg:#f1f5f9}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);margin:0}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.3rem;margin:32px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:1.1rem;margin:24px 0 6px}
a{color:var(--accent)}
.meta,.muted,small{color:var(--muted)}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px;margin:8px 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px;list-style:none;padding:0;margin:12px 0}
.cards li{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.cards b{display:block;font-size:1.6rem;line-height:1.2}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
caption{text-align:left;font-weight:600;padding:4px 0 8px;color:var(--muted)}
th,td{border:1px solid var(--line);padding:6px 8px;vertical-align:top;text-align:left}
thead th{background:var(--panel)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.a-full{background:var(--full-bg);color:var(--full)}.a-partial{background:var(--partial-bg);color:var(--partial)}
.a-absent{background:var(--absent-bg);color:var(--absent)}.a-none{background:var(--none-bg);color:var(--muted)}
.a-full small,.a-partial small,.a-absent small{color:inherit}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-weight:600;white-space:nowrap;border:1px solid currentColor}
.b-full{background:var(--full-bg);color:var(--full)}.b-partial{background:var(--partial-bg);color:var(--partial)}.b-unassessed{background:var(--none-bg);color:var(--muted)}
ul.levels,ul.reasons{margin:0;padding-left:1.1em}ul.levels{list-style:none;padding:0}
.missing{color:var(--absent);font-weight:600}
.warning{color:var(--partial)}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px;padding:8px;background:#fff}
figure{margin:16px 0 24px}figcaption{color:var(--muted);margin:6px 0}
.chart text{font:12px system-ui,sans-serif;fill:#1f2933}.chart .cell{font-size:12px}.chart .col-label,.chart .tick-label{fill:#52606d}
.chart .axis{stroke:#9aa5b1}.chart .tick{stroke:#d9e2ec}.chart .bar{fill:#2563eb}.chart .total{fill:#52606d}
.lv-patient{fill:#0f766e}.lv-practice{fill:#7c3aed}.lv-community{fill:#c2410c}
.practice{border-top:1px solid var(--line);margin-top:20px}
.practice dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
.practice dt{color:var(--muted)}.practice dd{margin:0}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
ol.evidence{padding-left:1.4em}ol.evidence li{margin:8px 0}
ol.evidence blockquote{margin:2px 0 0;padding:4px 10px;border-left:3px solid var(--line);background:var(--panel);white-space:pre-wrap;overflow-wrap:anywhere}
.tag{color:#6d28d9;font-weight:600}
table.matrix{width:auto}table.matrix td{min-width:3em}table.matrix td a{display:block;font-weight:600}table.matrix th a{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
.theme{margin-top:12px}.theme.depth-1{margin-left:1.2em}.theme.depth-2,.theme.depth-3{margin-left:2.4em}
.theme-practice:target,.theme:target{outline:2px solid var(--accent);outline-offset:4px}.seg-meta{color:var(--muted);font-size:13px}
.constructs{color:var(--muted);font-size:13px}
.note{background:#fffbeb;border:1px solid #fcd34d;border-radius:6px;padding:6px 10px}
footer{border-top:1px solid var(--line);margin-top:32px;padding:12px 24px 32px;color:var(--muted);font-size:13px}
@media print{body{font-size:11pt}header,main,footer{max-width:none;padding:0}nav{display:none}.scroll{overflow:visible;border:0}
a{color:inherit;text-decoration:none}h2{break-after:avoid}tr,li,figure{break-inside:avoid}.practice{break-before:page}}
`;

/** The integration table and the group comparison (studies with an integration rule only). */
function integrationParts(out: string[], summary: Summary, rule: NonNullable<Summary["rule"]>, practices: number): void {
  // Integration table.
  out.push(
    `<section id="integration" aria-labelledby="integration-h"><h2 id="integration-h">Integration</h2>`,
    `<p>Each construct shows the latest assessment in the notes and its date: ● full, ◐ partial, ○ absent, — not assessed. Levels: included notes at each level (✗: a level the rule needs has no note).</p>`,
    `<div class="scroll"><table class="integration"><caption>Integration of the programme, by practice (${plural(practices, "practice")})</caption><thead><tr>`,
    `<th scope="col">Practice</th><th scope="col">Notes</th>${CONSTRUCTS.map((c) => `<th scope="col">${esc(constructTitle(c))}</th>`).join("")}`,
    `<th scope="col">Levels</th><th scope="col">Integration</th><th scope="col">Reasons</th></tr></thead><tbody>`,
  );
  for (const p of summary.practices) {
    const reasons = [
      ...p.reasons.map((r) => `<li>${esc(r)}</li>`),
      ...p.warnings.map((w) => `<li class="warning"><span aria-hidden="true">⚠</span> ${esc(w)}</li>`),
    ];
    out.push(
      `<tr data-practice="${esc(p.id)}"><th scope="row"><a href="#${esc(anchor(p.id))}">${esc(p.id)}</a>${p.name ? `<br><small>${esc(p.name)}</small>` : ""}</th>`,
      `<td class="num">${p.notes}</td>${CONSTRUCTS.map((c) => assessmentCell(p, c, rule.constructs.includes(c))).join("")}`,
      levelsCell(p, rule.levels),
      `<td><span class="badge b-${p.integration}">${INTEGRATION_SYMBOL[p.integration!]} ${esc(INTEGRATION_WORDS[p.integration!])}</span></td>`,
      `<td>${reasons.length ? `<ul class="reasons">${reasons.join("")}</ul>` : '<span class="muted">—</span>'}</td></tr>`,
    );
  }
  out.push(`</tbody></table></div></section>`);

  // Groups compared.
  const groups = (["full", "partial", "unassessed"] as const).map((g) => ({ g, group: summary.groups[g]! }));
  const attrNames: string[] = [];
  for (const p of summary.practices) for (const k of Object.keys(p.attributes)) if (!attrNames.includes(k)) attrNames.push(k);
  out.push(
    `<section id="groups" aria-labelledby="groups-h"><h2 id="groups-h">Groups compared</h2>`,
    `<p>Attributes of fully and partially integrated practices (and those not yet assessed): numbers as mean, minimum and maximum; other values as how many practices in the group have each.</p>`,
    `<div class="scroll"><table class="groups"><caption>Practice attributes by integration group</caption><thead><tr><th scope="col">Attribute</th>`,
    groups.map(({ g }) => `<th scope="col">${INTEGRATION_SYMBOL[g]} ${esc(INTEGRATION_WORDS[g])}</th>`).join(""),
    `</tr></thead><tbody><tr><th scope="row">Practices</th>`,
    groups
      .map(({ group }) => `<td><b>${group.practices.length}</b>${group.practices.length ? `<br>${group.practices.map((id) => `<a href="#${esc(anchor(id))}">${esc(id)}</a>`).join(", ")}` : ""}</td>`)
      .join(""),
    `</tr>`,
    ...attrNames.map((n) => `<tr><th scope="row">${esc(n)}</th>${groups.map(({ group }) => comparisonCell(group.attributes[n], group.practices.length > 0)).join("")}</tr>`),
    `</tbody></table></div></section>`,
  );

}

/**
 * The framework matrix as a table: practices × codes in use, each cell the number of coded segments,
 * linked to those excerpts in the themes part (an in-page anchor: no script, works printed and offline).
 */
function matrixPart(out: string[], summary: Summary, list: Theme[]): void {
  out.push(
    `<section id="matrix" aria-labelledby="matrix-h"><h2 id="matrix-h">Framework matrix</h2>`,
    `<p>Coded segments of each practice (rows) for each code in use (columns, codebook order, codes below their parents). Each number leads to those excerpts in the themes below. Other cuts (rows by participant, note type, month or an attribute; notes instead of segments) are in <code>fieldnotes report --format csv --rows …</code> and <code>/api/matrix.csv</code>.</p>`,
  );
  if (!list.length) {
    out.push(`<p class="muted">No coded segments yet.</p></section>`);
    return;
  }
  const cells = list.map((t) => new Map(t.practices.map((p) => [p.practice, p.segments.length])));
  out.push(
    `<div class="scroll"><table class="matrix"><caption>Coded segments by practice and code</caption><thead><tr><th scope="col">Practice</th>`,
    list.map((t) => `<th scope="col" title="${esc(t.label)}"><a href="#${themeAnchor(t.code)}">${esc(t.code)}</a></th>`).join(""),
    `</tr></thead><tbody>`,
  );
  for (const p of summary.practices) {
    out.push(
      `<tr><th scope="row">${esc(p.id)}</th>` +
        list
          .map((t, j) => {
            const n = cells[j].get(p.id) ?? 0;
            return n
              ? `<td class="num"><a href="#${themeAnchor(t.code, p.id)}" title="${esc(`${p.id} × ${t.code}: ${n} coded segment${n === 1 ? "" : "s"}`)}">${n}</a></td>`
              : `<td class="num muted">0</td>`;
          })
          .join("") +
        `</tr>`,
    );
  }
  out.push(`</tbody></table></div></section>`);
}

/** The themes part: each code in use, its coded segments by practice with date, type, participants and a link. */
function themesPart(out: string[], summary: Summary, list: Theme[], href: NoteHref, themeCap: number): void {
  // Each code and practice shows up to `themeCap` excerpts, fewer (at least 1) when there are so many
  // groups that the page would pass THEME_BUDGET excerpts.
  const groups = list.reduce((n, t) => n + t.practices.length, 0);
  const cap = Math.min(themeCap, Math.max(1, Math.floor(THEME_BUDGET / Math.max(1, groups))));
  out.push(
    `<section id="themes" aria-labelledby="themes-h"><h2 id="themes-h">Themes</h2>`,
    `<p>Every code in use, in codebook order with codes below their parents, and its coded segments by practice (date order), each linked to the note at its line. To keep this page quick to open, at most ${cap} excerpt${cap === 1 ? " is" : "s are"} shown per code and practice; <code>fieldnotes query --code ID --practice ID</code> lists them all.</p>`,
  );
  if (!list.length) out.push(`<p class="muted">No coded segments yet.</p>`);
  const names = new Map(summary.practices.map((p) => [p.id, p.name]));
  for (const t of list) {
    const level = Math.min(3 + t.depth, 6);
    out.push(
      `<section class="theme depth-${Math.min(t.depth, 3)}" id="${themeAnchor(t.code)}"><h${level}>${esc(t.label)} <code>${esc(t.code)}</code> <small>${t.total} coded segment${t.total === 1 ? "" : "s"}</small></h${level}>`,
    );
    for (const g of t.practices) {
      const name = names.get(g.practice);
      out.push(
        `<section class="theme-practice" id="${themeAnchor(t.code, g.practice)}"><h${Math.min(level + 1, 6)}>${esc(g.practice)}${name ? ` <small>${esc(name)}</small>` : ""} <small>(${g.segments.length})</small></h${Math.min(level + 1, 6)}><ol class="evidence">`,
      );
      for (const s of g.segments.slice(0, cap)) {
        const meta = [s.date, s.type ?? "", s.participants.join(", ")].filter(Boolean).map(esc).join(" · ");
        out.push(`<li><span class="seg-meta">${meta}</span> ${fileLink(href, s.file, s.line)}<blockquote>${excerpt(s.text, s.codes)}</blockquote></li>`);
      }
      out.push(`</ol>`);
      if (g.segments.length > cap) {
        out.push(`<p class="note">${g.segments.length - cap} more: <code>fieldnotes query --code ${esc(t.code)} --practice ${esc(g.practice)}</code>.</p>`);
      }
      out.push(`</section>`);
    }
    out.push(`</section>`);
  }
  out.push(`</section>`);
}

interface SectionContext {
  /** The study's first and last dates (the trajectory's time axis), null when there are no notes. */
  span: { first: string; last: string } | null;
  href: NoteHref;
  cap: number;
  /** Drill-downs start open (a study of three practices or fewer). */
  open: boolean;
}

const sectionMemo = new WeakMap<PracticeSummary, { notes: NoteRecord[]; codebook: Study["codebook"]; first?: string; last?: string; href: NoteHref; cap: number; open: boolean; html: string }>();

/**
 * One practice's drill-down (attributes, codes, trajectory, evidence) as HTML. Kept while the
 * practice's summary object, its included note records, the codebook and the page context stay the
 * same, so that after one note is saved the report renders again only that note's practice here
 * (on a 10,000-note study, most of a render's trajectory and evidence work).
 */
function practiceSection(study: Study, p: PracticeSummary, notes: NoteRecord[], context: SectionContext): string {
  const m = sectionMemo.get(p);
  if (
    m &&
    m.codebook === study.codebook &&
    m.first === context.span?.first &&
    m.last === context.span?.last &&
    m.href === context.href &&
    m.cap === context.cap &&
    m.open === context.open &&
    sameRecords(m.notes, notes)
  ) {
    return m.html;
  }
  const out: string[] = [];
  const label = p.name ? `${p.id} (${p.name})` : p.id;
  const { shown, total } = evidenceOf(study, notes, context.cap);
  const attrs = Object.entries(p.attributes);
  const codes = Object.entries(p.codes)
    .sort((a, b) => b[1].notes - a[1].notes)
    .slice(0, 8)
    .map(([id, c]) => `${esc(id)} (${c.notes})`);
  const types = Object.entries(p.byType).map(([k, v]) => `${esc(k)} ${v}`);
  out.push(
    `<section class="practice" id="${esc(anchor(p.id))}" aria-labelledby="${esc(anchor(p.id))}-h"><h3 id="${esc(anchor(p.id))}-h">${esc(label)}${p.integration ? ` <span class="badge b-${p.integration}">${INTEGRATION_SYMBOL[p.integration]} ${esc(INTEGRATION_WORDS[p.integration])}</span>` : ""}</h3><dl>`,
    `<dt>Notes</dt><dd>${p.notes}${p.firstDate ? `, ${esc(p.firstDate)} to ${esc(p.lastDate ?? "")}` : ""}${types.length ? ` (${types.join(", ")})` : ""}</dd>`,
    attrs.length ? `<dt>Attributes</dt><dd>${attrs.map(([k, v]) => `${esc(k)}: ${esc(String(v))}`).join(", ")}</dd>` : "",
    codes.length ? `<dt>Most frequent codes</dt><dd>${codes.join(", ")}</dd>` : "",
    p.reasons.length ? `<dt>Why not full</dt><dd>${p.reasons.map(esc).join("; ")}</dd>` : "",
    p.warnings.length ? `<dt>Warnings</dt><dd class="warning">${p.warnings.map(esc).join("; ")}</dd>` : "",
    `</dl>`,
    context.span && p.integrationHistory.length ? `<figure><div class="scroll">${trajectorySvg(p, context.span)}</div><figcaption>Trajectory: the classification over time (band) and each construct's assessments (● full, ◐ partial, ○ absent).</figcaption></figure>` : "",
  );
  if (!total) out.push(`<p class="muted">No coded segments yet.</p>`);
  else {
    out.push(`<details${context.open ? " open" : ""}><summary>Evidence: ${total} coded segment${total === 1 ? "" : "s"}</summary><ol class="evidence">`);
    for (const e of shown) {
      out.push(
        `<li>${fileLink(context.href, e.file, e.line)}${e.constructs.length ? ` <span class="constructs">${e.constructs.map(constructTitle).map(esc).join(", ")}</span>` : ""}` +
          `<blockquote>${excerpt(e.text, e.codes)}</blockquote></li>`,
      );
    }
    out.push(`</ol>`);
    if (total > shown.length) {
      const api = `/api/practices/${encodeURIComponent(p.id)}`;
      out.push(
        `<p class="note">Showing the first ${shown.length} of ${plural(total, "excerpt")}; ${total - shown.length} more ${total - shown.length === 1 ? "is" : "are"} not shown here. ` +
          `All of them: <a href="${esc(api)}">${esc(api)}</a> on the fieldnotes server, or <code>fieldnotes report --format csv --by segment</code>.</p>`,
      );
    }
    out.push(`</details>`);
  }
  out.push(`</section>`);
  const html = out.join("\n");
  sectionMemo.set(p, { notes, codebook: study.codebook, first: context.span?.first, last: context.span?.last, href: context.href, cap: context.cap, open: context.open, html });
  return html;
}

function sameRecords(a: NoteRecord[], b: NoteRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || a[i].reading !== b[i].reading) return false;
  return true;
}

export function renderHtml(study: Study, options: HtmlOptions = {}): string {
  const summary = options.summary ?? study.summary();
  const cap = options.evidenceCap ?? EVIDENCE_CAP;
  const href = options.href ?? fileHref;
  const themeList = themes(study);
  const t = summary.totals;
  const rule = summary.rule;
  const count = (kind: PracticeSummary["integration"]) => summary.practices.filter((p) => p.integration === kind).length;
  const out: string[] = [];

  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="generator" content="fieldnotes"><title>${rule ? "Integration summary" : "Study summary"}: ${esc(summary.study)}</title><style>${CSS}${TRAJECTORY_CSS}</style></head><body>`,
    `<header><h1>${rule ? "Integration summary" : "Study summary"}: ${esc(summary.study)}</h1>`,
    `<p class="meta">Generated by fieldnotes on <time datetime="${esc(summary.generatedAt)}">${esc(localTime(summary.generatedAt))}</time> from the notes on disk. This page is self-contained: save it or mail it and it still works offline.</p>`,
    `<nav aria-label="Contents"><ul><li><a href="#glance">At a glance</a></li>${rule ? `<li><a href="#integration">Integration</a></li><li><a href="#groups">Groups compared</a></li>` : ""}` +
      `<li><a href="#pictures">Charts</a></li><li><a href="#matrix">Framework matrix</a></li><li><a href="#themes">Themes</a></li><li><a href="#practices">Practices and evidence</a></li><li><a href="#excluded">Excluded notes</a></li></ul></nav></header><main>`,
  );

  // At a glance.
  out.push(
    `<section id="glance" aria-labelledby="glance-h"><h2 id="glance-h">The study at a glance</h2><ul class="cards">`,
    `<li><b>${t.notes}</b> ${t.notes === 1 ? "note" : "notes"}</li><li><b>${t.included}</b> included</li><li><b>${t.excluded}</b> excluded${t.excluded ? ` (<a href="#excluded">why</a>)` : ""}</li>`,
    `<li><b>${t.practices}</b> ${t.practices === 1 ? "practice" : "practices"}</li>`,
    rule
      ? `<li><b>${count("full")}</b> ${INTEGRATION_SYMBOL.full} fully integrated</li>` +
          `<li><b>${count("partial")}</b> ${INTEGRATION_SYMBOL.partial} partially integrated</li><li><b>${count("unassessed")}</b> ${INTEGRATION_SYMBOL.unassessed} not yet assessed</li></ul>` +
          `<p>${esc(ruleWords(rule))}</p></section>`
      : `</ul></section>`,
  );
  // `integration: false` (SPEC section 11): no integration table and no group comparison.
  if (rule) integrationParts(out, summary, rule, t.practices);

  // Pictures.
  const rows = summary.practices.map((p) => ({ id: p.id, label: p.id }));
  const codeCols = study.codebook.order.map((id) => ({ id, label: study.codebook.codes.get(id)?.label ?? id }));
  const notes = includedNotes(study);
  let first = "";
  let last = "";
  for (const r of notes) {
    const d = r.reading!.date;
    if (!/^\d{4}-\d{2}/.test(d)) continue;
    if (!first || d < first) first = d;
    if (!last || d > last) last = d;
  }
  const months = first ? monthRange(first, last) : [];
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const practiceIndex = new Map(summary.practices.map((p, i) => [p.id, i]));
  const perMonth = summary.practices.map(() => new Array<number>(months.length).fill(0));
  for (const r of notes) {
    const i = practiceIndex.get(r.reading!.practice);
    const j = monthIndex.get(r.reading!.date.slice(0, 7));
    if (i !== undefined && j !== undefined) perMonth[i][j]++;
  }
  out.push(`<section id="pictures" aria-labelledby="pictures-h"><h2 id="pictures-h">Charts: codes by practice, notes over time, levels of activity</h2>`);
  out.push(
    `<figure><div class="scroll">`,
    codeCols.length && rows.length
      ? heatmapSvg({
          rows,
          columns: codeCols,
          value: (i, j) => summary.practices[i].codes[codeCols[j].id]?.notes ?? 0,
          title: (i, j, v) => {
            const c = summary.practices[i].codes[codeCols[j].id];
            return `${summary.practices[i].id} × ${codeCols[j].id} (${codeCols[j].label}): ${v} note${v === 1 ? "" : "s"}, ${c?.segments ?? 0} coded segment${c?.segments === 1 ? "" : "s"}`;
          },
          caption: "Framework matrix: notes per practice and code",
        })
      : `<p class="muted">No codes in the codebook yet.</p>`,
    `</div><figcaption>Codes by practice: the number of included notes of each practice (rows) where each code (columns, in codebook order) appears; darker is more. Hover a cell for its counts of notes and coded segments; the <a href="#matrix">framework matrix</a> below leads from each cell to its excerpts.</figcaption></figure>`,
  );
  out.push(
    `<figure><div class="scroll">`,
    months.length ? timelineSvg({ rows, months, counts: perMonth, caption: "Notes per month per practice" }) : `<p class="muted">No included notes yet.</p>`,
    `</div><figcaption>Timeline: included notes per month for each practice${months.length ? ` (${esc(months[0])} to ${esc(months[months.length - 1])}), bars scaled to the busiest month, the total at the right` : ""}.</figcaption></figure>`,
  );
  // A study without the integration rule whose notes name no level has no levels to picture.
  const anyLevel = summary.practices.some((p) => LEVELS.some((l) => (p.levels[l] ?? 0) > 0));
  if (rule || anyLevel) {
    out.push(
      `<figure><div class="scroll">`,
      barsSvg({
        rows,
        series: LEVELS.map((l) => ({ id: l, label: l, cls: `lv-${l}` })),
        values: summary.practices.map((p) => LEVELS.map((l) => p.levels[l] ?? 0)),
        caption: "Levels of activity per practice: notes at patient, practice and community level",
      }),
      `</div><figcaption>Levels of activity: included notes at patient, practice and community level for each practice (a note may name several levels).</figcaption></figure>`,
    );
  }
  out.push(`</section>`);

  matrixPart(out, summary, themeList);
  themesPart(out, summary, themeList, href, options.themeCap ?? THEME_CAP);

  // Per-practice drill-down.
  const byPractice = new Map<string, NoteRecord[]>();
  for (const r of notes) {
    const list = byPractice.get(r.reading!.practice);
    if (list) list.push(r);
    else byPractice.set(r.reading!.practice, [r]);
  }
  out.push(
    `<section id="practices" aria-labelledby="practices-h"><h2 id="practices-h">Practices and evidence</h2>`,
    `<p>The evidence of each practice is every coded segment of its included notes, in file order, linked to its file and line. To keep this page quick to open, at most ${cap} excerpts are shown per practice; when there are more, the page says how many and where to find them all (<code>/api/practices/ID</code> on the fieldnotes server).</p>`,
  );
  const span = studySpan(summary);
  const open = summary.practices.length <= 3;
  for (const p of summary.practices) out.push(practiceSection(study, p, byPractice.get(p.id) ?? [], { span, href, cap, open }));
  out.push(`</section>`);

  // Excluded notes.
  out.push(`<section id="excluded" aria-labelledby="excluded-h"><h2 id="excluded-h">Excluded notes</h2>`);
  if (!summary.excluded.length) out.push(`<p>None: every note passed the checks.</p>`);
  else {
    out.push(
      `<p>${summary.excluded.length} note${summary.excluded.length === 1 ? " has" : "s have"} errors and ${summary.excluded.length === 1 ? "is" : "are"} left out of every count above. Run <code>fieldnotes check</code> for the messages.</p>`,
      `<div class="scroll"><table class="excluded"><caption>Notes excluded from the summary, with the rules they break</caption><thead><tr><th scope="col">File</th><th scope="col">Errors</th></tr></thead><tbody>`,
      ...summary.excluded.map((e) => `<tr><td>${fileLink(href, e.file)}</td><td>${e.rules.map((r) => `<code>${esc(r)}</code>`).join(", ")}</td></tr>`),
      `</tbody></table></div>`,
    );
  }
  out.push(`</section></main>`);
  out.push(
    `<footer>fieldnotes: Normalisation Process Theory summary of qualitative field notes. Counts are over included notes only. Links point to the note files relative to the study folder.</footer>`,
    // Open every drill-down for printing; the page needs no script otherwise.
    `<script>${PRINT_SCRIPT}</script>`,
    `</body></html>\n`,
  );
  return out.join("\n");
}
