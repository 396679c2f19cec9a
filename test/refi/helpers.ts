// Helpers of the REFI-QDA suites: the shared schemas and samples (../shared/refi), a real XSD validator
// (xmllint-wasm: libxml2), and an independent reading of exports (fflate + fast-xml-parser, not the
// project's own reader).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { XMLParser } from "fast-xml-parser";
import { validateXML } from "xmllint-wasm";
import { REPO } from "../fixtures/helpers.js";

export const SHARED_REFI = resolve(REPO, "..", "shared", "refi");
export const HAVE_SHARED_REFI = existsSync(join(SHARED_REFI, "Project.xsd"));
export const SAMPLES = join(SHARED_REFI, "samples");

/** Validates `xml` against ../shared/refi/<xsd>; returns libxml2's errors (empty when valid). */
export async function xsdErrors(xml: string, xsd: "Project.xsd" | "Codebook.xsd"): Promise<string[]> {
  const schema = readFileSync(join(SHARED_REFI, xsd), "utf8");
  const r = await validateXML({ xml: [{ fileName: "export.xml", contents: xml }], schema: [{ fileName: xsd, contents: schema }] });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}

/** The entries of a .qdpx, in archive order (names → bytes). */
export function unzipQdpx(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes);
}

export function projectXml(bytes: Uint8Array): string {
  return strFromU8(unzipQdpx(bytes)["project.qde"]);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  // Every element an array, except the root (its path is its name).
  isArray: (name, path, _leaf, isAttribute) => !isAttribute && path !== name,
});

/** The project as plain objects (every element an array, attributes as properties). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseProject(xml: string): any {
  return parser.parse(xml);
}

/** Code points [start, end) of a text. */
export function codePointSlice(text: string, start: number, end: number): string {
  return [...text].slice(start, end).join("");
}
