/**
 * Writes a PNG contact sheet of `builtin:shapes10` samples, each captioned with its class, for
 * eyeballing the generator. Usage:
 *   npx tsx src/cli/previewShapes10.ts out.png [--size 32] [--seed 0] [--count 40]
 */

import { writeFileSync } from 'node:fs';
import { zlibSync } from 'fflate';
import { generateShapes10 } from '../data/builtin/shapes10';

/** 5x7 glyphs, one 5-bit row each (bit 4 is the leftmost pixel). */
const FONT: Record<string, number[]> = {
  A: [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11], B: [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e], D: [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f], F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  G: [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f], H: [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e], J: [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
  K: [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11], N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e], P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  Q: [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d], R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e], T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  U: [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e], V: [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
  W: [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a], X: [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
  Y: [0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04], Z: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
  0: [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e], 1: [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  2: [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f], 3: [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  4: [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02], 5: [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  6: [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e], 7: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  8: [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e], 9: [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  '-': [0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00],
};

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the PNG/zlib polynomial) of the given bytes. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes width x height RGB bytes as an 8-bit truecolour PNG. */
function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    makeChunk('IHDR', header),
    makeChunk('IDAT', zlibSync(raw, { level: 9 })),
    makeChunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

function readFlag(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

function main(): void {
  const args = process.argv.slice(2);
  const path = args[0];
  if (!path || path.startsWith('--')) {
    console.error('usage: tsx src/cli/previewShapes10.ts out.png [--size 32] [--seed 0] [--count 40]');
    process.exit(2);
  }
  const size = readFlag(args, '--size', 32);
  const seed = readFlag(args, '--seed', 0);
  const count = Math.ceil(readFlag(args, '--count', 40) / 10) * 10;
  const ds = generateShapes10({ size, seed, trainCount: count, testCount: 0 });

  const zoom = Math.max(1, Math.floor(128 / size));
  const textScale = 2;
  const cols = 8;
  const pad = 4;
  const cellW = Math.max(size * zoom, 9 * 6 * textScale) + pad;
  const cellH = size * zoom + 9 * textScale + pad;
  const width = cols * cellW + pad;
  const height = Math.ceil(count / cols) * cellH + pad;
  const sheet = new Uint8Array(width * height * 3).fill(255);
  const setPixel = (x: number, y: number, r: number, g: number, b: number): void => {
    const i = (y * width + x) * 3;
    sheet[i] = r;
    sheet[i + 1] = g;
    sheet[i + 2] = b;
  };

  const pixels = size * size * 3;
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * cellW;
    const y0 = pad + Math.floor(n / cols) * cellH;
    for (let y = 0; y < size * zoom; y++) {
      for (let x = 0; x < size * zoom; x++) {
        const i = n * pixels + (Math.floor(y / zoom) * size + Math.floor(x / zoom)) * 3;
        setPixel(x0 + x, y0 + y, ds.train.images[i], ds.train.images[i + 1], ds.train.images[i + 2]);
      }
    }
    const text = ds.classNames[ds.train.labels[n]].toUpperCase();
    for (let c = 0; c < text.length; c++) {
      const glyph = FONT[text[c]] ?? [];
      for (let gy = 0; gy < glyph.length; gy++) {
        for (let gx = 0; gx < 5; gx++) {
          if (!((glyph[gy] >> (4 - gx)) & 1)) continue;
          for (let sy = 0; sy < textScale; sy++) {
            for (let sx = 0; sx < textScale; sx++) {
              setPixel(x0 + (c * 6 + gx) * textScale + sx, y0 + size * zoom + (1 + gy) * textScale + sy, 0, 0, 0);
            }
          }
        }
      }
    }
  }
  writeFileSync(path, encodePng(sheet, width, height));
  console.log(`wrote ${path}: ${count} samples at ${size} px (seed ${seed}), ${width}x${height}`);
}

main();
