/**
 * PNG decoding through fast-png (pure JS, browser and Node), normalised to RGBA plus, on
 * request, the raw palette indices or grey levels that segmentation masks carry.
 */

import { decode, type DecodedPng } from 'fast-png';
import { MAX_IMAGE_PIXELS, pngSize, type DecodedImage, type DecodeOptions } from './image';
import { errorMessage } from '../engine/errors';

/** Unpacks 1/2/4/8-bit samples (rows are byte-aligned) to one byte per sample. */
function unpackSamples(png: DecodedPng): Uint8Array {
  const { width, height, depth, channels } = png;
  const n = width * height * channels;
  if (depth === 8) return png.data instanceof Uint8Array ? png.data : Uint8Array.from(png.data);
  if (depth === 16) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = png.data[i] >> 8;
    return out;
  }
  const out = new Uint8Array(n);
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = png.data[y * rowBytes + (bit >> 3)];
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Decodes PNG bytes; throws with a short reason when they are not a readable PNG. */
export function decodePngImage(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedImage {
  const size = pngSize(bytes);
  if (!size) throw new Error('not a PNG file');
  if (size.width * size.height > MAX_IMAGE_PIXELS) throw new Error(`${size.width}x${size.height} is too large an image`);
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new Error(`corrupt or truncated PNG (${errorMessage(e)})`);
  }
  const { width, height, channels, depth } = png;
  const pixels = width * height;
  const rgba = new Uint8Array(pixels * 4);
  const out: DecodedImage = { width, height, data: rgba };
  if (png.palette) {
    const idx = unpackSamples(png);
    const pal = png.palette;
    for (let i = 0; i < pixels; i++) {
      const c = pal[idx[i]] ?? [0, 0, 0];
      rgba[i * 4] = c[0];
      rgba[i * 4 + 1] = c[1];
      rgba[i * 4 + 2] = c[2];
      rgba[i * 4 + 3] = c[3] ?? 255;
    }
    out.palette = pal.map((c) => [c[0], c[1], c[2]]);
    if (opts.indexed) out.indices = idx;
    return out;
  }
  if (opts.indexed && channels <= 2 && depth === 16) {
    const idx = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const v = png.data[i * channels];
      if (v > 255) throw new Error(`a 16-bit grey value of ${v}; masks hold class indices 0..254 and 255 for ignore`);
      idx[i] = v;
    }
    out.indices = idx;
  }
  const samples = unpackSamples(png);
  if (opts.indexed && channels <= 2 && depth !== 16) {
    out.indices = channels === 1 ? samples : Uint8Array.from({ length: pixels }, (_, i) => samples[i * 2]);
  }
  // Low bit depths scale up to 0..255 for display and training.
  const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  for (let i = 0; i < pixels; i++) {
    const s = i * channels;
    const d = i * 4;
    if (channels <= 2) {
      const v = Math.round(samples[s] * scale);
      rgba[d] = rgba[d + 1] = rgba[d + 2] = v;
      rgba[d + 3] = channels === 2 ? samples[s + 1] : 255;
    } else {
      rgba[d] = samples[s];
      rgba[d + 1] = samples[s + 1];
      rgba[d + 2] = samples[s + 2];
      rgba[d + 3] = channels === 4 ? samples[s + 3] : 255;
    }
  }
  return out;
}
