// REFI-QDA export (SPEC section 13): the study as a `.qdpx` (project.qde plus sources/<guid>.txt) or its
// codebook as a `.qdc`. Every GUID is derived from the study and the item (guid.ts), the XML layout and
// the ZIP entry order and timestamps are fixed: an unchanged study exports byte-identical files.
import { basename } from "node:path";
import type { Codebook, EntryFact, NoteFacts, ValueFact } from "../types.js";
import type { Study } from "../study.js";
import { decodeBytes } from "../text.js";
import { parseNoteBytes } from "../note.js";
import { contentHash } from "../cache.js";
import { readStudyFile } from "../studyfile.js";
import { CONSTRUCTS, SUB_CONSTRUCTS, britishSpelling, coreConstruct, isNptId } from "../npt.js";
import { guidMaker } from "./guid.js";
import { XmlWriter, escapeText, type Attrs } from "./xml.js";
import { writeZip, type ZipInput } from "./zip.js";
import { exportBody, locateSegments } from "./offsets.js";
import { registeredParticipants } from "./participants.js";
import { valueElement, variableType, type AttributeValue, type VariableType } from "./variables.js";
import { RefiError } from "./errors.js";
import { CODEBOOK_NS, PROJECT_NS } from "./model.js";

/** The `origin` of every project and codebook fieldnotes writes; import reads such projects back exactly. */
export const ORIGIN = "fieldnotes 0.1.0";
/** The name of the NPT code tree's root (not a theme code). */
export const NPT_ROOT = "NPT";
const FIELDNOTES_USER = "fieldnotes";

export type ExportFormat = "qdpx" | "qdc";

export interface ExportResult {
  /** The file's bytes: a ZIP for qdpx, UTF-8 XML for qdc. */
  bytes: Uint8Array;
  /** Default file name: the study folder's name with the format's extension. */
  fileName: string;
  /** Notes not exported (they have errors), with their error rules, by path. */
  excluded: { file: string; rules: string[] }[];
  /** What went in: sources (notes), selections (coded segments), codings, codes, cases. */
  counts: { sources: number; selections: number; codings: number; codes: number; cases: number };
  /** Problems that left something out (a coded segment whose text could not be found again), by note. */
  warnings: string[];
}

/** One included note, read for export. */
interface ExportNote {
  file: string;
  guid: string;
  practice: string;
  date: string;
  type?: string;
  observer?: string;
  participants: string[];
  npt: string[];
  codes: string[];
  assessment: [string, string][];
  body: string;
  selections: { start: number; end: number; codes: string[] }[];
  /** Coded segments that could not be located in the text (never expected). */
  lost: number;
}

/**
 * Exports the study (opened and indexed) as `format`. Included notes only; excluded ones are listed in
 * the result. Notes are read from disk again for their bodies (a note whose bytes changed since the
 * index read it is parsed again, so its selections always match the text written).
 * Throws RefiError when the configuration is invalid.
 */
