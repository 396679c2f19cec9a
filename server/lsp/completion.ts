// Completion: frontmatter keys not yet present; values of practice, npt, type, level, assessment keys
// and values; code ids in `codes:` (flow or block lists) and after `#` in the body; code ids and NPT
// ids in the codebook's parent/replacedBy/npt. The context is read from the editor's line text (an
// incomplete line rarely parses), except where a tag may stand in the body: that is the core's own
// reading of the note; the items for codes are precomputed once per codebook.
import {
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from "vscode-languageserver";
import { ASSESSMENT_VALUES, CONSTRUCTS, LEVELS, LineIndex, NOTE_FIELDS, NPT_DEFINITIONS, NPT_IDS, parseNoteText, precedesTag, type Codebook, type Study } from "../core/index.js";
import type { ChunkCache } from "../core/note.js";
import { codeMarkdown, nptMarkdown } from "./hover.js";
import type { Located } from "./workspace.js";

export interface CompletionOptions {
  /** The client resolves documentation lazily (completionItem/resolve): leave it out of the list. */
  lazyDocumentation?: boolean;
  /** The client understands CompletionList.itemDefaults.editRange: items need no textEdit each. */
  editRangeDefault?: boolean;
  /** The study's number in the workspace (for completionItem/resolve). */
  studyNo?: number;
  /** The client understands CompletionList.itemDefaults.data: code items then carry no data each. */
  dataDefault?: boolean;
}

/** Kept short: it travels with every item. `s` is the study's number in the workspace. */
export interface CompletionData {
  k: "c" | "n";
  s: number;
  /** Absent when the list's itemDefaults.data applies: the item's label is the id. */
  id?: string;
}

interface CodeItems {
  full: CompletionItem[];
  lazy: CompletionItem[];
  /** Lazy items without data, for clients that take itemDefaults.data. */
  bare: CompletionItem[];
}

const codeItemsMemo = new WeakMap<Codebook, CodeItems>();

/** The code items of a codebook, built once per codebook object (a codebook edit makes a new one). */
export function codeItems(study: Study, studyNo = 0): CodeItems {
  const codebook = study.codebook;
  let memo = codeItemsMemo.get(codebook);
  if (memo) return memo;
  const lazy: CompletionItem[] = [];
  const full: CompletionItem[] = [];
  const bare: CompletionItem[] = [];
  for (const id of codebook.order) {
    const e = codebook.codes.get(id)!;
    const item: CompletionItem = {
      label: id,
      kind: CompletionItemKind.EnumMember,
      detail: e.deprecated ? `${e.label ?? id} (deprecated${e.replacedBy ? `: use ${e.replacedBy}` : ""})` : e.label,
      data: { k: "c", s: studyNo, id } satisfies CompletionData,
    };
    if (e.deprecated) {
      item.tags = [CompletionItemTag.Deprecated];
      item.sortText = `~${id}`; // after the others
    }
    lazy.push(item);
    const { data: _data, ...withoutData } = item;
    bare.push(withoutData);
    full.push({ ...item, documentation: { kind: MarkupKind.Markdown, value: codeMarkdown(e) } });
  }
  memo = { full, lazy, bare };
  codeItemsMemo.set(codebook, memo);
  return memo;
}

/** Documentation for a lazily resolved item. */
export function resolveCompletion(item: CompletionItem, studyOf: (studyNo: number) => Study | undefined): CompletionItem {
  const data = item.data as CompletionData | undefined;
  if (!data || item.documentation) return item;
  const id = typeof data.id === "string" ? data.id : item.label;
  if (data.k === "n") return { ...item, documentation: { kind: MarkupKind.Markdown, value: nptMarkdown(id) } };
  const entry = studyOf(data.s)?.codebook.codes.get(id);
  return entry ? { ...item, documentation: { kind: MarkupKind.Markdown, value: codeMarkdown(entry) } } : item;
}

type Context =
  | { what: "key"; range: Range }
  | { what: "value"; key: string; range: Range }
  | { what: "assessment-key"; range: Range }
  | { what: "assessment-value"; range: Range }
  | { what: "tag"; range: Range }
  | { what: "codebook-code"; range: Range }
  | { what: "codebook-npt"; range: Range };

const WORD = /[A-Za-z0-9_\-/.]/;

/** The word around the cursor (by WORD characters), as a range on the line. */
function wordRange(line: string, lineNo: number, ch: number, chars = WORD): Range {
  let s = ch;
  while (s > 0 && chars.test(line[s - 1])) s--;
  let e = ch;
  while (e < line.length && chars.test(line[e])) e++;
  return { start: { line: lineNo, character: s }, end: { line: lineNo, character: e } };
}

const TAG_CHARS = /[A-Za-z0-9-]/;

export function completionContext(loc: Located, text: string, pos: Position): Context | undefined {
  const index = new LineIndex(text);
  if (pos.line >= index.lineCount) return undefined;
  const line = index.lineText(pos.line);
  const ch = Math.min(pos.character, line.length);
  const before = line.slice(0, ch);
  if (loc.kind === "codebook") {
    if (/^\s+(parent|replacedBy)\s*:\s*["']?[a-z0-9-]*$/.test(before)) return { what: "codebook-code", range: wordRange(line, pos.line, ch, TAG_CHARS) };
    if (/^\s+npt\s*:\s*["']?[A-Za-z0-9/-]*$/.test(before)) return { what: "codebook-npt", range: wordRange(line, pos.line, ch) };
    return undefined;
  }
  if (loc.kind !== "note") return undefined;
  // Frontmatter: from line 0 `---` to the closing `---` (or the end when unclosed).
  let close = -1;
  if (index.lineText(0).trimEnd() === "---") {
    close = index.lineCount;
    for (let l = 1; l < index.lineCount; l++) {
      if (index.lineText(l).trimEnd() === "---") {
        close = l;
        break;
      }
    }
  }
  if (close > 0 && pos.line > 0 && pos.line < close) return frontmatterContext(index, line, before, pos, ch);
  if (pos.line <= close) return undefined;
  return tagContext(text, index, line, pos, ch, loc.uri);
}

function frontmatterContext(index: LineIndex, line: string, before: string, pos: Position, ch: number): Context | undefined {
  if (/^[A-Za-z_][\w-]*$|^$/.test(before) && !line.slice(ch).includes(":")) return { what: "key", range: wordRange(line, pos.line, ch) };
  const keyLine = /^([A-Za-z_][\w-]*)\s*:(\s*)(.*)$/.exec(before);
  if (keyLine) {
    const key = keyLine[1];
    const value = keyLine[3];
    if (!keyLine[2] && !value) return undefined; // right after the colon: let the user type a space
    if (key === "assessment") {
      const flow = value.lastIndexOf("{");
      if (flow === -1) return undefined;
      const part = value.slice(flow + 1).split(",").pop()!;
      return part.includes(":") ? { what: "assessment-value", range: wordRange(line, pos.line, ch) } : { what: "assessment-key", range: wordRange(line, pos.line, ch) };
    }
    if (/#/.test(value.replace(/"[^"]*"|'[^']*'/g, ""))) return undefined; // in a comment
    return { what: "value", key, range: wordRange(line, pos.line, ch) };
  }
  if (!/^\s/.test(before) && !/^-\s/.test(before)) return undefined;
  // An indented line (or a block list item): the owner is the nearest key line above with no indentation.
  let owner: string | undefined;
  for (let l = pos.line - 1; l > 0; l--) {
    const t = index.lineText(l);
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(t);
    if (m) {
      owner = m[1];
      break;
    }
    if (t.length && !/^\s/.test(t) && !t.startsWith("#") && !t.startsWith("-")) break;
  }
  if (!owner) return undefined;
  if (owner === "assessment") {
    if (/^\s+[\w-]*$/.test(before)) return { what: "assessment-key", range: wordRange(line, pos.line, ch) };
    if (/^\s+[\w-]+\s*:\s+\S*$/.test(before)) return { what: "assessment-value", range: wordRange(line, pos.line, ch) };
    return undefined;
  }
  if (/^\s*-\s+["']?[^\s,]*$/.test(before) || /^\s*[[,]/.test(before)) return { what: "value", key: owner, range: wordRange(line, pos.line, ch) };
  return undefined;
}

function tagContext(text: string, index: LineIndex, line: string, pos: Position, ch: number, uri: string): Context | undefined {
  let s = ch;
  while (s > 0 && TAG_CHARS.test(line[s - 1])) s--;
  if (s === 0 || line[s - 1] !== "#") return undefined;
  const hash = s - 1;
  if (!precedesTag(line, hash)) return undefined;
  if (!coreReadsTagAt(text, index.starts[pos.line] + hash, uri)) return undefined;
  let e = ch;
  while (e < line.length && TAG_CHARS.test(line[e])) e++;
  return { what: "tag", range: { start: { line: pos.line, character: s }, end: { line: pos.line, character: e } } };
}

/** Parsed chunks of the last note probed (one note's worth: completion follows the document being typed in). */
let probeChunks: { uri: string; chunks: ChunkCache } | undefined;

/**
 * Would the core read a code whose `#` stands at this offset? The note is read by the core itself
 * (parseNoteText) with a letter put after the `#`, so that code spans, fences, HTML comments and
 * blocks, link destinations and every other place where a tag never counts get no completion, by
 * the same reading that `check` makes. Chunks are reused between calls on the same document.
 */
export function coreReadsTagAt(text: string, hashOffset: number, uri = ""): boolean {
  if (probeChunks?.uri !== uri) probeChunks = { uri, chunks: new Map() };
  const probe = `${text.slice(0, hashOffset + 1)}a${text.slice(hashOffset + 1)}`;
  let facts;
  try {
    facts = parseNoteText(probe, false, probeChunks.chunks);
  } catch {
    return false;
  }
  const at = new LineIndex(probe).position(hashOffset);
  return facts.codes.some((u) => u.inline && u.range.start.line === at.line && u.range.start.character === at.character);
}

function simpleItems(values: readonly string[], kind: CompletionItemKind, doc?: (v: string) => string | undefined): CompletionItem[] {
  return values.map((v, i) => {
    const d = doc?.(v);
    return { label: v, kind, sortText: String(i).padStart(4, "0"), ...(d ? { documentation: { kind: MarkupKind.Markdown, value: d } } : {}) };
  });
}

function nptItems(studyNo: number, lazy: boolean): CompletionItem[] {
  return NPT_IDS.map((id, i) => ({
    label: id,
    kind: CompletionItemKind.EnumMember,
    detail: id.includes("/") ? "NPT sub-construct" : "NPT core construct",
    sortText: String(i).padStart(4, "0"),
    data: { k: "n", s: studyNo, id } satisfies CompletionData,
    ...(lazy ? {} : { documentation: { kind: MarkupKind.Markdown, value: `${NPT_DEFINITIONS[id]}` } }),
  }));
}

function presentKeys(index: LineIndex, close: number): Set<string> {
  const keys = new Set<string>();
  for (let l = 1; l < close && l < index.lineCount; l++) {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(index.lineText(l));
    if (m) keys.add(m[1]);
  }
  return keys;
}

function withRange(items: CompletionItem[], range: Range, opts: CompletionOptions, data?: CompletionData): CompletionList {
  if (opts.editRangeDefault) return { isIncomplete: false, itemDefaults: { editRange: range, ...(data ? { data } : {}) }, items };
  return { isIncomplete: false, items: items.map((it) => ({ ...it, textEdit: { range, newText: it.textEditText ?? it.label } })) };
}

export function completion(loc: Located, text: string, pos: Position, opts: CompletionOptions = {}): CompletionList | null {
  const ctx = completionContext(loc, text, pos);
  if (!ctx) return null;
  const study = loc.study;
  const lazy = !!opts.lazyDocumentation;
  const no = opts.studyNo ?? 0;
  const bare = lazy && !!opts.dataDefault && !!opts.editRangeDefault;
  const codes = () => (bare ? codeItems(study, no).bare : lazy ? codeItems(study, no).lazy : codeItems(study, no).full);
  const codeData: CompletionData | undefined = bare ? { k: "c", s: no } : undefined;
  switch (ctx.what) {
    case "tag":
    case "codebook-code":
      return withRange(codes(), ctx.range, opts, codeData);
    case "codebook-npt":
      return withRange(nptItems(no, lazy), ctx.range, opts);
    case "key": {
      const index = new LineIndex(text);
      let close = index.lineCount;
      for (let l = 1; l < index.lineCount; l++) if (index.lineText(l).trimEnd() === "---") { close = l; break; }
      const present = presentKeys(index, close);
      const items = NOTE_FIELDS.filter((k) => !present.has(k)).map((k, i) => ({
        label: k,
        kind: CompletionItemKind.Property,
        sortText: String(i).padStart(4, "0"),
        textEditText: `${k}: `,
        insertTextFormat: InsertTextFormat.PlainText,
      }));
      return withRange(items, ctx.range, opts);
    }
    case "assessment-key":
      return withRange(
        CONSTRUCTS.map((c, i) => ({ label: c, kind: CompletionItemKind.Property, sortText: String(i), textEditText: `${c}: `, documentation: { kind: MarkupKind.Markdown, value: NPT_DEFINITIONS[c] } })),
        ctx.range,
        opts,
      );
    case "assessment-value":
      return withRange(simpleItems(ASSESSMENT_VALUES, CompletionItemKind.EnumMember), ctx.range, opts);
    case "value":
      switch (ctx.key) {
        case "practice":
          return withRange(
            (study.config?.practices ?? []).map((p, i) => {
              const attrs = Object.entries(p.attributes).map(([k, v]) => `- ${k}: ${String(v)}`).join("\n");
              return {
                label: p.id,
                kind: CompletionItemKind.Value,
                detail: p.name,
                sortText: String(i).padStart(5, "0"),
                documentation: { kind: MarkupKind.Markdown, value: `**${p.name ?? p.id}**${attrs ? `\n\n${attrs}` : ""}` },
              };
            }),
            ctx.range,
            opts,
          );
        case "participants":
          return withRange(
            (study.config?.participants ?? []).map((p, i) => {
              const attrs = Object.entries(p.attributes).map(([k, v]) => `${k}: ${String(v)}`).join(", ");
              return {
                label: p.id,
                kind: CompletionItemKind.Value,
                ...(attrs ? { detail: attrs } : {}),
                sortText: String(i).padStart(5, "0"),
              };
            }),
            ctx.range,
            opts,
          );
        case "npt":
          return withRange(nptItems(no, lazy), ctx.range, opts);
        case "type":
          return withRange(simpleItems(study.config?.types ?? [], CompletionItemKind.EnumMember), ctx.range, opts);
        case "level":
          return withRange(simpleItems(LEVELS, CompletionItemKind.EnumMember), ctx.range, opts);
        case "codes":
          return withRange(codes(), ctx.range, opts, codeData);
      }
      return null;
  }
}
