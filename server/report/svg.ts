// Inline SVG pictures for the HTML report: no scripts, no external assets, every mark with a <title>
// (a tooltip in browsers, read by screen readers) and the numbers written out where there is room, so the
// pictures read without colour too.
import { plural } from "../core/plural.js";

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/** A sequential blue scale, 0..1 → fill; text switches to white on dark cells. */
function shade(t: number): { fill: string; ink: string } {
  if (t <= 0) return { fill: "#f4f6f8", ink: "#6b7280" };
  const l = 92 - Math.round(t * 62); // lightness 92% .. 30%
  return { fill: `hsl(212 62% ${l}%)`, ink: l < 55 ? "#ffffff" : "#0b1f33" };
}

function trunc(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

export interface HeatmapInput {
  rows: { id: string; label: string }[];
  columns: { id: string; label: string }[];
  value: (row: number, column: number) => number;
  /** Tooltip text of one cell. */
  title: (row: number, column: number, value: number) => string;
  caption: string;
}

/** Practice × code heatmap: rows practices, columns codes (labels slanted), a number in every cell. */
export function heatmapSvg(h: HeatmapInput): string {
  // Cells big enough to read a three-digit count; column labels whole (slanted), up to 60 characters.
  const cell = 32;
  const left = Math.min(260, 12 + Math.max(40, ...h.rows.map((r) => Math.min(r.label.length, 36) * 7.5)));
  const top = Math.min(400, 24 + Math.max(30, ...h.columns.map((c) => Math.min(c.label.length, 60) * 5.8)));
  // Slanted labels reach right of their column by about cos(55°) of their length: room for the last one.
  const lastLabel = Math.min(h.columns[h.columns.length - 1]?.label.length ?? 0, 60);
  const width = left + h.columns.length * cell + Math.max(30, Math.ceil(lastLabel * 6.2 * Math.cos((55 * Math.PI) / 180)) + 12);
  const height = top + h.rows.length * cell + 10;
  let max = 0;
  const values = h.rows.map((_, r) => h.columns.map((_, c) => {
    const v = h.value(r, c);
    if (v > max) max = v;
    return v;
  }));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" aria-labelledby="hm-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<title id="hm-title">${esc(h.caption)}</title>`);
  h.columns.forEach((c, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(`<text class="col-label" transform="translate(${x + 3},${top - 6}) rotate(-55)"><title>${esc(c.id)}: ${esc(c.label)}</title>${esc(trunc(c.label, 60))}</text>`);
  });
  h.rows.forEach((r, i) => {
    const y = top + i * cell;
    parts.push(`<text class="row-label" x="${left - 8}" y="${y + cell / 2 + 4}" text-anchor="end"><title>${esc(r.label)}</title>${esc(trunc(r.label, 36))}</text>`);
    h.columns.forEach((_, j) => {
      const v = values[i][j];
      const { fill, ink } = shade(max ? v / max : 0);
      const x = left + j * cell;
      parts.push(
        `<g><title>${esc(h.title(i, j, v))}</title><rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" rx="2" fill="${fill}"/>` +
          `<text x="${x + (cell - 2) / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" class="cell" style="fill:${ink}">${v}</text></g>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("");
}

export interface TimelineInput {
  rows: { id: string; label: string }[];
  months: string[];
  /** counts[row][month] */
  counts: number[][];
  caption: string;
}

/** Notes per month per practice: one row per practice, a bar per month scaled to the busiest month. */
export function timelineSvg(t: TimelineInput): string {
  const colW = Math.max(8, Math.min(26, Math.floor(900 / Math.max(1, t.months.length))));
  const rowH = 34;
  const left = labelColumn(t.rows);
  const top = 8;
  const width = left + t.months.length * colW + 50;
  const height = top + t.rows.length * rowH + 36;
  const max = largest(t.counts);
  const parts: string[] = [svgOpen("timeline", "tl-title", t.caption, width, height)];
  t.rows.forEach((r, i) => {
    const base = top + (i + 1) * rowH - 6;
    const total = t.counts[i].reduce((a, b) => a + b, 0);
    parts.push(`<text class="row-label" x="${left - 8}" y="${base - 8}" text-anchor="end"><title>${esc(r.label)}: ${plural(total, "note")}</title>${esc(trunc(r.label, 24))}</text>`);
    parts.push(`<line x1="${left}" x2="${left + t.months.length * colW}" y1="${base}" y2="${base}" class="axis"/>`);
    t.months.forEach((m, j) => {
      const v = t.counts[i][j];
      if (!v) return;
      const h = Math.max(2, Math.round(((rowH - 10) * v) / (max || 1)));
      parts.push(`<rect x="${left + j * colW + 1}" y="${base - h}" width="${colW - 2}" height="${h}" class="bar"><title>${esc(r.id)}, ${m}: ${v} note${v === 1 ? "" : "s"}</title></rect>`);
    });
    parts.push(`<text class="total" x="${left + t.months.length * colW + 6}" y="${base - 4}">${total}</text>`);
  });
  // Month ticks along the bottom: every month when there is room, else every 2, 3, 6 or 12 months
  // (a label is ~48 px wide), always starting from the first month.
  const axisY = top + t.rows.length * rowH + 4;
  const step = [1, 2, 3, 6, 12].find((k) => k * colW >= 50) ?? 12;
  t.months.forEach((m, j) => {
    if (j % step === 0) {
      const x = left + j * colW;
      parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${axisY}" class="tick"/><text class="tick-label" x="${x + 2}" y="${axisY + 14}">${m}</text>`);
    }
  });
  parts.push("</svg>");
  return parts.join("");
}

