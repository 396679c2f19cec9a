// REFI-QDA import (SPEC section 13): a new study from a `.qdpx`, `.qde` or `.qdc` made by any tool. The
// whole study is built in memory, written to a temporary folder beside DIR and renamed into place at
// the end, so a failed import leaves nothing half-written and nothing is ever written outside DIR.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { frontmatterYaml, type FrontmatterFields } from "./frontmatter.js";
import { CONSTRUCTS, DEFAULT_TYPES, britishSpelling, isNptId } from "../npt.js";
import { isRealDate } from "../config.js";
import { localToday } from "../validate.js";
import { RefiError } from "./errors.js";
import { openExchange, type OpenedExchange } from "./open.js";
import type { RefiCode, RefiProject, RefiTextSource, RefiValue } from "./model.js";
import { caseIdFrom, codeIdFrom, isUsableCodeId, slugFrom, uniqueId } from "./ids.js";
import { markdownLine } from "./escape.js";
import { codePointsToOffsets } from "./offsets.js";
import { NPT_ROOT, PARTICIPANT_CASE } from "./export.js";
import type { AttributeValue } from "./variables.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip.js";

export interface ImportReport {
  /** The study's folder (absolute). */
  dir: string;
  study: string;
  /** Whether the project was read back as fieldnotes wrote it (its `origin` names fieldnotes). */
  fieldnotesOrigin: boolean;
  /** Positions were read as UTF-16 code units (NVivo) rather than code points. */
  utf16: boolean;
  /** What went in, by kind, with counts (codes, practices, notes, coded segments, …). */
  imported: [string, number][];
  /** What could not be carried, by kind, with counts. Nothing is dropped without a line here. */
  notCarried: [string, number][];
  /** One line per problem met (a dangling reference, a selection outside its text), naming the part. */
  warnings: string[];
}

export interface ImportOptions {
  /** YYYY-MM-DD for notes without any date (default: today, local time). */
  today?: string;
  limits?: ZipLimits;
  /** The folder that DIR defaults into (default: the current folder). */
  cwd?: string;
}

interface PlannedNote {
  path: string;
  text: string;
  npt: string[];
}

/**
 * Imports `file` into a new study at `dir` (must not exist or be empty; default: a folder named after
 * the project in `options.cwd`). Returns what was imported and what was not. Throws RefiError for an
 * unreadable or hostile file (see zip.ts, xml.ts, model.ts) or an unusable destination; nothing is
 * left behind then.
 */
export function importExchange(file: string, dir: string | undefined, options: ImportOptions = {}): ImportReport {
  const opened = openExchange(file, options.limits ?? DEFAULT_ZIP_LIMITS);
  const project = opened.project;
  const studyName = project.name.trim() || basename(file).replace(/\.[^.]*$/, "") || "Imported study";
  const dest = resolve(options.cwd ?? process.cwd(), dir ?? caseIdFrom(studyName));
  checkDestination(dest);
  const plan = planStudy(project, opened, studyName, options.today ?? localToday());
  writeStudy(dest, plan.files);
  return { ...plan.report, dir: dest };
}

function checkDestination(dest: string): void {
  let st;
  try {
    st = lstatSync(dest);
  } catch {
    if (!existsSync(dirname(dest))) throw new RefiError(`the folder ${dirname(dest)} does not exist; create it first or choose another DIR.`);
    return;
  }
  if (!st.isDirectory()) throw new RefiError(`${dest} exists and is not a folder; choose a new or empty DIR.`);
  if (readdirSync(dest).length) throw new RefiError(`${dest} is not empty; import writes a new study into a new or empty folder.`);
}

