// Opening an exchange file (SPEC section 13): a `.qdpx` (a ZIP holding one `.qde` at its root and the
// sources under `sources/` or `Sources/`), a bare `.qde` (its sources, if any, in a `sources/` folder
// beside it) or a `.qdc`. Everything is read, nothing is extracted to disk.
import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RefiError } from "./errors.js";
import { parseXml } from "./xml.js";
import { readProject, type RefiProject } from "./model.js";
import { ZipReader, DEFAULT_ZIP_LIMITS, type ZipEntry, type ZipLimits } from "./zip.js";

export interface OpenedExchange {
  project: RefiProject;
  /**
   * The bytes of a source's `plainTextPath`: undefined when the path is not `internal://…`, "missing"
   * when the file named is not there. Throws RefiError when reading it breaks the archive's limits.
   */
  sourceBytes(plainTextPath: string): Uint8Array | "missing" | undefined;
}

const MAX_XML_BYTES = 512 * 1024 * 1024;

/** Opens `file` (its kind from the name, or from the content: a ZIP starts with "PK"). */
export function openExchange(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): OpenedExchange {
  let bytes: Buffer;
  const name = basename(file);
  try {
    const st = lstatSync(file);
    if (!st.isFile()) throw new RefiError(`${file} is not a regular file.`);
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof RefiError) throw err;
    throw new RefiError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (isZip) return openZip(bytes, name, limits);
  if (bytes.length > MAX_XML_BYTES) throw new RefiError(`${name} is larger than ${MAX_XML_BYTES / 1024 / 1024} MB.`);
  const project = readProject(parseXml(decodeXml(bytes, name), name), name);
  const folder = dirname(file);
  return {
    project,
    sourceBytes: (path) => {
      const inner = internalName(path);
      if (inner === undefined) return undefined;
      for (const dir of sourceFolders(folder)) {
        const p = join(folder, dir, inner);
        try {
          if (lstatSync(p).isFile()) return readFileSync(p);
        } catch {
          // not in this folder
        }
      }
      return "missing";
    },
  };
}

/** XML text: UTF-8 (with or without a BOM), or UTF-16 with its BOM (XML 1.0 section 4.3.3). */
function decodeXml(bytes: Uint8Array, part: string): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : "utf-8";
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new RefiError(`${part}: not ${encoding === "utf-8" ? "UTF-8" : "UTF-16"} text (REFI-QDA XML is UTF-8).`);
  }
}

/** `internal://x.txt` → `x.txt` (a single file name; anything that climbs or nests is refused). */
function internalName(path: string): string | undefined {
  const m = /^internal:\/\/(.+)$/i.exec(path.trim());
  if (!m) return undefined;
  const inner = decodeURIComponentSafe(m[1]);
  if (!inner || inner.includes("/") || inner.includes("\\") || inner === "." || inner === ".." || inner.includes("\u0000")) return "\u0000invalid";
  return inner;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sourceFolders(folder: string): string[] {
  try {
    return readdirSync(folder).filter((n) => n.toLowerCase() === "sources");
  } catch {
    return [];
  }
}

function openZip(bytes: Uint8Array, name: string, limits: ZipLimits): OpenedExchange {
  const zip = new ZipReader(bytes, name, limits);
  const qdes = zip.entries.filter((e) => !e.name.includes("/") && e.name.toLowerCase().endsWith(".qde"));
  if (qdes.length === 0) throw new RefiError(`${name}: no .qde file at the root of the archive; a .qdpx holds project.qde.`);
  if (qdes.length > 1) throw new RefiError(`${name}: ${qdes.length} .qde files at the root of the archive (${qdes.map((e) => e.name).join(", ")}); expected one.`);
  const qde = qdes[0];
  const part = `${name}: ${qde.name}`;
  const project = readProject(parseXml(decodeXml(zip.read(qde), part), part), part);
  // The entries under sources/ (either case) by their name there; the first of two spellings wins.
  const sources = new Map<string, ZipEntry>();
  for (const e of zip.entries) {
    const slash = e.name.indexOf("/");
    if (slash > 0 && e.name.slice(0, slash).toLowerCase() === "sources" && !sources.has(e.name.slice(slash + 1))) sources.set(e.name.slice(slash + 1), e);
  }
  return {
    project,
    sourceBytes: (path) => {
      const inner = internalName(path);
      if (inner === undefined) return undefined;
      const entry = sources.get(inner);
      return entry ? zip.read(entry) : "missing";
    },
  };
}
