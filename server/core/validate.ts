// Validation of a note's facts against the study's config and codebook (SPEC section 6), and the
// typed reading of its fields that the summary uses. Cheap: it runs again on every config change.
import type { Codebook, Diagnostic, EntryFact, NoteFacts, OtherFact, Range, RuleId, Severity, StudyConfig, ValueFact } from "./types.js";
import { ASSESSMENT_VALUES, CONSTRUCTS, LEVELS, NPT_IDS, britishSpelling, coreConstruct, isNptId } from "./npt.js";
import { Suggester, closest, didYouMean, editDistance } from "./suggest.js";
import { isRealDate } from "./config.js";
import { compareRanges } from "./text.js";
import { CODE_ID, toCodeId } from "./codebook.js";
import { listFix } from "./commalist.js";
import { screenIdentifiers } from "./identifiers.js";
import { applySuppressions } from "./suppress.js";

export const NOTE_FIELDS = ["practice", "date", "npt", "type", "observer", "participants", "level", "codes", "assessment"];
const REQUIRED = ["practice", "date", "npt"];
/** With `integration: false`, `npt` is optional (SPEC section 11). */
const REQUIRED_WITHOUT_NPT = ["practice", "date"];

export interface ValidationContext {
  config: StudyConfig;
  codebook: Codebook;
  practiceIds: Set<string>;
  /** Ids of the participant registry; empty when the study has none (participants are free strings). */
  participantIds: Set<string>;
  /** Today as YYYY-MM-DD in local time. */
  today: string;
  /** "Did you mean" over the ids valid where they stand (codes that a tag can name; practices), memoised. */
  suggest: { codes: Suggester; practices: Suggester };
}

export function localToday(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function makeContext(config: StudyConfig, codebook: Codebook, today = localToday()): ValidationContext {
  const practiceIds = new Set(config.practices.map((p) => p.id));
  // An id the codebook holds but that breaks the id syntax (`GP-Workload`) is never offered: it stays
  // invalid, and a tag cannot even spell `Practice_Champion`.
  const codes = new Suggester(codebook.order.filter((id) => CODE_ID.test(id)));
  return {
    config,
    codebook,
    practiceIds,
    // Older caches and workers may hand over a config without `participants`.
    participantIds: new Set((config.participants ?? []).map((p) => p.id)),
    today,
    suggest: { codes, practices: new Suggester(practiceIds) },
  };
}

function diag(rule: RuleId, severity: Severity, message: string, range: Range, suggestions?: string[], replaceRange?: Range): Diagnostic {
  const d: Diagnostic = { rule, severity, message, range };
  if (suggestions?.length || replaceRange) d.data = { ...(suggestions?.length ? { suggestions } : {}), ...(replaceRange ? { replaceRange } : {}) };
  return d;
}

/** One string or a list of strings; anything else is reported. */
function stringItems(entry: EntryFact, out: Diagnostic[]): { text: string; range: Range }[] {
  const v = entry.value!;
  const items = v.kind === "seq" ? v.items : [v];
  const result: { text: string; range: Range }[] = [];
  for (const item of items) {
    if (item.kind === "scalar" && item.type === "string") result.push({ text: item.text, range: item.range });
    else out.push(diag("field-type", "error", `\`${entry.key}\` takes one string or a list of strings; this is ${describe(item)}.`, item.range));
  }
  return result;
}

/** field-type at a tag fieldnotes does not read and its value, with the untagged value as the fix. */
function taggedValue(key: string, v: OtherFact): Diagnostic {
  const shape: Record<string, string> = {
    date: "a date as plain YYYY-MM-DD",
    npt: "an id or a list [a, b]",
    level: "a level or a list [a, b]",
    codes: "a code id or a list [a, b]",
    participants: "a name or a list [a, b]",
    assessment: "a mapping such as 'coherence: full'",
  };
  const what = shape[key] ?? "the plain value";
  // The untagged value is the fix, unless it is a set's mapping where a list is meant.
  const fix = v.untagged && (key === "assessment" || !v.untagged.startsWith("{")) ? [v.untagged] : undefined;
  const d = diag("field-type", "error", `\`${key}\` carries the YAML tag '${v.tag}', which fieldnotes does not read. Remove the tag and write ${what}.`, v.range, fix, v.range);
  if (fix) d.data!.title = `Remove the tag '${v.tag}'`;
  return d;
}

function describe(v: ValueFact): string {
  if (v.kind === "scalar") return v.type === "null" ? "empty" : `a ${v.type}`;
  if (v.kind === "seq") return "a list";
  if (v.kind === "map") return "a mapping";
  if (v.kind === "alias") return "an alias (fieldnotes does not expand aliases)";
  if (v.tag) return `a value with the YAML tag '${v.tag}', which fieldnotes does not read: remove the tag`;
  return "not a plain value";
}

function isEmpty(v: ValueFact | undefined): boolean {
  return !v || (v.kind === "seq" && v.items.length === 0) || (v.kind === "scalar" && (v.type === "null" || v.text === ""));
}

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2 } as const;