/** Writes every file into a temporary folder beside `dest`, then renames it to `dest`. */
function writeStudy(dest: string, files: Map<string, string>): void {
  const temp = mkdtempSync(join(dirname(dest), `.${basename(dest)}.import-`));
  // Folders made so far: a study's notes share a few folders, so each is made once, not once per note.
  const made = new Set<string>([temp]);
  try {
    for (const [rel, content] of files) {
      const abs = join(temp, rel);
      // Paths come from planStudy (checked there); this is the last guard against leaving the folder.
      if (!abs.startsWith(temp + "/") && !abs.startsWith(temp + "\\")) throw new RefiError(`refusing to write ${rel}: outside the study.`);
      const folder = dirname(abs);
      if (!made.has(folder)) (mkdirSync(folder, { recursive: true }), made.add(folder));
      writeFileSync(abs, content, { flag: "wx" });
    }
    if (existsSync(dest)) rmdirSync(dest); // empty (checked): rename needs the name free
    renameSync(temp, dest);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    if (err instanceof RefiError) throw err;
    throw new RefiError(`cannot write the study to ${dest}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The study's files (relative path → text) and the report, from the project. */
function planStudy(project: RefiProject, opened: OpenedExchange, studyName: string, today: string) {
  const fieldnotesOrigin = /^fieldnotes\b/i.test(project.origin.trim());
  const utf16 = /nvivo/i.test(project.origin);
  const warnings: string[] = [];
  const imported = new Map<string, number>();
  const notCarried = new Map(project.notCarried);
  const count = (m: Map<string, number>, what: string, n = 1) => n && m.set(what, (m.get(what) ?? 0) + n);

  // Codes: the NPT tree (as fieldnotes exports it) becomes notes' `npt`; every other code a codebook code.
  const nptOf = new Map<string, string>(); // code guid → NPT id ("" for the tree's root)
  const codeIdOf = new Map<string, string>(); // code guid → code id
  const codebook: Record<string, Record<string, string>> = {};
  const takenCodes = new Set<string>();
  const asNpt = (name: string) => (isNptId(name) ? name : britishSpelling(name));
  const isNptTree = (c: RefiCode): boolean => c.children.every((k) => asNpt(k.name) !== undefined && isNptTree(k));
  const addCode = (c: RefiCode, parent: string | undefined) => {
    const own = fieldnotesOrigin && isUsableCodeId(c.name);
    const id = uniqueId(own ? c.name : codeIdFrom(c.name), takenCodes);
    codeIdOf.set(c.guid, id);
    const entry: Record<string, string> = {};
    const desc = c.description ?? "";
    if (own && desc) {
      const cut = desc.indexOf("\n\n");
      entry.label = cut === -1 ? desc : desc.slice(0, cut);
      if (cut !== -1 && desc.slice(cut + 2)) entry.description = desc.slice(cut + 2);
    } else {
      entry.label = c.name.trim() || id;
      if (desc.trim()) entry.description = desc.trimEnd();
    }
    if (parent) entry.parent = parent;
    codebook[id] = entry;
    for (const k of c.children) addCode(k, id);
  };
  for (const c of project.codes) {
    if (c.name === NPT_ROOT && c.children.length && isNptTree(c)) {
      nptOf.set(c.guid, "");
      const walk = (k: RefiCode) => (nptOf.set(k.guid, asNpt(k.name)!), k.children.forEach(walk));
      c.children.forEach(walk);
    } else addCode(c, undefined);
  }
  // Sets named "NPT: <construct>" give their member codes that construct.
  for (const s of project.sets) {
    const m = /^NPT:\s*(\S+)$/.exec(s.name.trim());
    if (m && (CONSTRUCTS as readonly string[]).includes(m[1])) {
      for (const g of s.codes) {
        const id = codeIdOf.get(g);
        if (id && !codebook[id].npt) codebook[id].npt = m[1];
      }
    } else count(notCarried, "sets");
  }
  count(imported, "codes", takenCodes.size);

  // Cases: practices, and (in a fieldnotes project) registered participants.
  const variableName = (g: string) => project.variables.get(g)?.name;
  const attributesOf = (values: RefiValue[], prefix: string, where: string): Record<string, AttributeValue> => {
    const out: Record<string, AttributeValue> = {};
    for (const v of values) {
      const name = variableName(v.variable);
      if (name === undefined) {
        warnings.push(`${where}: a VariableValue refers to variable ${v.variable}, which the project does not define; not carried.`);
        count(notCarried, "values of undefined variables");
        continue;
      }
      let key = name.startsWith(prefix) ? name.slice(prefix.length) : name;
      if (!key || key === "id" || key === "name") key = `${key || "value"}-attribute`;
      out[key] = v.value;
    }
    return out;
  };
  const isParticipantCase = (c: (typeof project.cases)[number]) =>
    fieldnotesOrigin && (c.description === PARTICIPANT_CASE || c.values.some((v) => variableName(v.variable)?.startsWith("participant.")));
  const takenPractices = new Set<string>();
  const practices: Record<string, AttributeValue>[] = [];
  const practiceOfSource = new Map<string, string>();
  const participants: Record<string, AttributeValue>[] = [];
  const participantsOfSource = new Map<string, string[]>();
  const takenParticipants = new Set<string>();
  const sourceGuids = new Set(project.sources.map((s) => s.guid));
  for (const c of project.cases) {
    const participant = isParticipantCase(c);
    const id = uniqueId(caseIdFrom(c.name.trim() || "case"), participant ? takenParticipants : takenPractices);
    const entry: Record<string, AttributeValue> = { id };
    if (!participant) {
      const name = fieldnotesOrigin ? c.description : c.name.trim() !== id ? c.name.trim() : undefined;
      if (name) entry.name = name;
    }
    Object.assign(entry, attributesOf(c.values, participant ? "participant." : "practice.", `case '${c.name}'`));
    (participant ? participants : practices).push(entry);
    for (const s of c.sources) {
      if (!sourceGuids.has(s)) {
        warnings.push(`case '${c.name}': SourceRef ${s} names no text source of the project; not carried.`);
        count(notCarried, "case references to missing or non-text sources");
      } else if (participant) participantsOfSource.set(s, [...(participantsOfSource.get(s) ?? []), id]);
      else if (practiceOfSource.has(s)) count(notCarried, "sources in more than one case (the first case kept)");
      else practiceOfSource.set(s, id);
    }
  }
  const unassigned = project.sources.some((s) => !practiceOfSource.has(s.guid)) || !practices.length ? uniqueId("unassigned", takenPractices) : undefined;
  if (unassigned) practices.push({ id: unassigned });
  count(imported, "practices (cases)", practices.length - (unassigned ? 1 : 0));
  count(imported, "participants (cases)", participants.length);

  // Sources: one note each.
  const files = new Map<string, string>();
  const notes: PlannedNote[] = [];
  const takenPaths = new Set<string>();
  const types = new Set<string>();
  for (const source of project.sources) {
    const where = `source '${source.name || source.guid}'`;
    let text: string;
    if (source.content !== undefined) text = source.content;
    else {
      const bytes = source.plainTextPath ? opened.sourceBytes(source.plainTextPath) : undefined;
      if (bytes === undefined || bytes === "missing") {
        warnings.push(`${where}: ${bytes === "missing" ? `its text file ${source.plainTextPath} is missing from the project` : `its text is outside the project (${source.plainTextPath ?? "no plainTextPath"})`}; not imported.`);
        count(notCarried, "text sources without their text");
        count(notCarried, "codings of text sources without their text", source.codings.length + source.selections.reduce((n, s) => n + s.codings.length, 0));
        continue;
      }
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        text = new TextDecoder("utf-8").decode(bytes);
        warnings.push(`${where}: its text file is not valid UTF-8; the bad bytes were read as U+FFFD.`);
      }
    }
    if (text.includes("\u0000")) {
      text = text.replace(/\u0000/g, "\uFFFD");
      warnings.push(`${where}: NUL characters were replaced by U+FFFD.`);
    }
    const practice = practiceOfSource.get(source.guid) ?? unassigned!;
    const vars = new Map<string, AttributeValue>();
    for (const v of source.values) {
      const name = variableName(v.variable);
      if (name === undefined) {
        warnings.push(`${where}: a VariableValue refers to variable ${v.variable}, which the project does not define; not carried.`);
        count(notCarried, "values of undefined variables");
      } else vars.set(name, v.value);
    }
    const dateVar = vars.get("date");
    const date =
      typeof dateVar === "string" && isRealDate(dateVar.slice(0, 10)) ? dateVar.slice(0, 10)
      : source.creationDateTime && isRealDate(source.creationDateTime.slice(0, 10)) ? source.creationDateTime.slice(0, 10)
      : today;
    const type = vars.has("type") ? String(vars.get("type")) : undefined;
    const observer = vars.has("observer") ? String(vars.get("observer")) : undefined;
    const assessment: [string, string][] = CONSTRUCTS.flatMap((c) => (vars.has(`assessment.${c}`) ? [[c, String(vars.get(`assessment.${c}`))] as [string, string]] : []));
    for (const k of vars.keys()) if (!["date", "type", "observer"].includes(k) && !k.startsWith("assessment.")) count(notCarried, "other source variables");
    if (type !== undefined) types.add(type);

    // Codings of the whole source: theme codes become `codes`, NPT codes `npt`.
    const npt: string[] = [];
    const codes: string[] = [];
    const resolveCode = (code: string, what: string): { id?: string; npt?: string } => {
      if (nptOf.has(code)) return { npt: nptOf.get(code) || undefined };
      const id = codeIdOf.get(code);
      if (id) return { id };
      warnings.push(`${where}: ${what} refers to code ${code || "(none)"}, which the project does not define; not carried.`);
      count(notCarried, "codings of undefined codes");
      return {};
    };
    for (const c of source.codings) {
      const r = resolveCode(c.code, `coding ${c.guid}`);
      if (r.npt && !npt.includes(r.npt)) npt.push(r.npt);
      if (r.id && !codes.includes(r.id)) codes.push(r.id);
    }
    count(imported, "codings of whole sources", source.codings.length);

    // Selections: positions to string offsets, checked against the text.
    const starts = source.selections.map((s) => s.start);
    const ends = source.selections.map((s) => s.end);
    const toOffsets = (ps: number[]) => (utf16 ? ps.map((p) => (p >= 0 && p <= text.length ? p : -1)) : codePointsToOffsets(text, ps));
    const startOffsets = toOffsets(starts);
    const endOffsets = toOffsets(ends);
    const spans: { start: number; end: number; codes: string[] }[] = [];
    source.selections.forEach((sel, i) => {
      const label = `${where}: selection ${sel.guid} [${sel.start}, ${sel.end})`;
      if (sel.start > sel.end) {
        warnings.push(`${label} is reversed (start after end); not carried.`);
        count(notCarried, "selections reversed or outside their text");
        return;
      }
      if (sel.start < 0 || startOffsets[i] < 0 || endOffsets[i] < 0) {
        warnings.push(`${label} lies outside the text (${utf16 ? "UTF-16 code units" : "code points"}); not carried.`);
        count(notCarried, "selections reversed or outside their text");
        return;
      }
      const ids: string[] = [];
      for (const c of sel.codings) {
        const r = resolveCode(c.code, `coding ${c.guid} of selection ${sel.guid}`);
        if (r.npt && !npt.includes(r.npt)) (npt.push(r.npt), count(notCarried, "NPT codings of selections (made the note's npt)"));
        if (r.id && !ids.includes(r.id)) ids.push(r.id);
      }
      if (ids.length) spans.push({ start: startOffsets[i], end: endOffsets[i], codes: ids });
    });

    let body: string;
    if (fieldnotesOrigin) {
      // The body as written (fieldnotes writes LF; a CRLF text is given LF like the frontmatter above it).
      body = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
      for (const s of spans) {
        const missing = s.codes.filter((id) => !hasTag(text.slice(s.start, s.end), id));
        if (missing.length) {
          warnings.push(`${where}: the codes ${missing.join(", ")} of a selection are not written in its text; not carried.`);
          count(notCarried, "codings of a fieldnotes project not written in the text");
        }
      }
      count(imported, "coded segments", spans.length);
    } else {
      const made = paragraphs(text, spans);
      body = made.body;
      if (made.blank) {
        warnings.push(`${where}: ${made.blank} coded selection(s) hold only blank text, so no paragraph can carry their codes.`);
        count(notCarried, "selections of blank text");
      }
      count(imported, "coded selections", spans.length - made.blank);
    }
    count(imported, "codings of selections", spans.reduce((n, s) => n + s.codes.length, 0));

    const path = notePath(source, practice, date, fieldnotesOrigin, takenPaths);
    const fm: FrontmatterFields = { practice, date };
    if (npt.length) fm.npt = npt;
    if (type !== undefined) fm.type = type;
    if (observer !== undefined) fm.observer = observer;
    const who = participantsOfSource.get(source.guid);
    if (who?.length) fm.participants = who;
    if (codes.length) fm.codes = codes;
    if (assessment.length) fm.assessment = Object.fromEntries(assessment);
    notes.push({ path, text: `---\n${frontmatterYaml(fm)}---\n${body}`, npt });
  }
  count(imported, "notes (text sources)", notes.length);

  // fieldnotes.yaml: the judgement of integration stays on only when every note says which constructs it
  // touches (otherwise notes without npt would be field-missing errors).
  const integrationOn = notes.length > 0 && notes.every((n) => n.npt.length > 0);
  const config: Record<string, unknown> = { study: studyName };
  if (notes.length && notes.every((n) => n.path.startsWith("notes/"))) config.notes = ["notes/**/*.md"];
  const extraTypes = [...types].filter((t) => !DEFAULT_TYPES.includes(t)).sort();
  if (extraTypes.length) config.types = [...DEFAULT_TYPES, ...extraTypes];
  config.practices = practices;
  if (participants.length) config.participants = participants;
  if (!integrationOn) config.integration = false;
  files.set("fieldnotes.yaml", stringify(config, { lineWidth: 0 }));
  files.set("codebook.yaml", Object.keys(codebook).length ? stringify({ codes: codebook }, { lineWidth: 0 }) : "codes: {}\n");
  for (const n of notes) files.set(n.path, n.text);

  const report: Omit<ImportReport, "dir"> = {
    study: studyName,
    fieldnotesOrigin,
    utf16,
    imported: [...imported].filter(([, n]) => n > 0),
    notCarried: [...notCarried].filter(([, n]) => n > 0).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    warnings,
  };
  return { files, report };
}

/** Does `text` hold the tag `#id` (ending before a character that cannot continue a tag)? */
function hasTag(text: string, id: string): boolean {
  const re = new RegExp(`#${id}(?![A-Za-z0-9-])`);
  return re.test(text);
}

/**
 * The body of a note made from plain text: each non-empty line its own paragraph (escaped, trimmed),
 * paragraphs joined by a blank line, and each coded span's codes written as tags at the end of every
 * paragraph (line) it overlaps. `blank`: spans that overlap no non-empty line.
 */
export function paragraphs(text: string, spans: { start: number; end: number; codes: string[] }[]): { body: string; blank: number } {
  const lines: { start: number; end: number; tags: string[] }[] = [];
  const re = /\r\n|\r|\n/g;
  let at = 0;
  const t = text.replace(/^\uFEFF/, "");
  const shift = text.length - t.length;
  for (;;) {
    const m = re.exec(t);
    const end = m ? m.index : t.length;
    if (t.slice(at, end).trim()) lines.push({ start: at + shift, end: end + shift, tags: [] });
    if (!m) break;
    at = m.index + m[0].length;
  }
  let blank = 0;
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const s of sorted) {
    // First line whose end is at or after the span's start (binary search).
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid].end < s.start || (lines[mid].end === s.start && s.end > s.start)) lo = mid + 1;
      else hi = mid;
    }
    let hit = false;
    for (let k = lo; k < lines.length && (lines[k].start < s.end || (s.start === s.end && lines[k].start <= s.start)); k++) {
      hit = true;
      for (const c of s.codes) if (!lines[k].tags.includes(c)) lines[k].tags.push(c);
    }
    if (!hit) blank++;
  }
  const body = lines.map((l) => markdownLine(t.slice(l.start - shift, l.end - shift)) + l.tags.map((c) => ` #${c}`).join("")).join("\n\n");
  return { body: body ? `\n${body}\n` : "\n", blank };
}

