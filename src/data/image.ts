/**
 * Decoded images and resizing. Decoders are injected (browser and Node differ); everything
 * after decoding is plain uint8 arithmetic shared by both.
 */

/** One decoded image. */
export interface DecodedImage {
  width: number;
  height: number;
  /** width x height x 4 bytes, RGBA. */
  data: Uint8Array;
  /**
   * One value per pixel when asked for with `indexed`: the palette index of a palette PNG,
   * or the grey level of a greyscale PNG. Absent when the image has neither (RGB, JPEG).
   */
  indices?: Uint8Array;
  /** A palette PNG's colours, when it has one. */
  palette?: [number, number, number][];
}

export interface DecodeOptions {
  /** Masks: also return the raw palette indices or grey levels, not only colours. */
  indexed?: boolean;
}

/** Turns an image file's bytes into pixels; rejects (throws) when the file is unreadable. */
export type ImageDecoder = (bytes: Uint8Array, fileName: string, opts?: DecodeOptions) => Promise<DecodedImage>;

/** Largest image (in pixels) a decoder accepts, so a forged header cannot make it allocate gigabytes. */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

/** Reads the width and height from a PNG header, or null if these bytes are no PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes[0] !== 0x89 || bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 24);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

interface Tap {
  index: number;
  weight: number;
}

/**
 * Per output position, the input positions and weights that make it: an area (box) filter
 * when shrinking, bilinear with half-pixel centres when enlarging.
 */
function resizeTaps(inSize: number, outSize: number): Tap[][] {
  const taps: Tap[][] = [];
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (scale > 1) {
      const start = o * scale;
      const end = start + scale;
      const row: Tap[] = [];
      for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
        const w = Math.min(end, i + 1) - Math.max(start, i);
        if (w > 1e-9) row.push({ index: i, weight: w / scale });
      }
      taps.push(row);
    } else {
      const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const i0 = Math.floor(src);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const f = src - i0;
      taps.push(f > 0 && i1 !== i0 ? [{ index: i0, weight: 1 - f }, { index: i1, weight: f }] : [{ index: i0, weight: 1 }]);
    }
  }
  return taps;
}

/**
 * Resizes a region of an RGBA (or RGB) image into RGB bytes at `out` (outW x outH x 3, written at
 * `offset`). Alpha is dropped. The region defaults to the whole image.
 */
export function resizeRgbaToRgb(
  img: { width: number; data: Uint8Array; /** bytes per pixel of `data`: 4 (RGBA, default) or 3 */ channels?: number },
  region: { x: number; y: number; width: number; height: number },
  outW: number,
  outH: number,
  out: Uint8Array,
  offset: number,
): void {
  const { x: x0, y: y0, width: w, height: h } = region;
  const cs = img.channels ?? 4;
  const stride = img.width * cs;
  if (w === outW && h === outH) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (y0 + y) * stride + (x0 + x) * cs;
        const d = offset + (y * outW + x) * 3;
        out[d] = img.data[s];
        out[d + 1] = img.data[s + 1];
        out[d + 2] = img.data[s + 2];
      }
    }
    return;
  }
  const tx = resizeTaps(w, outW);
  const ty = resizeTaps(h, outH);
  const rows = new Float32Array(h * outW * 3);
  for (let y = 0; y < h; y++) {
    const srcRow = (y0 + y) * stride + x0 * cs;
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const t of tx[ox]) {
        const s = srcRow + t.index * cs;
        r += img.data[s] * t.weight;
        g += img.data[s + 1] * t.weight;
        b += img.data[s + 2] * t.weight;
      }
      const d = (y * outW + ox) * 3;
      rows[d] = r;
      rows[d + 1] = g;
      rows[d + 2] = b;
    }
  }
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const t of ty[oy]) {
        const s = (t.index * outW + ox) * 3;
        r += rows[s] * t.weight;
        g += rows[s + 1] * t.weight;
        b += rows[s + 2] * t.weight;
      }
      const d = offset + (oy * outW + ox) * 3;
      out[d] = Math.min(255, Math.max(0, Math.round(r)));
      out[d + 1] = Math.min(255, Math.max(0, Math.round(g)));
      out[d + 2] = Math.min(255, Math.max(0, Math.round(b)));
    }
  }
}

/** Nearest-neighbour resize of one-byte-per-pixel data (masks), written at `offset` in `out`. */
export function resizeNearest(src: Uint8Array, w: number, h: number, outW: number, outH: number, out: Uint8Array, offset: number): void {
  for (let oy = 0; oy < outH; oy++) {
    const sy = Math.min(h - 1, Math.floor(((oy + 0.5) * h) / outH));
    for (let ox = 0; ox < outW; ox++) {
      const sx = Math.min(w - 1, Math.floor(((ox + 0.5) * w) / outW));
      out[offset + oy * outW + ox] = src[sy * w + sx];
    }
  }
}