/** Document order: by range, errors before warnings before information. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => compareRanges(a.range, b.range) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/**
 * A note's diagnostics in document order and the error rules that exclude it (facts only when no
 * context), and its practice when it names one of the study's (for practice-folder-mismatch, which
 * depends on the path and is added by the study), unless a disable comment silences that rule there.
 */
export function verdictOf(
  facts: NoteFacts,
  ctx: ValidationContext | undefined,
): { diagnostics: Diagnostic[]; errorRules: string[]; practice?: { id: string; range: Range } } {
  const diagnostics = sortDiagnostics(ctx ? validateNote(facts, ctx) : applySuppressions(screenIdentifiers(facts.diagnostics), facts.suppressions));
  const errors = new Set<string>(diagnostics.filter((d) => d.severity === "error").map((d) => d.rule));
  if (facts.fatal) for (const d of facts.diagnostics) errors.add(d.rule);
  const verdict: ReturnType<typeof verdictOf> = { diagnostics, errorRules: [...errors].sort() };
  const practice = facts.fields?.find((f) => f.key === "practice")?.value;
  if (ctx && practice?.kind === "scalar" && ctx.practiceIds.has(practice.text)) {
    const probe: Diagnostic = { rule: "practice-folder-mismatch", severity: "warning", message: "", range: practice.range };
    if (applySuppressions([probe], facts.suppressions).length) verdict.practice = { id: practice.text, range: practice.range };
  }
  return verdict;
}

/**
 * A note's diagnostics under this study's config and codebook: its own (identifier warnings screened
 * by `identifiers.allow`), its fields' and its codes', less the warnings its disable comments silence.
 */
export function validateNote(facts: NoteFacts, ctx: ValidationContext): Diagnostic[] {
  const out: Diagnostic[] = screenIdentifiers(facts.diagnostics, ctx.config.identifiers?.allow);
  if (facts.fields) validateFields(facts.fields, facts.openRange, ctx, out);
  // Unknown inline codes are listed up to a limit: past it one error says how many more there are.
  // Each listed one costs a did-you-mean search and a diagnostic; a note of hundreds of thousands of
  // unknown tags (a pasted export, a hostile file) would otherwise cost minutes and gigabytes.
  let unknown = 0;
  let firstUnlisted: Range | undefined;
  for (const use of facts.codes) {
    if (!use.inline) continue;
    if (!ctx.codebook.codes.has(use.id) && ++unknown > MAX_UNKNOWN_LISTED) {
      firstUnlisted ??= use.range;
      continue;
    }
    checkCode(use.id, use.range, use.idRange, true, ctx, out);
  }
  if (firstUnlisted) {
    const more = unknown - MAX_UNKNOWN_LISTED;
    out.push(diag("code-unknown", "error", `${more.toLocaleString("en-GB")} more inline ${more === 1 ? "code is" : "codes are"} not in the codebook from here on (only the first ${MAX_UNKNOWN_LISTED.toLocaleString("en-GB")} are listed one by one).`, firstUnlisted));
  }
  return applySuppressions(out, facts.suppressions);
}

