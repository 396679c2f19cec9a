// Ids for what an exchange file names freely (SPEC section 13): code ids are lower-case ASCII letters and
// digits, words joined by `-`; practice and participant ids keep case; file names are slugs. Accented
// letters lose their accents (NFKD), a few letters that do not decompose are spelt out.
import { CODE_ID } from "../codebook.js";

const SPELT: Record<string, string> = { ß: "ss", æ: "ae", Æ: "AE", ø: "o", Ø: "O", œ: "oe", Œ: "OE", đ: "d", Đ: "D", ł: "l", Ł: "L", þ: "th", Þ: "Th", ð: "d", Ð: "D", ı: "i" };

/** `name` in ASCII: accents dropped, a few letters spelt out, everything else kept as it was. */
export function asciiFold(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[ßæÆøØœŒđĐłŁþÞðÐı]/g, (c) => SPELT[c]);
}

/** A code id from a name: "1. Oltás típusa" → "1-oltas-tipusa"; with no letter, "code-…" (a tag needs a letter). */
export function codeIdFrom(name: string): string {
  const id = asciiFold(name).toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join("-");
  if (!id) return "code";
  return /[a-z]/.test(id) ? id : `code-${id}`;
}

/** Is `name` already a code id fieldnotes can use inline (CODE_ID with at least one letter)? */
export function isUsableCodeId(name: string): boolean {
  return CODE_ID.test(name) && /[a-z]/.test(name);
}

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A practice or participant id from a name, case kept: "Practice Magenta" → "Practice-Magenta". */
export function caseIdFrom(name: string): string {
  if (CASE_ID.test(name)) return name;
  // At most 64 characters: the id names a folder (notes/<practice>/).
  const id = asciiFold(name).replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+/, "").slice(0, 64).replace(/-+$/, "");
  return id || "case";
}

/** A file-name slug: lower-case ASCII words joined by `-`, at most 60 characters ("source" when empty). */
export function slugFrom(name: string): string {
  const slug = asciiFold(name).toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join("-").slice(0, 60).replace(/-+$/, "");
  return slug || "source";
}

/** `base`, or `base-2`, `base-3`… whichever is not in `taken` (compared as given); the result is added to `taken`. */
export function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}
