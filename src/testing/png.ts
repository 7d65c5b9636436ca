/**
 * A small PNG encoder for fixtures and preview tools: 8-bit RGB, RGBA, greyscale and palette
 * images, zlib through fflate. Palette and greyscale PNGs are how segmentation masks store
 * class indices.
 */

import { zlibSync } from 'fflate';
import { crc32 } from '../data/crc32';

export type PngColor = 'rgb' | 'rgba' | 'gray' | 'palette';

const COLOR_TYPE: Record<PngColor, number> = { gray: 0, rgb: 2, palette: 3, rgba: 6 };
const CHANNELS: Record<PngColor, number> = { gray: 1, rgb: 3, palette: 1, rgba: 4 };

function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface PngImage {
  width: number;
  height: number;
  /** width x height x channels bytes (channels: gray 1, rgb 3, palette 1 index, rgba 4). */
  data: Uint8Array;
  color: PngColor;
  /** Palette colours, for `palette` images. */
  palette?: [number, number, number][];
}

/** Encodes an 8-bit PNG. */
export function encodePngImage(img: PngImage): Uint8Array {
  const { width, height, data, color } = img;
  const ch = CHANNELS[color];
  if (data.length !== width * height * ch) throw new Error(`encodePngImage: ${data.length} bytes for ${width}x${height}x${ch}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, COLOR_TYPE[color], 0, 0, 0], 8);
  const raw = new Uint8Array(height * (1 + width * ch));
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width * ch, (y + 1) * width * ch), y * (1 + width * ch) + 1);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), makeChunk('IHDR', header)];
  if (color === 'palette') {
    const pal = img.palette ?? [];
    if (pal.length === 0 || pal.length > 256) throw new Error('encodePngImage: a palette image needs 1..256 colours');
    parts.push(makeChunk('PLTE', Uint8Array.from(pal.flat())));
  }
  parts.push(makeChunk('IDAT', zlibSync(raw, { level: 6 })), makeChunk('IEND', new Uint8Array(0)));
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

/** Encodes width x height RGB bytes as an 8-bit truecolour PNG. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encodePngImage({ width, height, data: rgb, color: 'rgb' });
}