/** How many unknown inline codes of one note are reported one by one (see validateNote). */
export const MAX_UNKNOWN_LISTED = 1000;

function validateFields(fields: EntryFact[], openRange: Range, ctx: ValidationContext, out: Diagnostic[]): void {
  const byKey = new Map<string, EntryFact>();
  for (const f of fields) byKey.set(f.key, f);
  for (const key of ctx.config.integration === null ? REQUIRED_WITHOUT_NPT : REQUIRED) {
    const f = byKey.get(key);
    if (!f) out.push(diag("field-missing", "error", `The required field \`${key}\` is missing. Add '${key}: …' to the frontmatter.`, openRange));
    else if (isEmpty(f.value)) out.push(diag("field-missing", "error", `The required field \`${key}\` is empty. Give it a value.`, f.range));
  }
  for (const f of fields) {
    if (!NOTE_FIELDS.includes(f.key)) {
      const s = closest(f.key, NOTE_FIELDS, 1);
      // A key one or two edits from a known field is a misspelling that would silently drop its value.
      const near = s.length > 0 && editDistance(f.key.toLowerCase(), s[0], 2) <= 2;
      const message = near
        ? `'${f.key}' is not a field fieldnotes knows, so its value is not used.${didYouMean(s)}`
        : `'${f.key}' is not a field fieldnotes knows; it is kept but not used.${didYouMean(s)}`;
      out.push(diag("field-unknown", near ? "warning" : "information", message, f.keyRange, s));
      continue;
    }
    const v = f.value;
    if (isEmpty(v)) continue; // reported above for required fields; an empty optional field says nothing
    if (v!.kind === "other" && v!.tag) {
      out.push(taggedValue(f.key, v!));
      continue;
    }
    if (v!.kind === "alias" || v!.kind === "other") {
      out.push(diag("field-type", "error", `\`${f.key}\` is ${describe(v!)}; write the value itself.`, v!.range));
      continue;
    }
    if (LIST_FIELDS.includes(f.key) && commaList(f, v!, out)) continue;
    switch (f.key) {
      case "practice":
        checkPractice(f, v!, ctx, out);
        break;
      case "date":
        checkDate(v!, ctx, out);
        break;
      case "npt":
        for (const item of stringItems(f, out)) checkNpt(item.text, item.range, out);
        break;
      case "type":
        if (v!.kind !== "scalar" || v!.type !== "string") out.push(diag("field-type", "error", `\`type\` takes one note type; this is ${describe(v!)}.`, v!.range));
        else if (!ctx.config.types.includes(v!.text)) {
          const s = closest(v!.text, ctx.config.types);
          out.push(diag("type-unknown", "error", `'${v!.text}' is not a note type of this study (${ctx.config.types.join(", ")}).${didYouMean(s)}`, v!.range, s));
        }
        break;
      case "observer":
        if (v!.kind !== "scalar") out.push(diag("field-type", "error", `\`observer\` takes one name or initials; this is ${describe(v!)}.`, v!.range));
        break;
      case "participants":
        for (const item of stringItems(f, out)) checkParticipant(item.text, item.range, ctx, out);
        break;
      case "level":
        for (const item of stringItems(f, out)) {
          if (!(LEVELS as readonly string[]).includes(item.text)) {
            const s = closest(item.text, LEVELS);
            out.push(diag("level-unknown", "error", `'${item.text}' is not a level; use patient, practice or community.${didYouMean(s)}`, item.range, s));
          }
        }
        break;
      case "codes":
        for (const item of stringItems(f, out)) checkCode(item.text, item.range, item.range, false, ctx, out);
        break;
      case "assessment":
        checkAssessment(v!, out);
        break;
    }
  }
}

