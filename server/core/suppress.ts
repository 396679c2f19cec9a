// Silencing judged warnings (SPEC section 6): `<!-- fieldnotes-disable-next-line RULE [RULE…] -->`
// for the next line, `<!-- fieldnotes-disable RULE [RULE…] -->` from that line to the end of the
// file. Only warnings and information are silenced: an error can never be.
import type { Diagnostic } from "./types.js";
import type { LineIndex } from "./text.js";

/** One directive: these rules are silenced on lines `from` to `to` (0-based, inclusive). */
export interface Suppression {
  rules: string[];
  from: number;
  to: number;
}

const DIRECTIVE = /<!--[ \t]*fieldnotes-disable(-next-line)?[ \t]+([a-z0-9-]+(?:[ \t,]+[a-z0-9-]+)*)[ \t,]*-->/g;

/**
 * The directives in a note's text, or undefined when there are none. They are read wherever the
 * comment stands: in the body, or in a YAML comment of the frontmatter (`# <!-- fieldnotes-disable-next-line field-unknown -->`)
 * to reach a field. "Next line" is the line after the one the comment ends on.
 */
export function findSuppressions(text: string, index: LineIndex): Suppression[] | undefined {
  if (!text.includes("fieldnotes-disable")) return undefined;
  const found: Suppression[] = [];
  DIRECTIVE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DIRECTIVE.exec(text))) {
    const rules = m[2].split(/[ \t,]+/).filter(Boolean);
    const start = index.position(m.index).line;
    const end = index.position(m.index + m[0].length).line;
    found.push(m[1] ? { rules, from: end + 1, to: end + 1 } : { rules, from: start, to: Number.MAX_SAFE_INTEGER });
  }
  return found.length ? found : undefined;
}

/** `diagnostics` without the warnings and information a directive silences (by the line each starts on). */
export function applySuppressions(diagnostics: Diagnostic[], suppressions: Suppression[] | undefined): Diagnostic[] {
  if (!suppressions?.length) return diagnostics;
  return diagnostics.filter((d) => {
    if (d.severity === "error") return true;
    const line = d.range.start.line;
    return !suppressions.some((s) => line >= s.from && line <= s.to && s.rules.includes(d.rule));
  });
}
