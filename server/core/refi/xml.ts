// XML for REFI-QDA: a small writer with exact, deterministic layout (fast-xml-parser's builder orders
// attributes and empty elements its own way), and a guarded reader on fast-xml-parser that never
// expands entities: a DOCTYPE is refused before parsing (no XXE, no billion laughs), entity expansion
// is off in the parser, and only XML's five predefined entities and numeric character references
// are decoded here, by this module.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { RefiError } from "./errors.js";

// Characters XML 1.0 cannot hold at all (section 2.2), not even as references: C0 controls other
// than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Whether a string needs escaping at all: most attribute values are GUIDs, ids and numbers, and
// replace() with a callback costs even when nothing matches.
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<>"\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Text content, escaped (`& < >`, CR kept as a reference); characters XML cannot hold become U+FFFD. */
export function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(NOT_XML, "\uFFFD").replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#xD;"));
}

/** An attribute value for a double-quoted attribute; tab, LF and CR are references so they survive normalisation. */
export function escapeAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s.replace(NOT_XML, "\uFFFD").replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c]);
}
const ATTR_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;" };

/** Indentation by depth (two spaces a level), made once. */
const INDENT: string[] = [];
const indent = (depth: number) => INDENT[depth] ?? (INDENT[depth] = "  ".repeat(depth));

export type Attrs = [string, string | number | boolean | undefined][];

/**
 * Writes indented XML (two spaces, LF) line by line. Attributes are written in the order given;
 * undefined values are left out. `text` elements hold text only, on one line.
 */
export class XmlWriter {
  private parts: string[] = [];
  private depth = 0;

  constructor() {
    this.parts.push('<?xml version="1.0" encoding="utf-8"?>\n');
  }

  private tag(name: string, attrs: Attrs): string {
    let s = `<${name}`;
    for (const [k, v] of attrs) if (v !== undefined) s += ` ${k}="${escapeAttr(String(v))}"`;
    return s;
  }

  open(name: string, attrs: Attrs = []): void {
    this.parts.push(`${indent(this.depth)}${this.tag(name, attrs)}>\n`);
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.parts.push(`${indent(this.depth)}</${name}>\n`);
  }

  empty(name: string, attrs: Attrs = []): void {
    this.parts.push(`${indent(this.depth)}${this.tag(name, attrs)}/>\n`);
  }

  text(name: string, text: string, attrs: Attrs = []): void {
    this.parts.push(`${indent(this.depth)}${this.tag(name, attrs)}>${escapeText(text)}</${name}>\n`);
  }

  /** An opening tag of already escaped XML (`<Coding guid="…">`) at the current depth; close() ends it. */
  openLine(xml: string): void {
    this.parts.push(`${indent(this.depth)}${xml}\n`);
    this.depth++;
  }

  /** One line of already well-formed, escaped XML at the current depth. */
  line(xml: string): void {
    this.parts.push(`${indent(this.depth)}${xml}\n`);
  }

  toString(): string {
    return this.parts.join("");
  }
}

/** A parsed element: local name (any prefix dropped), attributes (decoded), children, its own text (decoded). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Children of `el` with the local name `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references; any other entity is an error naming `part`. */
export function decodeEntities(s: string, part: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&([^;&\s]{0,32});/g, (whole, name: string) => {
    if (name in PREDEFINED) return PREDEFINED[name];
    const m = /^#(x[0-9A-Fa-f]{1,6}|[0-9]{1,7})$/.exec(name);
    if (m) {
      const cp = m[1][0] === "x" ? parseInt(m[1].slice(1), 16) : parseInt(m[1], 10);
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0) return String.fromCodePoint(cp);
    }
    throw new RefiError(`${part}: the entity '${whole}' is not XML's own (only &amp; &lt; &gt; &quot; &apos; and character references are read); the file was not imported.`);
  });
}

/** Elements nested deeper than this are refused. */
export const MAX_XML_DEPTH = 256;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: "#cdata",
  commentPropName: false,
  // Deeper nesting is refused (the reader and the code tree walk recurse); real projects nest far less.
  maxNestedTags: MAX_XML_DEPTH,
  // No callback here reads the path: without this the parser writes every element's path as a string.
  jPath: false,
});

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

/**
 * Parses an exchange file's XML (`part` names it in messages: `project.qde`). Refused before
 * parsing: a DOCTYPE or ENTITY declaration anywhere (REFI-QDA documents have none). Malformed XML is
 * an error with its line and column. Line ends in text are normalised to LF (XML 1.0 section 2.11).
 */
export function parseXml(text: string, part: string): XmlElement {
  const body = text.replace(/^\uFEFF/, "");
  const decl = /<!(DOCTYPE|ENTITY)/i.exec(body);
  if (decl) {
    const line = body.slice(0, decl.index).split("\n").length;
    throw new RefiError(`${part}:${line}: a <!${decl[1].toUpperCase()} declaration is not accepted in a REFI-QDA file (entities are never expanded); the file was not imported.`);
  }
  const valid = XMLValidator.validate(body, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new RefiError(`${part}:${valid.err.line}:${valid.err.col}: not well-formed XML: ${valid.err.msg}`);
  }
  let ordered: Ordered[];
  try {
    ordered = parser.parse(body) as Ordered[];
  } catch (err) {
    const nested = /nested/i.test((err as Error).message);
    throw new RefiError(`${part}: ${nested ? `elements nest more than ${MAX_XML_DEPTH} levels deep` : `the XML cannot be read (${(err as Error).message})`}; the file was not imported.`);
  }
  const roots = ordered.map((o) => toElement(o, part)).filter((e): e is XmlElement => !!e);
  if (roots.length !== 1) throw new RefiError(`${part}: expected one root element, found ${roots.length}.`);
  return roots[0];
}

// Attribute-value normalisation (XML 1.0 section 3.3.3: a line end or a tab is a space), tested first:
// most values have none, and a project has hundreds of thousands of attributes.
const ATTR_WHITESPACE = /[\t\n\r]/;

function toElement(o: Ordered, part: string): XmlElement | undefined {
  let key: string | undefined;
  for (const k in o) {
    if (k !== ":@") {
      key = k;
      break;
    }
  }
  if (!key || key === "#text" || key === "#cdata") return undefined;
  const name = key.includes(":") ? key.slice(key.lastIndexOf(":") + 1) : key;
  const attrs: Record<string, string> = Object.create(null);
  const raw = o[":@"];
  if (raw) {
    for (const k of Object.keys(raw)) {
      let v = String(raw[k]);
      if (ATTR_WHITESPACE.test(v)) v = v.replace(/\r\n|[\t\n\r]/g, " ");
      attrs[k] = v.includes("&") ? decodeEntities(v, `${part}: <${name}> attribute ${k}`) : v;
    }
  }
  const children: XmlElement[] = [];
  let text = "";
  for (const c of (o[key] as Ordered[]) ?? []) {
    if ("#text" in c) {
      let t = String(c["#text"]);
      if (t.includes("\r")) t = t.replace(/\r\n?/g, "\n");
      text += t.includes("&") ? decodeEntities(t, `${part}: <${name}>`) : t;
    } else if ("#cdata" in c) text += ((c["#cdata"] as { "#text"?: string }[]) ?? []).map((t) => String(t["#text"] ?? "")).join("");
    else {
      const child = toElement(c, part);
      if (child) children.push(child);
    }
  }
  return { name, attrs, children, text };
}