const SAFE_SEGMENT = /^[^/\\:*?"<>|\u0000-\u001f]+$/;

/** Where a source's note goes: its own path in a fieldnotes project (when safe), else notes/<practice>/<date>-<slug>.md. */
function notePath(source: RefiTextSource, practice: string, date: string, fieldnotesOrigin: boolean, taken: Set<string>): string {
  const own = source.name.trim();
  const parts = own.split("/");
  const safe =
    fieldnotesOrigin &&
    own.endsWith(".md") &&
    parts.every((p) => SAFE_SEGMENT.test(p) && p !== "." && p !== ".." && !p.startsWith(".")) &&
    !["fieldnotes.yaml", "codebook.yaml"].includes(own) &&
    parts[parts.length - 1] !== "README.md" && // always ignored, at any depth (SPEC section 2)
    !["templates", "node_modules"].includes(parts[0]);
  if (safe && !taken.has(own.toLowerCase())) {
    taken.add(own.toLowerCase());
    return own;
  }
  const base = `notes/${practice}/${date}-${slugFrom(source.name.replace(/\.(md|txt|docx?|rtf)$/i, ""))}`;
  let path = `${base}.md`;
  for (let k = 2; taken.has(path.toLowerCase()); k++) path = `${base}-${k}.md`;
  taken.add(path.toLowerCase());
  return path;
}
