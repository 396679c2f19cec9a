// What a REFI-QDA project or codebook says (Project.xsd, Codebook.xsd), read from its parsed XML into
// plain records: codes as a tree, variables, cases, text sources with their selections and codings,
// sets, and counts of what fieldnotes cannot carry. GUIDs are compared in lower case without braces;
// a GUID used by two elements is an error naming both.
import { RefiError } from "./errors.js";
import { childNamed, childrenNamed, type XmlElement } from "./xml.js";
import { readValue, type AttributeValue } from "./variables.js";

export interface RefiCode {
  guid: string;
  name: string;
  description?: string;
  codable: boolean;
  children: RefiCode[];
}

export interface RefiValue {
  variable: string;
  value: AttributeValue;
}

export interface RefiCase {
  guid: string;
  name: string;
  description?: string;
  values: RefiValue[];
  sources: string[];
}

export interface RefiCoding {
  guid: string;
  code: string;
}

export interface RefiSelection {
  guid: string;
  start: number;
  end: number;
  codings: RefiCoding[];
}

export interface RefiTextSource {
  guid: string;
  name: string;
  plainTextPath?: string;
  content?: string;
  creationDateTime?: string;
  selections: RefiSelection[];
  codings: RefiCoding[];
  values: RefiValue[];
}

export interface RefiSet {
  name: string;
  codes: string[];
}

export interface RefiProject {
  kind: "project" | "codebook";
  name: string;
  origin: string;
  codes: RefiCode[];
  variables: Map<string, { name: string; type: string }>;
  cases: RefiCase[];
  sources: RefiTextSource[];
  sets: RefiSet[];
  /** Things fieldnotes cannot carry, counted by kind (e.g. "picture sources"). */
  notCarried: Map<string, number>;
}

export const PROJECT_NS = "urn:QDA-XML:project:1.0";
export const CODEBOOK_NS = "urn:QDA-XML:codebook:1.0";

const PLAIN_GUID = /^[0-9a-f-]*$/;

/** A GUID as compared: lower case, braces dropped. */
export function normGuid(s: string | undefined): string {
  if (s !== undefined && PLAIN_GUID.test(s)) return s;
  return (s ?? "").trim().replace(/^\{|\}$/g, "").toLowerCase();
}

/**
 * Reads a parsed `<Project>` or `<CodeBook>` (`part` names the file in messages). Throws RefiError for
 * another root or namespace, a missing or duplicate GUID, or a selection whose positions are not
 * whole numbers.
 */
