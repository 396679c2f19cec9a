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

/** A real calendar date DDMMYY in either century (CHI numbers start with the date of birth). */
export function realDdmmyy(six: string): boolean {
  if (!/^\d{6}$/.test(six)) return false;
  const d = Number(six.slice(0, 2));
  const m = Number(six.slice(2, 4));
  const y = Number(six.slice(4, 6));
  if (m < 1 || m > 12 || d < 1) return false;
  const days = (year: number) => new Date(Date.UTC(year, m, 0)).getUTCDate();
  return d <= Math.max(days(1900 + y), days(2000 + y));
}

const TITLES = "Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Rev|Sister";
const STREET_WORDS = "Road|Street|Avenue|Lane|Drive|Close|Crescent|Place|Court|Gardens|Terrace|Way|Wynd|Square";
// Bounded repetitions throughout: an unbounded group repeated over a megabyte of capitalised words
// overflows the regular expression engine's stack.
const CAPITALISED = "\\p{Lu}[\\p{L}'\u2019-]{0,40}";
const MONTHS = "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?";
/** 14/03/1956, 14.3.56, 1956-03-14, 14th March 1956, March 14, 1956. */
const A_DATE = `(?:\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:${MONTHS})\\.?,?\\s+\\d{4}|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4})(?![\\p{L}\\p{N}])`;

/** The kinds of SPEC section 6's identifier-suspected, in order: the first to claim a span names it. */
const FINDERS: Finder[] = [
  {
    // Scotland's CHI number: date of birth DDMMYY, then four digits, the last a modulus-11 check digit
    // (the NHS number's scheme). Ten digits alone, or written 6-4.
    kind: "a CHI number",
    pattern: /(?<![\d+])\d{6}[ -]?\d{4}(?!\d)/g,
    accept: (m) => realDdmmyy(m[0].slice(0, 6)) && nhsChecksumValid(m[0].replace(/[ -]/g, "")),
  },
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
  // National Insurance number: two letters, three pairs of digits, a letter A-D (`QQ 12 34 56 C`).
  { kind: "a National Insurance number", pattern: /(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g },
  // A title, with or without a full stop, then one or more capitalised words (`Dr Jane Smith`, `Mrs Patel`).
  { kind: "a name after a title", pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${TITLES})\\.?[ \\t\u00A0]+${CAPITALISED}(?:[ \\t\u00A0]+${CAPITALISED}){0,3}`, "gu") },
  // A house number, then capitalised words ending in a street word (`12 High Street`, `3a Kelvin Way`).
  {
    kind: "a street address",
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])\\d{1,4}[A-Za-z]?,?[ \\t\u00A0]+(?:${CAPITALISED}[ \\t\u00A0]+){1,4}?(?:${STREET_WORDS})(?![\\p{L}\\p{N}])`, "gu"),
  },
  // DOB, D.O.B., date of birth or born on, then a date.
  { kind: "a date of birth", pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:DOB|D\\.O\\.B\\.?|date of birth|born on)[ \\t]*[:\\-\u2013]?[ \\t]*${A_DATE}`, "giu") },
];

/** At most this many identifier-suspected warnings per file, plus one that says there are more. */
export const MAX_PER_NOTE = 1000;

/**
 * identifier-suspected warnings for `text` (SPEC section 6: NHS and CHI numbers, e-mail addresses, UK
 * phone numbers, postcodes, National Insurance numbers, names after a title, street addresses, dates
 * of birth). The message never repeats the text; `data.suspect` holds it for `identifiers.allow`, and
 * validation removes it before any diagnostic leaves the core (see withoutSuspect).
 */
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
      if (found.length === MAX_PER_NOTE) {
        // A file of thousands of such texts is not a field note; its first ones say enough.
        found.push({
          rule: "identifier-suspected",
          severity: "warning",
          message: `More text here and after it looks like personal identifiers; only the first ${MAX_PER_NOTE} are reported. De-identify the file.`,
          range: index.range(m.index, m.index + m[0].length),
        });
        return found;
      }
      found.push({
        rule: "identifier-suspected",
        severity: "warning",
        // The message never repeats the text itself: diagnostics end up in logs and CI output.
        message: `This looks like ${finder.kind}. Field notes must be de-identified: remove it or replace it with a pseudonym (or, if it is not about a person, list it under identifiers.allow in fieldnotes.yaml).`,
        range: index.range(m.index, m.index + m[0].length),
        data: { suspect: m[0] },
      });
    }
  }
  return found;
}

/**
 * A note's config-independent diagnostics as they leave the core: identifier warnings whose text is
 * in `allow` (exact text) dropped, and the suspected text removed from the rest.
 */
export function screenIdentifiers(diagnostics: Diagnostic[], allow: readonly string[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const suspect = d.data?.suspect;
    if (suspect === undefined) {
      out.push(d);
      continue;
    }
    if (allow.includes(suspect)) continue;
    const { suspect: _dropped, ...rest } = d.data!;
    out.push(Object.keys(rest).length ? { ...d, data: rest } : { rule: d.rule, severity: d.severity, message: d.message, range: d.range });
  }
  return out;
}
