// Finding studies (folders holding fieldnotes.yaml) in the workspace and reading their configuration
// tolerantly: the quick picks and the status bar must work even when the file has errors (the
// language server reports those as diagnostics).
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { parse } from "yaml";

export const DEFAULT_TYPES = ["observation", "interview", "meeting", "conversation", "document", "memo"];

export interface Practice {
  id: string;
  name?: string;
}

export interface Participant {
  id: string;
  attributes: Record<string, string | number | boolean>;
}

export interface Study {
  /** Absolute path of the folder that holds fieldnotes.yaml. */
  root: string;
  /** The `study` name, or the folder name when the file has none. */
  name: string;
  practices: Practice[];
  types: string[];
  /** The participant registry (SPEC section 11); empty when the study keeps none. */
  participants: Participant[];
}

const EXCLUDE = "**/{node_modules,.git,.fieldnotes,templates}/**";

export async function findStudies(): Promise<Study[]> {
  const uris = await vscode.workspace.findFiles("**/fieldnotes.yaml", EXCLUDE, 200);
  const roots = [...new Set(uris.filter((u) => u.scheme === "file").map((u) => path.dirname(u.fsPath)))].sort();
  return roots.map(readStudy);
}

export function readStudy(root: string): Study {
  const study: Study = { root, name: path.basename(root), practices: [], types: [...DEFAULT_TYPES], participants: [] };
  let data: unknown;
  try {
    data = parse(fs.readFileSync(path.join(root, "fieldnotes.yaml"), "utf8"), {
      version: "1.2",
      schema: "core",
      uniqueKeys: false,
      maxAliasCount: 100,
    });
  } catch {
    return study;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return study;
  const cfg = data as Record<string, unknown>;
  if (typeof cfg.study === "string" && cfg.study.trim()) study.name = cfg.study.trim();
  if (Array.isArray(cfg.practices)) {
    const seen = new Set<string>();
    for (const p of cfg.practices) {
      if (!p || typeof p !== "object" || Array.isArray(p)) continue;
      const rec = p as Record<string, unknown>;
      if (rec.id === undefined || rec.id === null || typeof rec.id === "object") continue;
      const id = String(rec.id);
      if (!id || seen.has(id)) continue;
      seen.add(id);
      study.practices.push({ id, name: typeof rec.name === "string" ? rec.name : undefined });
    }
  }
  if (Array.isArray(cfg.participants)) {
    const seen = new Set<string>();
    for (const p of cfg.participants) {
      if (!p || typeof p !== "object" || Array.isArray(p)) continue;
      const { id, ...rest } = p as Record<string, unknown>;
      if (id === undefined || id === null || typeof id === "object" || seen.has(String(id))) continue;
      seen.add(String(id));
      const attributes: Participant["attributes"] = {};
      for (const [k, v] of Object.entries(rest)) if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") attributes[k] = v;
      study.participants.push({ id: String(id), attributes });
    }
  }
  if (Array.isArray(cfg.types)) {
    const types = cfg.types.filter((t): t is string => typeof t === "string" && t.length > 0);
    if (types.length) study.types = types;
  }
  return study;
}

/** The study whose root contains `file` (deepest first), if any. */
export function studyOf(studies: Study[], file: string): Study | undefined {
  let best: Study | undefined;
  for (const s of studies) {
    const rel = path.relative(s.root, file);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) {
      if (!best || s.root.length > best.root.length) best = s;
    }
  }
  return best;
}

/** Resolves a study given as an absolute path, a workspace-relative path, or a study name. */
export function resolveStudyArg(studies: Study[], arg: string): Study | undefined {
  const candidates: string[] = [];
  if (path.isAbsolute(arg)) candidates.push(arg);
  for (const f of vscode.workspace.workspaceFolders ?? []) candidates.push(path.resolve(f.uri.fsPath, arg));
  for (const c of candidates) {
    const norm = c.endsWith("fieldnotes.yaml") ? path.dirname(c) : c;
    const hit = studies.find((s) => path.resolve(s.root) === path.resolve(norm));
    if (hit) return hit;
    if (fs.existsSync(path.join(norm, "fieldnotes.yaml"))) return readStudy(path.resolve(norm));
  }
  return studies.find((s) => s.name === arg);
}
