// Personal identifiers that must not appear in de-identified field notes (SPEC section 6).
import type { Diagnostic } from "./types.js";
import type { LineIndex } from "./text.js";

interface Finder {
  kind: string;
  pattern: RegExp;
  accept?: (match: RegExpExecArray) => boolean;
}

/** NHS numbers carry a modulus-11 check digit; most random 10-digit runs fail it. */
export function nhsChecksumValid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === Number(digits[9]);
}

const FINDERS: Finder[] = [
  {
    kind: "an NHS number",
    pattern: /(?<![\d+])(?:\d{10}|\d{3}( |-)\d{3}\1\d{4})(?!\d)/g,
    accept: (m) => nhsChecksumValid(m[0].replace(/[ -]/g, "")),
  },
  { kind: "an e-mail address", pattern: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g },
  {
    kind: "a UK phone number",
    pattern: /(?<![\w+])(?:\+44 ?(?:\(0\) ?)?|0)(?:\d{4} ?\d{6}|\d{4} ?\d{5}|\d{3} ?\d{3} ?\d{4}|\d{2} ?\d{4} ?\d{4}|\d{3} ?\d{3} ?\d{3})(?![\d])/g,
  },
  { kind: "a UK postcode", pattern: /(?<![A-Za-z0-9])(?:[A-Z]{1,2}[0-9][A-Z0-9]?) ?[0-9][ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])/g },
];

export function findIdentifiers(text: string, index: LineIndex): Diagnostic[] {
  const found: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const finder of FINDERS) {
    finder.pattern.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = finder.pattern.exec(text))) {
      if (finder.accept && !finder.accept(m)) continue;
      const key = `${m.index}:${m[0].length}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({
        rule: "identifier-suspected",
        severity: "warning",
        // The message never repeats the text itself: diagnostics end up in logs and CI output.
        message: `This looks like ${finder.kind}. Field notes must be de-identified: remove it or replace it with a pseudonym.`,
        range: index.range(m.index, m.index + m[0].length),
      });
    }
  }
  return found;
}
