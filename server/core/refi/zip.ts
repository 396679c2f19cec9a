// ZIP for REFI-QDA (`.qdpx`). Writing: fflate, with fixed timestamps, levels and entry order, so the
// same entries give the same bytes. Reading an untrusted archive: the central directory is read here
// (fflate does not expose an entry's Unix mode, which tells a symbolic link), every entry name is
// checked, and each entry is inflated by node:zlib (several times faster than a JavaScript inflater)
// with its output capped at the smallest of its declared size and the archive's limits, so a ZIP bomb
// stops early.
import { inflateRawSync } from "node:zlib";
import { zipSync, type Zippable } from "fflate";
import { RefiError } from "./errors.js";

/** Limits on what one archive may unpack to (a bomb is stopped at whichever comes first). */
export interface ZipLimits {
  /** Total bytes unpacked over all entries read (default 1 GiB). */
  totalBytes: number;
  /** Bytes out per byte in, for an entry of more than 1 MiB (default 1000; DEFLATE's own maximum is about 1032). */
  ratio: number;
  /** Entries in the archive (default 100,000). */
  entries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { totalBytes: 1024 ** 3, ratio: 1000, entries: 100_000 };

/** One entry to write: its name in the archive, its bytes, and whether it is stored rather than deflated. */
export interface ZipInput {
  name: string;
  data: Uint8Array;
  store?: boolean;
}

/**
 * Writes a ZIP of `entries` in the order given: DEFLATE level 1 (or stored), every timestamp 1980-01-01
 * 00:00. Level 1 because fflate's level 6 took twice as long for a tenth less size: on a 27 MB
 * project.qde (10,000 notes) about 1.0 s against 0.6 s, 5.1 MB against 5.7 MB. fflate, not node:zlib,
 * so the bytes do not depend on the zlib build or the processor (Chromium's zlib, which Node bundles,
 * may hash with the processor's CRC32 instructions).
 */
export function writeZip(entries: ZipInput[]): Uint8Array {
  // fflate writes DOS time from local-time getters: a local-time date gives the same fields everywhere.
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  const files: Zippable = {};
  for (const e of entries) files[e.name] = [e.data, { level: e.store ? 0 : 1, mtime }];
  return zipSync(files, { level: 1, mtime });
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/**
 * An untrusted ZIP archive, opened for reading. Throws RefiError (naming the archive `label` and the
 * entry) for: not a ZIP, ZIP64 or multi-disk archives, encrypted entries, names that climb out
 * (`..`, also written with backslashes), absolute names (`/x`, `C:\x`), names with a NUL, symbolic links, and too many
 * entries. Directories are listed but hold nothing.
 */
export class ZipReader {
  readonly entries: ZipEntry[] = [];
  private unpacked = 0;

  constructor(private readonly bytes: Uint8Array, private readonly label: string, private readonly limits: ZipLimits = DEFAULT_ZIP_LIMITS) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u32 = (o: number) => view.getUint32(o, true);
    const u16 = (o: number) => view.getUint16(o, true);
    let eocd = -1;
    for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 65535); o--) {
      if (u32(o) === EOCD) {
        eocd = o;
        break;
      }
    }
    if (eocd < 0) throw new RefiError(`${label}: not a ZIP archive (no end of central directory); a .qdpx is a ZIP file.`);
    const count = u16(eocd + 10);
    const cdSize = u32(eocd + 12);
    const cdOffset = u32(eocd + 16);
    if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || count !== u16(eocd + 8)) throw new RefiError(`${label}: multi-part ZIP archives are not read.`);
    if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new RefiError(`${label}: ZIP64 archives are not read (the archive is larger than 4 GB or holds more than 65,535 entries).`);
    if (count > limits.entries) throw new RefiError(`${label}: the archive holds ${count} entries, more than the ${limits.entries} accepted.`);
    if (cdOffset + cdSize > eocd) throw new RefiError(`${label}: the ZIP central directory is damaged.`);
    const decoder = new TextDecoder("utf-8", { fatal: false });
    let o = cdOffset;
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      if (o + 46 > eocd || u32(o) !== CENTRAL) throw new RefiError(`${label}: the ZIP central directory is damaged (entry ${i + 1}).`);
      const madeBy = u16(o + 4) >> 8;
      const flags = u16(o + 8);
      const method = u16(o + 10);
      const compressedSize = u32(o + 20);
      const size = u32(o + 24);
      const nameLen = u16(o + 28);
      const extraLen = u16(o + 30);
      const commentLen = u16(o + 32);
      const external = u32(o + 38);
      const localOffset = u32(o + 42);
      const raw = decoder.decode(bytes.subarray(o + 46, o + 46 + nameLen));
      o += 46 + nameLen + extraLen + commentLen;
      const part = `${label}: entry '${raw}'`;
      if (raw.includes("\u0000")) throw new RefiError(`${part} has a NUL in its name; the archive was not imported.`);
      // Some Windows tools write backslashes: they separate folders just as slashes do.
      const name = raw.replace(/\\/g, "/");
      if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw new RefiError(`${part} has an absolute path; the archive was not imported.`);
      if (name.split("/").some((s) => s === "..")) throw new RefiError(`${part} climbs out of the archive ('..'); the archive was not imported.`);
      const mode = external >>> 16;
      // Unix (3) and macOS (19) hosts keep the file mode in the high half of the external attributes.
      if ((madeBy === 3 || madeBy === 19) && (mode & S_IFMT) === S_IFLNK) throw new RefiError(`${part} is a symbolic link; the archive was not imported.`);
      if (flags & 1) throw new RefiError(`${part} is encrypted; export the project again without a password.`);
      if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) throw new RefiError(`${part} is a ZIP64 entry, which is not read.`);
      if (seen.has(name)) throw new RefiError(`${part} appears twice in the archive; the archive was not imported.`);
      seen.add(name);
      const isDir = name.endsWith("/") || (mode & S_IFMT) === S_IFDIR;
      if (!isDir) this.entries.push({ name, method, compressedSize, size, localOffset });
    }
  }

  /** The entry named exactly `name`, if any. */
  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /**
   * The unpacked bytes of an entry. Stops with a RefiError naming the entry as soon as the output
   * passes its declared size, the archive's total limit or the ratio limit, or when its data are damaged.
   */
  read(entry: ZipEntry): Uint8Array {
    const part = `${this.label}: entry '${entry.name}'`;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const o = entry.localOffset;
    if (o + 30 > this.bytes.length || view.getUint32(o, true) !== LOCAL) throw new RefiError(`${part}: its local header is missing or damaged.`);
    const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw new RefiError(`${part}: its data run past the end of the archive.`);
    const input = this.bytes.subarray(start, end);
    if (entry.size > this.limits.totalBytes - this.unpacked) throw new RefiError(`${part} would unpack to more than ${this.limits.totalBytes} bytes in all (a ZIP bomb?); the archive was not imported.`);
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw new RefiError(`${part}: stored size and declared size differ.`);
      this.unpacked += entry.size;
      return input;
    }
    if (entry.method !== 8) throw new RefiError(`${part} uses ZIP compression method ${entry.method}; only stored and DEFLATE entries are read.`);
    // zlib stops as soon as its output passes maxOutputLength, so the smallest of the three limits is
    // given to it and, when it stops, the message names that limit (declared size, total, ratio).
    const overflow = (why: string) => new RefiError(`${part} ${why} (a ZIP bomb?); the archive was not imported.`);
    const limits: [number, () => RefiError][] = [
      [entry.size, () => overflow(`unpacks to more than its declared ${entry.size} bytes`)],
      [this.limits.totalBytes - this.unpacked, () => overflow(`would unpack to more than ${this.limits.totalBytes} bytes in all`)],
      [Math.max(1024 * 1024, this.limits.ratio * Math.max(1, entry.compressedSize)), () => overflow(`unpacks more than ${this.limits.ratio} times its packed size`)],
    ];
    const [limit, tooMuch] = limits.reduce((a, b) => (b[0] < a[0] ? b : a));
    let out: Buffer;
    try {
      out = inflateRawSync(input, { maxOutputLength: Math.max(1, limit) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooMuch();
      throw new RefiError(`${part}: its compressed data are damaged (${(err as Error).message}).`);
    }
    if (out.length > limit) throw tooMuch();
    if (out.length !== entry.size) throw new RefiError(`${part}: unpacked ${out.length} bytes, not the ${entry.size} it declares; the archive is damaged.`);
    this.unpacked += out.length;
    return out;
  }
}
