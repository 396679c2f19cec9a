// The participant registry (SPEC section 11) as the exchange needs it: ids and attributes. Read from
// the typed configuration when it carries `participants`, else from fieldnotes.yaml itself (with the
// same position-keeping YAML reader as the configuration), so export works with either.
import { readStudyText } from "../studyfile.js";
import type { StudyConfig } from "../types.js";
import { LineIndex } from "../text.js";
import { parseYamlFacts } from "../yamlfacts.js";
import { CONFIG_FILE } from "../config.js";

export interface RegisteredParticipant {
  id: string;
  attributes: Record<string, number | boolean | string>;
}

/** The study's registered participants in registry order (empty without a registry). */
export function registeredParticipants(root: string, config: StudyConfig): RegisteredParticipant[] {
  const typed = (config as unknown as { participants?: unknown }).participants;
  if (Array.isArray(typed)) {
    return typed.flatMap((p: Record<string, unknown>) => {
      if (!p || typeof p.id !== "string") return [];
      const source = p.attributes && typeof p.attributes === "object" ? (p.attributes as Record<string, unknown>) : p;
      const attributes: RegisteredParticipant["attributes"] = {};
      for (const [k, v] of Object.entries(source)) {
        if (k !== "id" && k !== "range" && k !== "attributes" && (typeof v === "number" || typeof v === "boolean" || typeof v === "string")) attributes[k] = v;
      }
      return [{ id: p.id, attributes }];
    });
  }
  let text: string;
  try {
    text = readStudyText(root, CONFIG_FILE); // never a link, a pipe or a file outside the study
  } catch {
    return [];
  }
  const parsed = parseYamlFacts(text, 0, new LineIndex(text));
  const entry = parsed.value?.kind === "map" ? parsed.value.entries.find((e) => e.key === "participants") : undefined;
  if (entry?.value?.kind !== "seq") return [];
  const out: RegisteredParticipant[] = [];
  for (const item of entry.value.items) {
    if (item.kind !== "map") continue;
    const id = item.entries.find((e) => e.key === "id")?.value;
    if (id?.kind !== "scalar" || id.type === "null") continue;
    const attributes: RegisteredParticipant["attributes"] = {};
    for (const e of item.entries) {
      const v = e.value;
      if (e.key === "id" || v?.kind !== "scalar" || v.type === "null") continue;
      attributes[e.key] = v.type === "number" && Number.isFinite(Number(v.text)) ? Number(v.text) : v.type === "boolean" ? v.text === "true" : v.text;
    }
    out.push({ id: id.text, attributes });
  }
  return out;
}