export interface BarsInput {
  rows: { id: string; label: string }[];
  series: { id: string; label: string; cls: string }[];
  /** values[row][series] */
  values: number[][];
  caption: string;
}

/** Grouped horizontal bars: per practice one bar per series (the three levels), value written at the end. */
export function barsSvg(b: BarsInput): string {
  const barH = 12;
  const gap = 10;
  const groupH = b.series.length * (barH + 2) + gap;
  const left = labelColumn(b.rows);
  const plotW = 420;
  const top = 28;
  const width = left + plotW + 130;
  const height = top + b.rows.length * groupH + 8;
  const max = largest(b.values);
  const parts: string[] = [svgOpen("bars", "bars-title", b.caption, width, height)];
  b.series.forEach((s, k) => {
    const x = left + k * 130;
    parts.push(`<rect x="${x}" y="6" width="12" height="12" class="${s.cls}"/><text x="${x + 18}" y="16" class="legend">${esc(s.label)}</text>`);
  });
  b.rows.forEach((r, i) => {
    const y0 = top + i * groupH;
    parts.push(`<text class="row-label" x="${left - 8}" y="${y0 + (b.series.length * (barH + 2)) / 2 + 4}" text-anchor="end"><title>${esc(r.label)}</title>${esc(trunc(r.label, 24))}</text>`);
    b.series.forEach((s, k) => {
      const v = b.values[i][k];
      const w = max ? Math.round((plotW * v) / max) : 0;
      const y = y0 + k * (barH + 2);
      parts.push(
        `<g><title>${esc(r.id)}: ${v} note${v === 1 ? "" : "s"} at ${esc(s.label)} level</title><rect x="${left}" y="${y}" width="${Math.max(w, 1)}" height="${barH}" class="${s.cls}"/>` +
          `<text x="${left + Math.max(w, 1) + 5}" y="${y + barH - 2}" class="value">${esc(s.label)} ${v}</text></g>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("");
}

/** Width of the row-label column: enough for the longest label, within bounds. */
function labelColumn(rows: { label: string }[]): number {
  return Math.min(180, 12 + Math.max(40, ...rows.map((r) => r.label.length * 7)));
}

function largest(matrix: number[][]): number {
  let max = 0;
  for (const row of matrix) for (const v of row) if (v > max) max = v;
  return max;
}

/** An accessible chart: the caption is the SVG's title, which screen readers announce. */
function svgOpen(kind: string, titleId: string, caption: string, width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${kind}" role="img" aria-labelledby="${titleId}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title id="${titleId}">${esc(caption)}</title>`
  );
}
