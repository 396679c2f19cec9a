// The YAML frontmatter of an imported note, as yaml's Document writes it (lists in flow style:
// `npt: [coherence]`). Building a Document per note was a seventh of an import's time, so fields whose
// every value is a plain word are written here directly, in the same bytes; anything else goes to yaml.
import { Document, stringify } from "yaml";

/** The frontmatter's values: strings, lists of strings, or one level of string map (`assessment`). */
export type FrontmatterFields = Record<string, string | string[] | Record<string, string>>;

const FLOW_KEYS = new Set(["npt", "participants", "codes"]);

/**
 * YAML frontmatter text for `fields` (in their order), ending with a newline: lists under `npt`,
 * `participants` and `codes` in flow style, other lists and maps in block style. Byte for byte what
 * yaml 2's `Document.toString({ lineWidth: 0, flowCollectionPadding: false })` gives.
 */
export function frontmatterYaml(fields: FrontmatterFields): string {
  return plainFrontmatter(fields) ?? documentFrontmatter(fields);
}

/** yaml's own writing: the reference, and the way for any value that is not a plain word. */
export function documentFrontmatter(fields: FrontmatterFields): string {
  const doc = new Document(fields);
  for (const key of FLOW_KEYS) {
    const node = doc.get(key, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

// Words yaml may leave unquoted in block and flow context alike: no indicator to start with, no flow
// indicator (, [ ] { }), no ': ' or ' #', no leading, trailing or double space. Whether yaml reads
// such a word back as a string (not a number, boolean or null) is asked of yaml once per word.
const WORD = /^[A-Za-z0-9][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/;
const plainWords = new Map<string, boolean>();

function isPlainWord(s: string): boolean {
  let plain = plainWords.get(s);
  if (plain === undefined) {
    plain = WORD.test(s) && stringify(s, { lineWidth: 0 }) === `${s}\n`;
    if (plainWords.size < 100_000) plainWords.set(s, plain);
  }
  return plain;
}

/** The frontmatter written directly, or undefined when a key or value is not a plain word (or a list is empty). */
function plainFrontmatter(fields: FrontmatterFields): string | undefined {
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (!isPlainWord(key)) return undefined;
    if (typeof value === "string") {
      if (!isPlainWord(value)) return undefined;
      out += `${key}: ${value}\n`;
    } else if (Array.isArray(value)) {
      if (!value.length || !value.every(isPlainWord)) return undefined;
      out += FLOW_KEYS.has(key) ? `${key}: [${value.join(", ")}]\n` : `${key}:\n${value.map((v) => `  - ${v}\n`).join("")}`;
    } else {
      const entries = Object.entries(value);
      if (!entries.length || !entries.every(([k, v]) => isPlainWord(k) && typeof v === "string" && isPlainWord(v))) return undefined;
      out += `${key}:\n${entries.map(([k, v]) => `  ${k}: ${v}\n`).join("")}`;
    }
  }
  return out;
}
