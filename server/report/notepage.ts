// One note as a read-only HTML page with numbered lines, each with the anchor `#L<line>` (SPEC 12.5):
// where the served reports' links to a note line lead.
import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { Study } from "../core/study.js";
import { decodeBytes, MAX_FILE_BYTES } from "../core/text.js";
import { esc } from "./svg.js";

const CSS = `body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;margin:0}header{padding:12px 24px;border-bottom:1px solid #d9e2ec}
h1{font-size:1.1rem;margin:0}.meta{color:#52606d;margin:2px 0 0}
ol.lines{margin:0;padding:8px 0;list-style:none;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ol.lines li{display:grid;grid-template-columns:5em 1fr;white-space:pre-wrap;overflow-wrap:anywhere}
ol.lines li a{color:#9aa5b1;text-align:right;padding-right:1em;text-decoration:none;user-select:none}
ol.lines li:target{background:#fff7cc}@media print{ol.lines li:target{background:none}}`;

/**
 * The page of the note at root-relative `rel`, read from disk, or undefined when it is not an indexed
 * note of the study, not a regular file inside the root (a link or a path escaping it), or unreadable.
 */
export function renderNotePage(study: Study, rel: string): string | undefined {
  if (!study.notes.has(rel) || !study.isNote(rel)) return undefined;
  const abs = join(study.root, rel);
  let text: string;
  try {
    const st = lstatSync(abs);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const real = realpathSync(abs);
    if (!real.startsWith(realpathSync(study.root) + sep)) return undefined;
    const decoded = decodeBytes(readFileSync(abs));
    if (decoded.binary) return undefined;
    text = decoded.text.replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const record = study.notes.get(rel)!;
  const n = record.reading;
  const meta = n ? `${esc(n.practice)} · ${esc(n.date)}${n.type ? ` · ${esc(n.type)}` : ""}` : record.excluded ? `excluded: ${record.errorRules.map(esc).join(", ")}` : "";
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(rel)}</title><style>${CSS}</style></head><body><header><h1>${esc(rel)}</h1>${meta ? `<p class="meta">${meta}</p>` : ""}</header><main><ol class="lines">` +
    lines.map((l, i) => `<li id="L${i + 1}"><a href="#L${i + 1}">${i + 1}</a><span>${esc(l)}</span></li>`).join("") +
    `</ol></main></body></html>\n`
  );
}