export function readProject(root: XmlElement, part: string): RefiProject {
  const ns = root.attrs.xmlns;
  const kind = root.name === "Project" ? "project" : root.name === "CodeBook" ? "codebook" : undefined;
  if (!kind) throw new RefiError(`${part}: the root element is <${root.name}>, not a REFI-QDA <Project> or <CodeBook>.`);
  const expected = kind === "project" ? PROJECT_NS : CODEBOOK_NS;
  if (ns !== undefined && ns !== expected) throw new RefiError(`${part}: the namespace is '${ns}', not '${expected}' (REFI-QDA 1.0).`);

  // The element that holds each GUID; its label is made only for a message.
  const owners = new Map<string, XmlElement>();
  const labelOf = (el: XmlElement) => `<${el.name}${el.attrs.name ? ` name="${el.attrs.name}"` : ""}>`;
  const guidOf = (el: XmlElement): string => {
    const raw = el.attrs.guid;
    if (!raw) throw new RefiError(`${part}: ${labelOf(el)} has no guid.`);
    const g = normGuid(raw);
    const other = owners.get(g);
    if (other) throw new RefiError(`${part}: the GUID ${raw} is used twice, by ${labelOf(other)} and ${labelOf(el)}; the project was not imported.`);
    owners.set(g, el);
    return g;
  };
  const notCarried = new Map<string, number>();
  const skip = (what: string, n = 1) => n && notCarried.set(what, (notCarried.get(what) ?? 0) + n);

  const readCode = (el: XmlElement): RefiCode => ({
    guid: guidOf(el),
    name: el.attrs.name ?? "",
    description: childNamed(el, "Description")?.text,
    codable: el.attrs.isCodable !== "false" && el.attrs.isCodable !== "0",
    children: childrenNamed(el, "Code").map(readCode),
  });
  const codesParent = kind === "project" ? childNamed(root, "CodeBook") : root;
  const codes = codesParent ? childrenNamed(childNamed(codesParent, "Codes") ?? { name: "", attrs: {}, children: [], text: "" }, "Code").map(readCode) : [];

  const readSets = (container: XmlElement | undefined): RefiSet[] =>
    childrenNamed(container ?? EMPTY, "Set").map((s) => {
      guidOf(s);
      const members = childrenNamed(s, "MemberCode").map((m) => normGuid(m.attrs.targetGUID ?? m.attrs.guid));
      skip("set members that are sources or notes", childrenNamed(s, "MemberSource").length + childrenNamed(s, "MemberNote").length);
      return { name: s.attrs.name ?? "", codes: members };
    });

  if (kind === "codebook") {
    return { kind, name: "", origin: root.attrs.origin ?? "", codes, variables: new Map(), cases: [], sources: [], sets: readSets(childNamed(root, "Sets")), notCarried };
  }

  for (const u of childrenNamed(childNamed(root, "Users") ?? EMPTY, "User")) guidOf(u);
  const variables = new Map<string, { name: string; type: string }>();
  for (const v of childrenNamed(childNamed(root, "Variables") ?? EMPTY, "Variable")) variables.set(guidOf(v), { name: v.attrs.name ?? "", type: v.attrs.typeOfVariable ?? "Text" });
  const values = (el: XmlElement): RefiValue[] =>
    childrenNamed(el, "VariableValue").flatMap((vv) => {
      const value = readValue(vv);
      const ref = childNamed(vv, "VariableRef")?.attrs.targetGUID;
      return value === undefined || !ref ? [] : [{ variable: normGuid(ref), value }];
    });
  const codings = (el: XmlElement): RefiCoding[] =>
    childrenNamed(el, "Coding").map((c) => ({ guid: guidOf(c), code: normGuid(childNamed(c, "CodeRef")?.attrs.targetGUID) }));

  const cases = childrenNamed(childNamed(root, "Cases") ?? EMPTY, "Case").map((c) => {
    skip("codes and selections linked to cases", childrenNamed(c, "CodeRef").length + childrenNamed(c, "SelectionRef").length);
    return {
      guid: guidOf(c),
      name: c.attrs.name ?? "",
      description: childNamed(c, "Description")?.text,
      values: values(c),
      sources: childrenNamed(c, "SourceRef").map((s) => normGuid(s.attrs.targetGUID)),
    };
  });

  const sources: RefiTextSource[] = [];
  const OTHER: Record<string, [string, string]> = {
    PictureSource: ["picture sources", "PictureSelection"],
    PDFSource: ["PDF sources", "PDFSelection"],
    AudioSource: ["audio sources", "AudioSelection"],
    VideoSource: ["video sources", "VideoSelection"],
  };
  for (const s of childNamed(root, "Sources")?.children ?? []) {
    if (s.name !== "TextSource") {
      guidOf(s);
      const other = OTHER[s.name];
      if (!other) continue;
      skip(other[0]);
      const selections = childrenNamed(s, other[1]);
      skip("codings of non-text sources", childrenNamed(s, "Coding").length + selections.reduce((n, sel) => n + childrenNamed(sel, "Coding").length, 0));
      continue;
    }
    const guid = guidOf(s);
    const selections: RefiSelection[] = childrenNamed(s, "PlainTextSelection").map((sel) => {
      const g = guidOf(sel);
      const start = Number(sel.attrs.startPosition);
      const end = Number(sel.attrs.endPosition);
      if (!/^\s*-?\d+\s*$/.test(sel.attrs.startPosition ?? "") || !/^\s*-?\d+\s*$/.test(sel.attrs.endPosition ?? "")) {
        throw new RefiError(`${part}: <PlainTextSelection guid="${sel.attrs.guid}"> in source '${s.attrs.name ?? guid}' has positions that are not whole numbers.`);
      }
      return { guid: g, start, end, codings: codings(sel) };
    });
    const content = childNamed(s, "PlainTextContent")?.text;
    skip("memos (notes) linked to sources", childrenNamed(s, "NoteRef").length);
    sources.push({
      guid,
      name: s.attrs.name ?? "",
      plainTextPath: s.attrs.plainTextPath,
      content,
      creationDateTime: s.attrs.creationDateTime,
      selections,
      codings: codings(s),
      values: values(s),
    });
  }
  for (const n of childrenNamed(childNamed(root, "Notes") ?? EMPTY, "Note")) (guidOf(n), skip("memos (notes)"));
  skip("links", childrenNamed(childNamed(root, "Links") ?? EMPTY, "Link").length);
  skip("graphs", childrenNamed(childNamed(root, "Graphs") ?? EMPTY, "Graph").length);
  return {
    kind,
    name: root.attrs.name ?? "",
    origin: root.attrs.origin ?? "",
    codes,
    variables,
    cases,
    sources,
    sets: readSets(childNamed(root, "Sets")),
    notCarried,
  };
}

const EMPTY: XmlElement = { name: "", attrs: {}, children: [], text: "" };
