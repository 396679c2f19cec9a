// A list field written as one string with commas (`npt: coherence, collective-action`): the YAML flow
// list that says what was meant (SPEC section 6).
import { parseDocument, isSeq, isScalar } from "yaml";

/**
 * `[a, b]` for the comma-separated `text` ("a, b"): items trimmed, empty ones dropped, each written
 * plain when YAML reads it back as that same string, else double-quoted (JSON string syntax is valid
 * YAML).
 */
export function listFix(text: string): string {
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  return `[${items.map((item) => (readsAsString(item) ? item : JSON.stringify(item))).join(", ")}]`;
}

/** Does `[item]` parse (YAML 1.2 core) as a list of exactly this one string? */
function readsAsString(item: string): boolean {
  const doc = parseDocument(`[${item}]`, { version: "1.2", schema: "core" });
  if (doc.errors.length || doc.warnings.length || !isSeq(doc.contents) || doc.contents.items.length !== 1) return false;
  const only = doc.contents.items[0];
  return isScalar(only) && only.value === item;
}