const LIST_FIELDS = ["npt", "level", "codes", "participants"];

/**
 * A list field written as one string with commas (`npt: coherence, collective-action`): one
 * field-type error saying to write a list, with that list as the quick fix. True when reported, so
 * the string is never taken as one id or one participant. A quoted participant ("Smith, J") is
 * left alone: quoting says it is one value.
 */
function commaList(f: EntryFact, v: ValueFact, out: Diagnostic[]): boolean {
  if (v.kind !== "scalar" || v.type !== "string" || !v.text.includes(",")) return false;
  if (f.key === "participants" && v.quoted) return false;
  const fix = listFix(v.text);
  const d = diag("field-type", "error", `\`${f.key}\` takes a list, and commas do not make one: write a list: ${fix}`, v.range, [fix], v.range);
  d.data!.title = `Write a list: ${fix}`;
  out.push(d);
  return true;
}

function checkPractice(f: EntryFact, v: ValueFact, ctx: ValidationContext, out: Diagnostic[]): void {
  if (v.kind !== "scalar") {
    out.push(diag("field-type", "error", `\`practice\` takes one practice id; this is ${describe(v)}.`, v.range));
    return;
  }
  if (!ctx.practiceIds.has(v.text)) {
    const s = ctx.suggest.practices.closest(v.text);
    out.push(diag("practice-unknown", "error", `'${v.text}' is not a practice in fieldnotes.yaml.${didYouMean(s)}`, v.range, s));
  }
}

/** With a registry, a participant must be one of its ids (SPEC section 11); without one, any string goes. */
function checkParticipant(id: string, range: Range, ctx: ValidationContext, out: Diagnostic[]): void {
  if (!ctx.participantIds.size || ctx.participantIds.has(id)) return;
  const s = suggestIds(id, ctx.participantIds);
  out.push(diag("participant-unknown", "error", `'${id}' is not a participant in fieldnotes.yaml.${didYouMean(s)}`, range, s));
}

/** Closest ids for a "did you mean": a case-only difference offers just that id (SPEC section 6). */
export function suggestIds(word: string, ids: Iterable<string>): string[] {
  const lower = word.toLowerCase();
  for (const id of ids) if (id.toLowerCase() === lower) return [id];
  return closest(word, ids);
}

function checkDate(v: ValueFact, ctx: ValidationContext, out: Diagnostic[]): void {
  if (v.kind !== "scalar") {
    out.push(diag("field-type", "error", `\`date\` takes one date YYYY-MM-DD; this is ${describe(v)}.`, v.range));
    return;
  }
  if (!isRealDate(v.text)) {
    const shape = /^\d{4}-\d{2}-\d{2}$/.test(v.text) ? "there is no such day" : "write it as YYYY-MM-DD";
    out.push(diag("date-invalid", "error", `'${v.text}' is not a valid date: ${shape}.`, v.range));
    return;
  }
  const period = ctx.config.period;
  if (period && (v.text < period.start || v.text > period.end)) {
    out.push(diag("date-outside-period", "warning", `${v.text} is outside the study period (${period.start} to ${period.end}).`, v.range));
  }
  if (v.text > ctx.today) out.push(diag("date-future", "warning", `${v.text} is in the future. Check the date.`, v.range));
}

function checkNpt(id: string, range: Range, out: Diagnostic[]): void {
  if (isNptId(id)) return;
  const british = britishSpelling(id);
  if (british) {
    out.push(diag("npt-spelling", "warning", `'${id}' uses the American spelling; NPT uses '${british}'.`, range, [british]));
    return;
  }
  const s = closest(id, NPT_IDS);
  out.push(diag("npt-unknown", "error", `'${id}' is not an NPT construct or sub-construct.${didYouMean(s)}`, range, s));
}

