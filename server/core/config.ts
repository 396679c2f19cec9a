// fieldnotes.yaml: the study configuration (SPEC section 2). Every problem is a `config-invalid`
// diagnostic located on the offending YAML node.
import { readStudyText, StudyFileError } from "./studyfile.js";
import type { Diagnostic, EntryFact, IntegrationRule, MapFact, Participant, Practice, Range, StudyConfig, ValueFact } from "./types.js";
import { LineIndex, ZERO_RANGE, lineRange } from "./text.js";
import { parseYamlFacts, scalarText } from "./yamlfacts.js";
import { CONSTRUCTS, DEFAULT_TYPES, LEVELS } from "./npt.js";
import { closest, didYouMean } from "./suggest.js";

export const CONFIG_FILE = "fieldnotes.yaml";
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PRACTICE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const KNOWN_KEYS = ["study", "period", "notes", "ignore", "codebook", "types", "practices", "participants", "integration", "identifiers"];

export interface ConfigResult {
  /** Undefined when the file is unusable (no study can be checked against it). */
  config?: StudyConfig;
  diagnostics: Diagnostic[];
  /** Range of the `codebook` key, for a missing-codebook diagnostic. */
  codebookKeyRange?: Range;
  /** Range of the `notes` setting, where file-unmatched points. */
  notesKeyRange?: Range;
  /** The codebook path as configured, known even when other settings are invalid (so a missing codebook is reported with them). */
  codebookPath?: string;
}

