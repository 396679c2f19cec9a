// Hover: a code (label, description, NPT mapping, use across the study), a practice (name,
// attributes, notes), an NPT id (definition), a frontmatter key (what it holds).
import { MarkupKind, type Hover, type Position } from "vscode-languageserver";
import { NPT_DEFINITIONS, britishSpelling, type CodeEntry, type Study } from "../core/index.js";
import { targetAt } from "./position.js";
import type { Located } from "./workspace.js";

export interface Usage {
  codes: Map<string, { notes: number; segments: number }>;
  practices: Map<string, number>;
}

const usageMemo = new WeakMap<Study, { version: number; usage: Usage }>();

/** How often each code and practice is used across the study's notes (memoised per index version). */
export function usage(study: Study): Usage {
  const memo = usageMemo.get(study);
  if (memo && memo.version === study.version) return memo.usage;
  const codes = new Map<string, { notes: number; segments: number }>();
  const practices = new Map<string, number>();
  const bump = (id: string) => {
    let u = codes.get(id);
    if (!u) codes.set(id, (u = { notes: 0, segments: 0 }));
    return u;
  };
  for (const r of study.notes.values()) {
    const f = r.facts;
    if (f.codes.length) {
      const seen = new Set<string>();
      for (const use of f.codes) seen.add(use.id);
      for (const id of seen) bump(id).notes++;
      for (const seg of f.segments) for (const id of seg.codes) bump(id).segments++;
    }
    const p = f.fields?.find((e) => e.key === "practice")?.value;
    if (p?.kind === "scalar") practices.set(p.text, (practices.get(p.text) ?? 0) + 1);
  }
  const result = { codes, practices };
  usageMemo.set(study, { version: study.version, usage: result });
  return result;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function nptMarkdown(id: string): string {
  const canonical = NPT_DEFINITIONS[id] ? id : britishSpelling(id);
  if (!canonical) return `\`${id}\` is not an NPT construct or sub-construct.`;
  const kind = canonical.includes("/") ? "NPT sub-construct" : "NPT core construct";
  return `**${canonical}** (${kind})\n\n${NPT_DEFINITIONS[canonical]}`;
}

export function codeMarkdown(entry: CodeEntry, counts?: { notes: number; segments: number }): string {
  const parts = [`**${entry.label ?? entry.id}** \`${entry.id}\``];
  if (entry.deprecated) parts.push(`*Deprecated.*${entry.replacedBy ? ` Use \`${entry.replacedBy}\` instead.` : ""}`);
  if (entry.description) parts.push(entry.description);
  if (entry.npt) parts.push(`NPT: **${entry.npt}**${NPT_DEFINITIONS[entry.npt] ? ` — ${NPT_DEFINITIONS[entry.npt]}` : ""}`);
  if (entry.parent) parts.push(`Parent: \`${entry.parent}\``);
  if (counts) parts.push(`Used in ${plural(counts.notes, "note")}, ${plural(counts.segments, "coded segment")}.`);
  return parts.join("\n\n");
}

const FIELD_DOCS: Record<string, string> = {
  practice: "The practice (case) this note is about: an `id` from `practices` in fieldnotes.yaml. Required.",
  date: "The date of the observation, interview or meeting, `YYYY-MM-DD`. Required.",
  npt: "The NPT constructs or sub-constructs the note speaks to: one id or a list. Required, unless the study sets `integration: false`.",
  type: "The kind of note: one of the study's `types`.",
  observer: "Who wrote the note (name or initials).",
  participants: "Who took part: one string or a list; ids from `participants` in fieldnotes.yaml when the study keeps a registry.",
  level: "The levels the note concerns: patient, practice, community.",
  codes: "Codebook codes applying to the whole note.",
  assessment: "Your judgement at this date of each core construct: full, partial or absent.",
};

export function hover(loc: Located, pos: Position): Hover | null {
  const t = targetAt(loc, pos);
  if (!t) return null;
  const study = loc.study;
  let value: string;
  switch (t.kind) {
    case "code": {
      const entry = study.codebook.codes.get(t.id);
      const counts = usage(study).codes.get(t.id) ?? { notes: 0, segments: 0 };
      value = entry ? codeMarkdown(entry, counts) : `\`${t.id}\` is not a code in the codebook.\n\nUsed in ${plural(counts.notes, "note")}.`;
      break;
    }
    case "practice": {
      const p = study.config?.practices.find((x) => x.id === t.id);
      const n = usage(study).practices.get(t.id) ?? 0;
      if (!p) value = `\`${t.id}\` is not a practice in fieldnotes.yaml.`;
      else {
        const attrs = Object.entries(p.attributes).map(([k, v]) => `- ${k}: ${String(v)}`);
        value = [`**${p.name ?? p.id}** \`${p.id}\``, ...(attrs.length ? [attrs.join("\n")] : []), `${plural(n, "note")}.`].join("\n\n");
      }
      break;
    }
    case "participant": {
      const registry = study.config?.participants ?? [];
      const p = registry.find((x) => x.id === t.id);
      if (p) {
        const attrs = Object.entries(p.attributes).map(([k, v]) => `- ${k}: ${String(v)}`);
        value = [`**Participant** \`${p.id}\``, ...(attrs.length ? [attrs.join("\n")] : [])].join("\n\n");
      } else if (registry.length) value = `\`${t.id}\` is not a participant in fieldnotes.yaml.`;
      else value = `**Participant** \`${t.id}\`\n\nThis study has no participant registry: participants are free text.`;
      break;
    }
    case "npt":
      value = nptMarkdown(t.id);
      break;
    case "field":
      if (!FIELD_DOCS[t.key]) return null;
      value = `**${t.key}**\n\n${FIELD_DOCS[t.key]}`;
      break;
  }
  return { contents: { kind: MarkupKind.Markdown, value }, range: t.range };
}