function checkCode(id: string, range: Range, idRange: Range, inline: boolean, ctx: ValidationContext, out: Diagnostic[]): void {
  const entry = ctx.codebook.codes.get(id);
  const shown = inline ? `#${id}` : id;
  if (!entry) {
    const s = ctx.suggest.codes.closest(id);
    const valid = CODE_ID.test(id);
    const fixed = toCodeId(id);
    const advice = s.length
      ? `${didYouMean(s)} Or add it to the codebook.`
      : valid
        ? " Add it to the codebook, or correct it."
        : ` Code ids are lower-case words joined by hyphens${fixed ? ` ('${fixed}')` : ""}: correct it, and add that code to the codebook if it is new.`;
    const d = diag("code-unknown", "error", `'${shown}' is not a code in the codebook.${advice}`, range, s, idRange);
    d.data!.code = id;
    out.push(d);
  } else if (entry.deprecated) {
    const to = entry.replacedBy;
    out.push(diag("code-deprecated", "warning", `'${shown}' is deprecated.${to ? ` Use '${to}' instead.` : ""}`, range, to ? [to] : undefined, idRange));
  }
}

function checkAssessment(v: ValueFact, out: Diagnostic[]): void {
  if (v.kind !== "map") {
    out.push(diag("field-type", "error", `\`assessment\` takes a mapping like 'coherence: full'; this is ${describe(v)}.`, v.range));
    return;
  }
  for (const e of v.entries) {
    if (!(CONSTRUCTS as readonly string[]).includes(e.key)) {
      const core = coreConstruct(e.key);
      const s = core ? [core] : closest(e.key, CONSTRUCTS);
      out.push(diag("assessment-invalid", "error", `'${e.key}' is not a core NPT construct; assess coherence, cognitive-participation, collective-action or reflexive-monitoring.${didYouMean(s)}`, e.keyRange, s));
    }
    const value = e.value;
    if (!value || value.kind !== "scalar" || !(ASSESSMENT_VALUES as readonly string[]).includes(value.text)) {
      const text = value && value.kind === "scalar" ? value.text : "";
      const s = closest(text, ASSESSMENT_VALUES);
      out.push(diag("assessment-invalid", "error", `The assessment of '${e.key}' must be full, partial or absent.${didYouMean(s)}`, value?.range ?? e.range, s));
    }
  }
}

/** What the summary needs of an included note, read from its (valid) fields. */
export interface NoteReading {
  practice: string;
  date: string;
  type?: string;
  constructs: Set<string>;
  levels: string[];
  frontCodes: string[];
  assessment: [string, string][];
  /** `participants` values as written (distinct, in order). */
  participants: string[];
  /** `observer` as text (a number as its source text), or null. */
  observer: string | null;
}

export function readNote(facts: NoteFacts): NoteReading | undefined {
  if (!facts.fields) return undefined;
  const get = (k: string) => facts.fields!.find((f) => f.key === k)?.value;
  const list = (v: ValueFact | undefined): string[] =>
    !v ? [] : (v.kind === "seq" ? v.items : [v]).flatMap((i) => (i.kind === "scalar" && i.type === "string" ? [i.text] : []));
  const practice = get("practice");
  const date = get("date");
  if (practice?.kind !== "scalar" || date?.kind !== "scalar") return undefined;
  const type = get("type");
  const observer = get("observer");
  const assessment = get("assessment");
  const constructs = new Set<string>();
  for (const id of list(get("npt"))) {
    const c = coreConstruct(id);
    if (c) constructs.add(c);
  }
  return {
    practice: practice.text,
    date: date.text,
    type: type?.kind === "scalar" && type.type === "string" ? type.text : undefined,
    constructs,
    levels: [...new Set(list(get("level")))],
    frontCodes: list(get("codes")),
    participants: [...new Set(list(get("participants")))],
    observer: observer?.kind === "scalar" && observer.type !== "null" ? observer.text : null,
    assessment: assessment?.kind === "map" ? assessment.entries.flatMap((e) => (e.value?.kind === "scalar" ? [[e.key, e.value.text] as [string, string]] : [])) : [],
  };
}