export function isRealDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function parseConfig(text: string): ConfigResult {
  const index = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const problem = (message: string, range: Range) => diagnostics.push({ rule: "config-invalid", severity: "error", message, range });
  const parsed = parseYamlFacts(text, 0, index);
  for (const p of parsed.problems) problem(`fieldnotes.yaml: ${p.message}`, p.range);
  if (parsed.problems.length) return { diagnostics };
  const root = parsed.value;
  if (!root || root.kind !== "map") {
    problem("fieldnotes.yaml must be a mapping with at least `study` and `practices`.", root?.range ?? lineRange(index, 0));
    return { diagnostics };
  }
  const get = (key: string) => root.entries.find((e) => e.key === key);
  for (const e of root.entries) {
    if (!KNOWN_KEYS.includes(e.key)) {
      problem(`Unknown setting '${e.key}'.${didYouMean(closest(e.key, KNOWN_KEYS, 1))}`, e.keyRange);
    }
  }

  const studyEntry = get("study");
  const study = scalarText(studyEntry?.value);
  if (!study) problem("`study` is required: the name of the study, a string.", studyEntry?.keyRange ?? lineRange(index, 0));

  let period: StudyConfig["period"];
  const periodEntry = get("period");
  if (periodEntry) {
    const v = periodEntry.value;
    const start = v?.kind === "map" ? v.entries.find((e) => e.key === "start") : undefined;
    const end = v?.kind === "map" ? v.entries.find((e) => e.key === "end") : undefined;
    const s = scalarText(start?.value);
    const t = scalarText(end?.value);
    if (!s || !isRealDate(s)) problem("`period.start` must be a date YYYY-MM-DD.", start?.range ?? periodEntry.range);
    if (!t || !isRealDate(t)) problem("`period.end` must be a date YYYY-MM-DD.", end?.range ?? periodEntry.range);
    if (s && t && isRealDate(s) && isRealDate(t)) {
      if (s > t) problem("`period.start` is after `period.end`.", periodEntry.range);
      else period = { start: s, end: t };
    }
  }

  const stringList = (entry: EntryFact | undefined, name: string, fallback: string[]): string[] => {
    if (!entry) return fallback;
    const v = entry.value;
    const items = v?.kind === "seq" ? v.items : v ? [v] : [];
    const out: string[] = [];
    for (const item of items) {
      const s = scalarText(item);
      if (s === undefined || (item.kind === "scalar" && item.type !== "string")) problem(`\`${name}\` must be a list of strings.`, item.range);
      else out.push(s);
    }
    if (!v) problem(`\`${name}\` is empty.`, entry.range);
    return out;
  };
  const notes = stringList(get("notes"), "notes", ["**/*.md"]);
  const ignore = stringList(get("ignore"), "ignore", []);
  const types = stringList(get("types"), "types", DEFAULT_TYPES);

  const codebookEntry = get("codebook");
  let codebook = "codebook.yaml";
  if (codebookEntry) {
    const s = scalarText(codebookEntry.value);
    if (!s) problem("`codebook` must be a path relative to the study root.", codebookEntry.range);
    else if (s.startsWith("/") || s.split(/[\\/]/).includes("..")) problem("`codebook` must be a path inside the study, without '..'.", codebookEntry.value!.range);
    else codebook = s;
  }

  const practices: Practice[] = [];
  const practicesEntry = get("practices");
  const pv = practicesEntry?.value;
  if (!practicesEntry || !pv || pv.kind !== "seq" || pv.items.length === 0) {
    problem("`practices` is required: a non-empty list of practices, each with an `id`.", practicesEntry?.range ?? lineRange(index, 0));
  } else {
    const seen = new Set<string>();
    for (const item of pv.items) {
      if (item.kind !== "map") {
        problem("Each practice must be a mapping with an `id`.", item.range);
        continue;
      }
      const idEntry = item.entries.find((e) => e.key === "id");
      const id = scalarText(idEntry?.value);
      if (!idEntry || id === undefined) {
        problem("The practice has no `id`.", item.range);
        continue;
      }
      if (!PRACTICE_ID.test(id)) {
        problem(`Practice id '${id}' must match [A-Za-z0-9][A-Za-z0-9_-]*.`, idEntry.value!.range);
        continue;
      }
      if (seen.has(id)) {
        problem(`Practice id '${id}' is listed twice.`, idEntry.value!.range);
        continue;
      }
      seen.add(id);
      let name: string | undefined;
      const attributes = readAttributes(item, problem, (e) => {
        if (e.key !== "name") return false;
        name = scalarText(e.value);
        if (name === undefined) problem("`name` must be a string.", e.range);
        return true;
      });
      practices.push({ id, name, attributes, range: idEntry.value!.range });
    }
  }

  const participants = readParticipants(get("participants"), problem);

  let integration: IntegrationRule | null = { constructs: ["coherence", "cognitive-participation", "collective-action"], levels: [...LEVELS] as string[] };
  const integrationEntry = get("integration");
  if (integrationEntry) {
    const v = integrationEntry.value;
    if (v?.kind === "scalar" && v.type === "boolean" && v.text === "false") integration = null;
    else if (!v || v.kind !== "map") problem("`integration` must be a mapping with `constructs` and `levels`, or `false` for a study without the NPT integration judgement.", integrationEntry.range);
    else {
      const c = v.entries.find((e) => e.key === "constructs");
      const l = v.entries.find((e) => e.key === "levels");
      if (c) {
        integration.constructs = checkedList(c.value, CONSTRUCTS as readonly string[], "construct", problem) ?? integration.constructs;
      }
      if (l) integration.levels = checkedList(l.value, LEVELS as readonly string[], "level", problem) ?? integration.levels;
    }
  }

  // identifiers: { allow: [...] }: exact texts that identifier-suspected never reports (SPEC section 6).
  let identifiers: StudyConfig["identifiers"];
  const identifiersEntry = get("identifiers");
  if (identifiersEntry) {
    const v = identifiersEntry.value;
    if (!v || v.kind !== "map") problem("`identifiers` must be a mapping such as '{ allow: [\"Dr Foster\"] }'.", identifiersEntry.range);
    else {
      for (const e of v.entries) if (e.key !== "allow") problem(`Unknown setting 'identifiers.${e.key}'; the only one is \`allow\`.`, e.keyRange);
      const allow = v.entries.find((e) => e.key === "allow");
      if (allow) identifiers = { allow: stringList(allow, "identifiers.allow", []) };
    }
  }

  if (diagnostics.length || !study) return { diagnostics, codebookKeyRange: codebookEntry?.range, codebookPath: codebook };
  return {
    notesKeyRange: get("notes")?.keyRange,
    config: { study, period, notes, ignore, codebook, types, practices, participants, integration, ...(identifiers ? { identifiers } : {}) },
    diagnostics,
    codebookKeyRange: codebookEntry?.range,
    codebookPath: codebook,
  };
}

/**
 * The attributes of a registry entry (practice or participant): every key but `id` whose value is a
 * number, boolean or string; anything else is config-invalid. `special` claims keys read otherwise (`name`).
 */
