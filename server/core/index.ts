// The notes core: free of LSP and HTTP. Views (CLI, HTTP server, language server) import from here.
export * from "./types.js";
export * from "./npt.js";
export { LineIndex, decodeBytes, containsPosition, compareRanges } from "./text.js";
export { closest, editDistance } from "./suggest.js";
export { parseConfig, loadConfig, isRealDate, CONFIG_FILE } from "./config.js";
export { parseCodebook, CODE_ID } from "./codebook.js";
export { parseNoteText, parseNoteBytes, FACTS_VERSION } from "./note.js";
export { precedesTag } from "./markdown.js";
export { validateNote, readNote, makeContext, localToday, NOTE_FIELDS } from "./validate.js";
export { findStudyRoot, listNoteFiles, makeNoteMatcher, toRel } from "./files.js";
export { Study, NotAStudyError, type NoteRecord, type OpenOptions } from "./study.js";
export { buildSummary, buildPracticeDetail } from "./summary.js";
export { findIdentifiers, nhsChecksumValid } from "./identifiers.js";
