// An editor's unsaved text of a note gets the facts its saved bytes would get: the checks that
// parseNoteBytes makes on bytes (a NUL in the first 8 KB: binary; over 10 MB: too large; a parser
// failure: skipped) are made here on the text, measured in the UTF-8 bytes it would be saved as.
import type { NoteFacts } from "./types.js";
import { MAX_FILE_BYTES } from "./text.js";
import { parseNoteBytes, parseNoteText, tooLargeFacts, type ChunkCache } from "./note.js";

/** How far into a file decodeBytes looks for a NUL byte (bytes). */
const BINARY_PROBE_BYTES = 8192;

/** Facts for a note's unsaved text (BOM already removed), as parseNoteBytes would give for it saved as UTF-8. */
export function parseUnsavedText(text: string, chunks?: ChunkCache): NoteFacts {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long texts need measuring.
  if (text.length * 3 > MAX_FILE_BYTES) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > MAX_FILE_BYTES) return tooLargeFacts(bytes);
  }
  const nul = text.indexOf("\u0000");
  // A unit is at least one byte, so a NUL at unit index >= 8192 lies beyond the first 8 KB.
  if (nul !== -1 && nul < BINARY_PROBE_BYTES && Buffer.byteLength(text.slice(0, nul), "utf8") < BINARY_PROBE_BYTES) {
    return parseNoteBytes(Uint8Array.of(0)); // the facts (and words) of a binary file, from the one place that says them
  }
  try {
    return parseNoteText(text, false, chunks);
  } catch {
    // The saved file's path turns the same failure into its located file-skipped.
    return parseNoteBytes(Buffer.from(text, "utf8"));
  }
}
