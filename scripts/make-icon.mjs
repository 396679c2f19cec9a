#!/usr/bin/env node
// Draws the extension icon (extension/icon.png, 128x128 RGBA): a note page with ruled lines and a
// "#" code tag on a teal rounded square. Pure Node (zlib), no image tools needed.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const N = 128;
const px = Buffer.alloc(N * N * 4);
const set = (x, y, [r, g, b, a = 255]) => {
  if (x < 0 || y < 0 || x >= N || y >= N) return;
  const i = (y * N + x) * 4;
  px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
};
const rect = (x0, y0, x1, y1, c) => { for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set(x, y, c); };
const roundRect = (x0, y0, x1, y1, r, c) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const cx = x < x0 + r ? x0 + r : x >= x1 - r ? x1 - r - 1 : x;
    const cy = y < y0 + r ? y0 + r : y >= y1 - r ? y1 - r - 1 : y;
    if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) set(x, y, c);
  }
};
const teal = [18, 120, 120];
const paper = [250, 248, 240];
const rule = [150, 180, 200];
const ink = [200, 70, 50];

roundRect(0, 0, N, N, 22, teal);
roundRect(28, 16, 100, 112, 6, paper);
for (let y = 40; y <= 96; y += 12) rect(38, y, 90, y + 3, rule);
rect(28, 16, 36, 112, [230, 225, 210]);
// "#" tag in the lower right
const hx = 70, hy = 70;
rect(hx + 6, hy, hx + 12, hy + 36, ink);
rect(hx + 20, hy, hx + 26, hy + 36, ink);
rect(hx, hy + 9, hx + 34, hy + 15, ink);
rect(hx, hy + 22, hx + 34, hy + 28, ink);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) { raw[y * (N * 4 + 1)] = 0; px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4); }
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
const out = new URL("../extension/icon.png", import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