function readAttributes(
  item: MapFact,
  problem: (m: string, r: Range) => void,
  special: (e: EntryFact) => boolean = () => false,
): Record<string, number | boolean | string> {
  const attributes: Record<string, number | boolean | string> = Object.create(null);
  for (const e of item.entries) {
    if (e.key === "id" || special(e)) continue;
    const v = e.value;
    if (!v || v.kind !== "scalar" || v.type === "null") {
      problem(`Attribute '${e.key}' must be a number, a boolean or a string.`, e.range);
      continue;
    }
    attributes[e.key] = v.type === "number" ? Number(v.text) : v.type === "boolean" ? v.text === "true" : v.text;
    if (v.type === "number" && !Number.isFinite(attributes[e.key] as number)) attributes[e.key] = v.text;
  }
  return attributes;
}

/**
 * The participant registry (SPEC section 11): a list of mappings, each with a unique id of the practice
 * id syntax and number, boolean or string attributes. Absent or empty: no registry (`[]`).
 */
function readParticipants(entry: EntryFact | undefined, problem: (m: string, r: Range) => void): Participant[] {
  const out: Participant[] = [];
  if (!entry) return out;
  const v = entry.value;
  if (!v || (v.kind === "scalar" && v.type === "null") || (v.kind === "seq" && v.items.length === 0)) return out;
  if (v.kind !== "seq") {
    problem("`participants` must be a list of participants, each with an `id` (e.g. '- id: LW01').", v.range);
    return out;
  }
  const seen = new Set<string>();
  for (const item of v.items) {
    if (item.kind !== "map") {
      problem("Each participant must be a mapping with an `id`.", item.range);
      continue;
    }
    const idEntry = item.entries.find((e) => e.key === "id");
    const id = scalarText(idEntry?.value);
    if (!idEntry || id === undefined || id === "") {
      problem("The participant has no `id`.", item.range);
      continue;
    }
    if (!PRACTICE_ID.test(id)) {
      problem(`Participant id '${id}' must match [A-Za-z0-9][A-Za-z0-9_-]*.`, idEntry.value!.range);
      continue;
    }
    if (seen.has(id)) {
      problem(`Participant id '${id}' is listed twice.`, idEntry.value!.range);
      continue;
    }
    seen.add(id);
    out.push({ id, attributes: readAttributes(item, problem), range: idEntry.value!.range });
  }
  return out;
}

function checkedList(
  v: ValueFact | undefined,
  allowed: readonly string[],
  what: string,
  problem: (m: string, r: Range) => void,
): string[] | undefined {
  const items = v?.kind === "seq" ? v.items : v ? [v] : [];
  const out: string[] = [];
  for (const item of items) {
    const s = scalarText(item);
    if (s !== undefined && allowed.includes(s)) out.push(s);
    else problem(`'${s ?? "?"}' is not a core ${what} (${allowed.join(", ")}).${didYouMean(closest(s ?? "", allowed, 1))}`, item.range);
  }
  return out;
}

/** The codebook could not be read: missing, or (with `refusal`, a StudyFileError's message) refused. */
export function missingCodebookDiagnostic(path: string, keyRange: Range | undefined, refusal?: string): Diagnostic {
  return {
    rule: "config-invalid",
    severity: "error",
    message: refusal
      ? `The codebook file cannot be used: ${refusal} Point \`codebook\` at a regular file inside the study.`
      : `The codebook file '${path}' does not exist. Create it (codes: …) or point \`codebook\` at it.`,
    range: keyRange ?? ZERO_RANGE,
  };
}

/**
 * Reads and parses `<root>/fieldnotes.yaml` (through readStudyText: never a link, a FIFO or a file
 * outside the study); a missing or unreadable file is one diagnostic at line 0.
 */
export function loadConfig(root: string, realRoot?: string): ConfigResult {
  let text: string;
  try {
    text = readStudyText(root, CONFIG_FILE, { realRoot });
  } catch (err) {
    const message = err instanceof StudyFileError ? err.message : `fieldnotes.yaml cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}.`;
    return { diagnostics: [{ rule: "config-invalid", severity: "error", message, range: ZERO_RANGE }] };
  }
  return parseConfig(text);
}
