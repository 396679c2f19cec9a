// Deterministic REFI-QDA GUIDs: name-based UUIDs (RFC 4122 section 4.3, version 5: SHA-1), so that an
// unchanged study exports byte-identical files and the same item keeps its GUID from one export to the next.
import { createHash } from "node:crypto";

/** The namespace of every fieldnotes GUID (a fixed random UUID, as RFC 4122 section 4.3 asks). */
const NAMESPACE = Buffer.from("5b0c8f1e7d2a4c9b8e3f6a1d2c4b7e90", "hex");

/**
 * The GUID of `item` (e.g. `code:gp-buy-in`, `source:notes/A/x.md`) in the study named `study`:
 * SHA-1 over the namespace, the study name, a NUL and the item, laid out as a version-5 UUID
 * (lower-case `xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx`).
 */
export function itemGuid(study: string, item: string): string {
  const h = createHash("sha1").update(NAMESPACE).update(study, "utf8").update("\u0000").update(item, "utf8").digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
