// Deterministic REFI-QDA GUIDs: name-based UUIDs (RFC 4122 section 4.3, version 5: SHA-1), so that an
// unchanged study exports byte-identical files and the same item keeps its GUID from one export to the next.
import * as crypto from "node:crypto";

/** The namespace of every fieldnotes GUID (a fixed random UUID, as RFC 4122 section 4.3 asks). */
const NAMESPACE = Buffer.from("5b0c8f1e7d2a4c9b8e3f6a1d2c4b7e90", "hex");

/**
 * The GUID of `item` (e.g. `code:gp-buy-in`, `source:notes/A/x.md`) in the study named `study`:
 * SHA-1 over the namespace, the study name, a NUL and the item, laid out as a version-5 UUID
 * (lower-case `xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx`).
 */
export function itemGuid(study: string, item: string): string {
  return guidMaker(study)(item);
}

// One-shot hashing (Node 20.12+) skips a Hash object per GUID: an export makes one per coding.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: "hex") => string }).hash;
const sha1Hex = oneShot ? (data: Uint8Array) => oneShot("sha1", data, "hex") : (data: Uint8Array) => crypto.createHash("sha1").update(data).digest("hex");

/** The variant nibble (RFC 4122 section 4.1.1: binary 10xx) for each hex digit of SHA-1's 17th digit. */
const VARIANT = "89ab89ab89ab89ab";

/**
 * itemGuid for one study, for many items: the same GUIDs, with the namespace and study bytes laid out
 * once and each item written into a reused buffer (an export makes a GUID per selection and coding).
 */
export function guidMaker(study: string): (item: string) => string {
  const prefix = Buffer.concat([NAMESPACE, Buffer.from(study, "utf8"), Buffer.from([0])]);
  let buf = Buffer.allocUnsafe(prefix.length + 1024);
  prefix.copy(buf);
  return (item) => {
    // A UTF-16 unit takes at most 3 UTF-8 bytes.
    if (prefix.length + item.length * 3 > buf.length) {
      buf = Buffer.allocUnsafe(prefix.length + item.length * 3);
      prefix.copy(buf);
    }
    const n = buf.write(item, prefix.length, "utf8");
    const x = sha1Hex(buf.subarray(0, prefix.length + n));
    // Version 5 in the 13th digit, the variant in the 17th.
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${VARIANT[parseInt(x[16], 16)]}${x.slice(17, 20)}-${x.slice(20, 32)}`;
  };
}