export function exportStudy(study: Study, format: ExportFormat): ExportResult {
  const config = study.config;
  if (!config) throw new RefiError("The study configuration is invalid; fix fieldnotes.yaml first (run 'fieldnotes check').");
  const g = guidMaker(config.study);
  // GUIDs named again and again (a code per coding, a user per source) are made once.
  const made = new Map<string, string>();
  const once = (item: string) => {
    let guid = made.get(item);
    if (guid === undefined) made.set(item, (guid = g(item)));
    return guid;
  };
  const records = [...study.notes.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const excluded = records.filter((r) => r.excluded).map((r) => ({ file: r.file, rules: r.errorRules }));
  const fileName = `${basename(study.root) || "study"}.${format}`;
  const codebookXml = (w: XmlWriter) => writeCodes(w, study.codebook, g);

  if (format === "qdc") {
    const w = new XmlWriter();
    w.open("CodeBook", [["xmlns", CODEBOOK_NS], ["origin", ORIGIN]]);
    codebookXml(w);
    writeSets(w, study.codebook, g, true);
    w.close("CodeBook");
    return { bytes: Buffer.from(w.toString(), "utf8"), fileName, excluded, counts: { sources: 0, selections: 0, codings: 0, codes: study.codebook.order.length, cases: 0 }, warnings: [] };
  }

  const notes: ExportNote[] = [];
  const warnings: string[] = [];
  for (const r of records) {
    if (r.excluded) continue;
    const note = readForExport(study, r.file, r.hash, r.facts, g);
    if (!note) warnings.push(`${r.file}: ${r.facts.fatal ? "fieldnotes does not read this note (file-skipped)" : "the note could not be read again"}; not exported.`);
    else {
      if (note.lost) warnings.push(`${r.file}: ${note.lost} coded segment(s) could not be found in the note's text again; not exported.`);
      notes.push(note);
    }
  }
  const participants = registeredParticipants(study.root, config);
  const counts = { sources: notes.length, selections: 0, codings: 0, codes: study.codebook.order.length, cases: config.practices.length + participants.length };

  const w = new XmlWriter();
  const fieldnotesUser = g(`user:${FIELDNOTES_USER}`);
  w.open("Project", [["xmlns", PROJECT_NS], ["name", config.study], ["origin", ORIGIN], ["creatingUserGUID", fieldnotesUser]]);

  // Users: fieldnotes, then every observer (sorted).
  const observers = [...new Set(notes.flatMap((n) => (n.observer !== undefined ? [n.observer] : [])))].filter((o) => o !== FIELDNOTES_USER).sort();
  w.open("Users");
  w.empty("User", [["guid", fieldnotesUser], ["name", FIELDNOTES_USER]]);
  for (const o of observers) w.empty("User", [["guid", g(`user:${o}`)], ["name", o]]);
  w.close("Users");
  const userOf = (n: ExportNote) => (n.observer !== undefined ? once(`user:${n.observer}`) : fieldnotesUser);

  w.open("CodeBook");
  codebookXml(w);
  w.close("CodeBook");

  // Variables: case attributes, then the source variables.
  const practiceVars = attributeVariables(config.practices.map((p) => p.attributes));
  const participantVars = attributeVariables(participants.map((p) => p.attributes));
  const sourceVars: [string, VariableType][] = [["date", "Date"], ["type", "Text"], ["observer", "Text"], ...CONSTRUCTS.map((c) => [`assessment.${c}`, "Text"] as [string, VariableType])];
  const variableGuid = (name: string) => once(`variable:${name}`);
  w.open("Variables");
  for (const [name, type] of practiceVars) w.empty("Variable", [["guid", variableGuid(`practice.${name}`)], ["name", `practice.${name}`], ["typeOfVariable", type]]);
  for (const [name, type] of participantVars) w.empty("Variable", [["guid", variableGuid(`participant.${name}`)], ["name", `participant.${name}`], ["typeOfVariable", type]]);
  for (const [name, type] of sourceVars) w.empty("Variable", [["guid", variableGuid(name)], ["name", name], ["typeOfVariable", type]]);
  w.close("Variables");
  const valueXml = (w2: XmlWriter, variable: string, type: VariableType, v: AttributeValue) => {
    const [el, text] = valueElement(type, v);
    w2.line(`<VariableValue><VariableRef targetGUID="${variableGuid(variable)}"/><${el}>${escapeText(text)}</${el}></VariableValue>`);
  };

  // Cases: practices, then registered participants.
  w.open("Cases");
  for (const p of config.practices) {
    w.open("Case", [["guid", g(`case:practice:${p.id}`)], ["name", p.id]]);
    if (p.name) w.text("Description", p.name);
    for (const [name, type] of practiceVars) if (name in p.attributes) valueXml(w, `practice.${name}`, type, p.attributes[name]);
    for (const n of notes) if (n.practice === p.id) w.line(`<SourceRef targetGUID="${n.guid}"/>`);
    w.close("Case");
  }
  for (const p of participants) {
    w.open("Case", [["guid", g(`case:participant:${p.id}`)], ["name", p.id]]);
    w.text("Description", PARTICIPANT_CASE);
    for (const [name, type] of participantVars) if (name in p.attributes) valueXml(w, `participant.${name}`, type, p.attributes[name]);
    for (const n of notes) if (n.participants.includes(p.id)) w.line(`<SourceRef targetGUID="${n.guid}"/>`);
    w.close("Case");
  }
  w.close("Cases");

  if (notes.length) {
    w.open("Sources");
    for (const n of notes) {
      const user = userOf(n);
      w.open("TextSource", [["guid", n.guid], ["name", n.file], ["plainTextPath", `internal://${n.guid}.txt`], ["creatingUser", user], ["creationDateTime", `${n.date}T00:00:00Z`]]);
      for (const s of n.selections) {
        const key = `${n.file}:${s.start}:${s.end}`;
        // GUIDs (hex and dashes) and numbers need no escaping: the hot elements are written as text.
        w.openLine(`<PlainTextSelection guid="${g(`selection:${key}`)}" startPosition="${s.start}" endPosition="${s.end}" creatingUser="${user}">`);
        for (const code of s.codes) codingXml(w, g(`coding:${key}:${code}`), user, once(`code:${code}`));
        w.close("PlainTextSelection");
        counts.selections++;
        counts.codings += s.codes.length;
      }
      for (const code of n.codes) codingXml(w, g(`coding:${n.file}:code:${code}`), user, once(`code:${code}`));
      for (const id of n.npt) codingXml(w, g(`coding:${n.file}:npt:${id}`), user, once(`npt:${id}`));
      counts.codings += n.codes.length + n.npt.length;
      valueXml(w, "date", "Date", n.date);
      if (n.type !== undefined) valueXml(w, "type", "Text", n.type);
      if (n.observer !== undefined) valueXml(w, "observer", "Text", n.observer);
      for (const c of CONSTRUCTS) {
        const a = n.assessment.find(([k]) => k === c);
        if (a) valueXml(w, `assessment.${c}`, "Text", a[1]);
      }
      w.close("TextSource");
    }
    w.close("Sources");
  }
  writeSets(w, study.codebook, g, false);
  w.close("Project");

  const entries: ZipInput[] = [{ name: "project.qde", data: Buffer.from(w.toString(), "utf8") }];
  // The sources are stored, not deflated: DEFLATE was a third of an export's time, and every reader
  // takes stored entries (APPNOTE 4.4.5, method 0). project.qde, most of the bytes, is deflated.
  for (const n of notes) entries.push({ name: `sources/${n.guid}.txt`, data: Buffer.from(n.body, "utf8"), store: true });
  return { bytes: writeZip(entries), fileName, excluded, counts, warnings };
}

/** The Description of a participant's Case: how import tells participants from practices. */
export const PARTICIPANT_CASE = "participant";

/** A Coding of `code` (all three are GUIDs, which need no escaping). */
function codingXml(w: XmlWriter, guid: string, user: string, code: string): void {
  w.openLine(`<Coding guid="${guid}" creatingUser="${user}">`);
  w.line(`<CodeRef targetGUID="${code}"/>`);
  w.close("Coding");
}

/** Attribute names over a registry (first appearance order) with their variable types. */
function attributeVariables(registry: Record<string, AttributeValue>[]): [string, VariableType][] {
  const names: string[] = [];
  for (const attrs of registry) for (const k of Object.keys(attrs)) if (!names.includes(k)) names.push(k);
  return names.map((k) => [k, variableType(registry.flatMap((a) => (k in a ? [a[k]] : [])))]);
}

/**
 * Codes (codebook order, each nested under its `parent`; a code whose parents are unknown or form a
 * cycle stands at the top), then the NPT tree. The same in a project and a .qdc.
 */
function writeCodes(w: XmlWriter, codebook: Codebook, g: (item: string) => string): void {
  const parentOf = new Map<string, string | undefined>();
  for (const id of codebook.order) {
    const parent = codebook.codes.get(id)!.parent;
    let ok = parent !== undefined && codebook.codes.has(parent);
    const seen = new Set([id]);
    for (let cur = parent; ok && cur !== undefined; cur = codebook.codes.get(cur)?.parent) {
      if (seen.has(cur)) ok = false;
      seen.add(cur);
      if (!codebook.codes.has(cur)) break;
    }
    parentOf.set(id, ok ? parent : undefined);
  }
  const children = new Map<string | undefined, string[]>();
  for (const id of codebook.order) {
    const p = parentOf.get(id);
    if (!children.has(p)) children.set(p, []);
    children.get(p)!.push(id);
  }
  const writeCode = (id: string) => {
    const c = codebook.codes.get(id)!;
    const attrs: Attrs = [["guid", g(`code:${id}`)], ["name", id], ["isCodable", "true"]];
    const description = [c.label, c.description].filter((s) => s !== undefined && s !== "").join("\n\n");
    const kids = children.get(id) ?? [];
    if (!description && !kids.length) return w.empty("Code", attrs);
    w.open("Code", attrs);
    if (description) w.text("Description", description);
    for (const k of kids) writeCode(k);
    w.close("Code");
  };
  w.open("Codes");
  for (const id of children.get(undefined) ?? []) writeCode(id);
  w.open("Code", [["guid", g(`npt:${NPT_ROOT}`)], ["name", NPT_ROOT], ["isCodable", "false"]]);
  for (const c of CONSTRUCTS) {
    w.open("Code", [["guid", g(`npt:${c}`)], ["name", c], ["isCodable", "true"]]);
    for (const s of SUB_CONSTRUCTS[c]) w.empty("Code", [["guid", g(`npt:${c}/${s}`)], ["name", `${c}/${s}`], ["isCodable", "true"]]);
    w.close("Code");
  }
  w.close("Code");
  w.close("Codes");
}

/** One Set per core construct with theme codes mapped to it ("NPT: <construct>"); none when no code has `npt`. */
function writeSets(w: XmlWriter, codebook: Codebook, g: (item: string) => string, inCodebook: boolean): void {
  const sets = CONSTRUCTS.map((c) => [c, codebook.order.filter((id) => {
    const npt = codebook.codes.get(id)!.npt;
    return npt !== undefined && coreConstruct(npt) === c;
  })] as const).filter(([, ids]) => ids.length);
  if (!sets.length) return;
  w.open("Sets");
  for (const [c, ids] of sets) {
    w.open("Set", [["guid", g(`set:npt:${c}`)], ["name", `NPT: ${c}`]]);
    for (const id of ids) w.empty("MemberCode", [[inCodebook ? "guid" : "targetGUID", g(`code:${id}`)]]);
    w.close("Set");
  }
  w.close("Sets");
}

function field(fields: EntryFact[] | undefined, key: string): ValueFact | undefined {
  return fields?.find((f) => f.key === key)?.value;
}

function scalars(v: ValueFact | undefined): string[] {
  if (!v) return [];
  return (v.kind === "seq" ? v.items : [v]).flatMap((i) => (i.kind === "scalar" && i.type !== "null" ? [i.text] : []));
}

/**
 * Reads one included note for export: its fields, its body (after the frontmatter; LF line ends) and
 * its coded segments as code point ranges of that body. Undefined when the file is gone.
 */
function readForExport(study: Study, file: string, hash: string, indexed: NoteFacts, g: (item: string) => string): ExportNote | undefined {
  let bytes: Uint8Array;
  try {
    // Through the study's one safe reader: never a link, a pipe or a file outside the study.
    bytes = readStudyFile(study.root, file, { realRoot: study.realRoot }).bytes;
  } catch {
    return undefined;
  }
  const facts = hash && contentHash(bytes) === hash ? indexed : parseNoteBytes(bytes);
  if (facts.fatal || !facts.fields) return undefined;
  const text = decodeBytes(bytes).text;
  const bodyStart = frontmatterEnd(text);
  const fields = facts.fields;
  const scalar = (key: string) => {
    const v = field(fields, key);
    return v?.kind === "scalar" && v.type !== "null" ? v.text : undefined;
  };
  const practice = scalar("practice");
  const date = scalar("date");
  if (practice === undefined || date === undefined) return undefined;
  const located = locateSegments(text, facts.segments);
  const found = facts.segments.flatMap((s, i) => (located[i] && located[i]![0] >= bodyStart ? [{ codes: s.codes, range: located[i]! }] : []));
  const { body, positions } = exportBody(text, bodyStart, found.flatMap((s) => s.range));
  const nptIds = scalars(field(fields, "npt")).map((id) => (isNptId(id) ? id : britishSpelling(id))).filter((id): id is string => !!id);
  const assessment = field(fields, "assessment");
  return {
    file,
    guid: g(`source:${file}`),
    practice,
    date,
    type: scalar("type"),
    observer: scalar("observer"),
    participants: scalars(field(fields, "participants")),
    npt: [...new Set(nptIds)],
    codes: [...new Set(scalars(field(fields, "codes")))],
    assessment: assessment?.kind === "map" ? assessment.entries.flatMap((e) => (e.value?.kind === "scalar" ? [[e.key, e.value.text] as [string, string]] : [])) : [],
    body,
    selections: found.map((s, i) => ({ start: positions[2 * i], end: positions[2 * i + 1], codes: s.codes })),
    lost: facts.segments.length - found.length,
  };
}

/** Offset of the body: just after the closing `---` line of the frontmatter (as the note parser finds it). */
export function frontmatterEnd(text: string): number {
  const firstEnd = text.indexOf("\n");
  if (firstEnd === -1 || text.slice(0, firstEnd).trimEnd() !== "---") return 0;
  let start = firstEnd + 1;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (text.slice(start, end).trimEnd() === "---") return Math.min(end + 1, text.length);
    start = end + 1;
  }
  return 0;
}
