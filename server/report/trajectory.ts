// Each practice's trajectory over time (SPEC section 15), for the HTML and Markdown reports: in HTML
// an SVG with one lane per assessed construct (its assessments as marks) and the classification as a
// band; in Markdown a table of changes by date. Shapes and words carry the meaning, so the picture
// reads in black-and-white print as well as on screen.
import type { PracticeSummary, Summary } from "../core/types.js";
import { esc } from "./svg.js";
import { constructTitle } from "./util.js";

const DAY = 86_400_000;
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;

/** The study's first and last note dates over all practices (null when no practice has notes). */
export function studySpan(summary: Summary): { first: string; last: string } | null {
  let first: string | null = null;
  let last: string | null = null;
  for (const p of summary.practices) {
    if (p.firstDate && (!first || p.firstDate < first)) first = p.firstDate;
    if (p.lastDate && (!last || p.lastDate > last)) last = p.lastDate;
  }
  return first && last ? { first, last } : null;
}

/** A mark for one assessment: filled disc (full), half-filled disc (partial), open ring (absent). */
function mark(x: number, y: number, value: string, title: string): string {
  const r = 5;
  const t = `<title>${esc(title)}</title>`;
  if (value === "full") return `<circle cx="${x}" cy="${y}" r="${r}" class="m-full">${t}</circle>`;
  if (value === "partial") {
    return `<g>${t}<circle cx="${x}" cy="${y}" r="${r}" class="m-ring"/><path d="M${x} ${y - r}A${r} ${r} 0 0 0 ${x} ${y + r}Z" class="m-full"/></g>`;
  }
  return `<circle cx="${x}" cy="${y}" r="${r}" class="m-ring">${t}</circle>`;
}

const BAND_CLASS: Record<string, string> = { full: "band-full", partial: "band-partial", unassessed: "band-unassessed" };

/**
 * The trajectory of one practice as an SVG on the time axis `span` (the whole study, so practices
 * compare): a band of the classification from each change to the next, labelled with its word where
 * it is wide enough, then one lane per construct with assessments, a mark per assessment.
 * Empty string when the practice has no notes.
 */
export function trajectorySvg(p: PracticeSummary, span: { first: string; last: string }): string {
  if (!p.integrationHistory.length) return "";
  const lanes = Object.keys(p.history);
  const left = 170;
  const plot = 560;
  const laneH = 22;
  const top = 6;
  const height = top + 24 + lanes.length * laneH + 26;
  const width = left + plot + 20;
  const d0 = toDay(span.first);
  const d1 = Math.max(toDay(span.last), d0 + 1);
  const x = (d: string) => left + Math.round(((toDay(d) - d0) / (d1 - d0)) * plot);
  const title = `Trajectory of ${p.id}: classification over time and the assessments of each construct`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart trajectory" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(title)}</title>`,
  ];
  // Classification band.
  parts.push(`<text class="row-label" x="${left - 8}" y="${top + 15}" text-anchor="end">Classification</text>`);
  p.integrationHistory.forEach((h, i) => {
    const next = p.integrationHistory[i + 1];
    const x0 = x(h.date);
    const x1 = next ? x(next.date) : left + plot;
    const w = Math.max(2, x1 - x0);
    parts.push(
      `<g><title>${esc(`${h.integration} from ${h.date}${next ? ` to ${next.date}` : ""}`)}</title><rect x="${x0}" y="${top + 2}" width="${w}" height="18" class="${BAND_CLASS[h.integration]}"/>` +
        (w >= 60 ? `<text x="${x0 + 4}" y="${top + 15}" class="band-label">${esc(h.integration)}</text>` : "") +
        `</g>`,
    );
  });
  // One lane per construct.
  lanes.forEach((c, i) => {
    const y = top + 24 + i * laneH + laneH / 2;
    parts.push(`<text class="row-label" x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(constructTitle(c))}</text>`);
    parts.push(`<line x1="${left}" x2="${left + plot}" y1="${y}" y2="${y}" class="axis"/>`);
    for (const a of p.history[c]) parts.push(mark(x(a.date), y, a.assessment, `${constructTitle(c)} assessed ${a.assessment} on ${a.date} (${a.file})`));
  });
  // Time axis: the first and last dates, and each year's start between them.
  const axisY = height - 8;
  const ticks = [span.first];
  for (let y = Number(span.first.slice(0, 4)) + 1; y <= Number(span.last.slice(0, 4)); y++) ticks.push(`${y}-01-01`);
  if (span.last !== span.first) ticks.push(span.last);
  ticks.forEach((t, i) => {
    const tx = x(t);
    const end = i === ticks.length - 1 && t === span.last;
    // The ends are labelled inward; a year label too close to either end would overprint it.
    const anchor = i === 0 ? "start" : end ? "end" : "middle";
    const crowded = anchor === "middle" && (tx - left < 70 || left + plot - tx < 70);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${top}" y2="${axisY - 10}" class="tick"/>${crowded ? "" : `<text class="tick-label" x="${tx}" y="${axisY}" text-anchor="${anchor}">${t}</text>`}`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** CSS for the trajectory (appended to the report's style sheet): patterns of ink, not only colour. */
export const TRAJECTORY_CSS = `.trajectory .band-full{fill:#bbf7d0;stroke:#15803d}.trajectory .band-partial{fill:#fef3c7;stroke:#b45309;stroke-dasharray:4 2}
.trajectory .band-unassessed{fill:#f3f4f6;stroke:#9ca3af;stroke-dasharray:1 2}.trajectory .band-label{font-size:10px;fill:#111827}
.trajectory .m-full{fill:#1f2933}.trajectory .m-ring{fill:#ffffff;stroke:#1f2933;stroke-width:1.5}
@media print{.trajectory{break-inside:avoid}}
`;

/**
 * Changes by date for the Markdown report: every assessment and every change of classification of
 * every practice, sorted by date, then practice (registry order). `text` escapes note text for Markdown.
 */
export function changesByDate(summary: Summary, text: (s: string) => string): string[][] {
  const rows: { date: string; order: number; cells: string[] }[] = [];
  summary.practices.forEach((p, order) => {
    p.integrationHistory.forEach((h, i) => {
      const from = i ? p.integrationHistory[i - 1].integration : null;
      rows.push({ date: h.date, order, cells: [h.date, text(p.id), from ? `classification ${from} → ${h.integration}` : `classification ${h.integration}`, "–"] });
    });
    for (const [c, list] of Object.entries(p.history)) {
      for (const a of list) rows.push({ date: a.date, order, cells: [a.date, text(p.id), `${text(constructTitle(c).toLowerCase())} assessed ${a.assessment}`, text(a.file)] });
    }
  });
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order));
  return rows.map((r) => r.cells);
}
