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

/**
 * Per output position, the input positions and weights that make it: an area (box) filter
 * when shrinking, bilinear with half-pixel centres when enlarging. Flat: output position o
 * reads taps from[o] .. from[o + 1] - 1 of `index` and `weight`.
 */
interface Taps {
  from: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

function resizeTaps(inSize: number, outSize: number): Taps {
  const index: number[] = [];
  const weight: number[] = [];
  const from = new Int32Array(outSize + 1);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    from[o] = index.length;
    if (scale > 1) {
      const start = o * scale;
      const end = start + scale;
      for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
        const w = Math.min(end, i + 1) - Math.max(start, i);
        if (w > 1e-9) {
          index.push(i);
          weight.push(w / scale);
        }
      }
    } else {
      const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const i0 = Math.floor(src);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const f = src - i0;
      if (f > 0 && i1 !== i0) {
        index.push(i0, i1);
        weight.push(1 - f, f);
      } else {
        index.push(i0);
        weight.push(1);
      }
    }
  }
  from[outSize] = index.length;
  return { from, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * Taps by (input, output) size, made once: a dataset resizes tens of thousands of images
 * between the same few sizes (CIFAR-10's 60,000 all from 32 to the input size).
 */
const tapCache = new Map<number, Taps>();
function cachedTaps(inSize: number, outSize: number): Taps {
  const key = inSize * 65536 + outSize;
  let t = tapCache.get(key);
  if (!t) {
    if (tapCache.size >= 256) tapCache.clear();
    t = resizeTaps(inSize, outSize);
    tapCache.set(key, t);
  }
  return t;
}

/** The horizontal pass's rows, reused from image to image (grown when a larger one comes). */
let rowBuffer = new Float32Array(0);

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
  const data = img.data;
  if (w === outW && h === outH) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (y0 + y) * stride + (x0 + x) * cs;
        const d = offset + (y * outW + x) * 3;
        out[d] = data[s];
        out[d + 1] = data[s + 1];
        out[d + 2] = data[s + 2];
      }
    }
    return;
  }
  const f = w / outW;
  if (f === h / outH && (f === 2 || f === 4 || f === 8)) {
    boxShrink(data, (y0 * img.width + x0) * cs, stride, cs, f, outW, outH, out, offset);
    return;
  }
  const tx = cachedTaps(w, outW);
  const ty = cachedTaps(h, outH);
  if (rowBuffer.length < h * outW * 3) rowBuffer = new Float32Array(h * outW * 3);
  const rows = rowBuffer;
  for (let y = 0; y < h; y++) {
    const srcRow = (y0 + y) * stride + x0 * cs;
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = tx.from[ox]; k < tx.from[ox + 1]; k++) {
        const s = srcRow + tx.index[k] * cs;
        const wt = tx.weight[k];
        r += data[s] * wt;
        g += data[s + 1] * wt;
        b += data[s + 2] * wt;
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
      for (let k = ty.from[oy]; k < ty.from[oy + 1]; k++) {
        const s = (ty.index[k] * outW + ox) * 3;
        const wt = ty.weight[k];
        r += rows[s] * wt;
        g += rows[s + 1] * wt;
        b += rows[s + 2] * wt;
      }
      const d = offset + (oy * outW + ox) * 3;
      out[d] = Math.min(255, Math.max(0, Math.round(r)));
      out[d + 1] = Math.min(255, Math.max(0, Math.round(g)));
      out[d + 2] = Math.min(255, Math.max(0, Math.round(b)));
    }
  }
}

/**
 * Shrinks by a power-of-two factor `f` (2, 4 or 8): each output pixel is its f x f block's mean,
 * rounded half up. The same bytes as the area filter above gives at these factors (its weights,
 * 1/f, and every partial sum are exact in float32 there), in integer arithmetic.
 */
function boxShrink(data: Uint8Array, start: number, stride: number, cs: number, f: number, outW: number, outH: number, out: Uint8Array, offset: number): void {
  const area = f * f;
  const half = area >> 1;
  const shift = Math.log2(area);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < f; dy++) {
        let s = start + (oy * f + dy) * stride + ox * f * cs;
        for (let dx = 0; dx < f; dx++, s += cs) {
          r += data[s];
          g += data[s + 1];
          b += data[s + 2];
        }
      }
      const d = offset + (oy * outW + ox) * 3;
      out[d] = (r + half) >> shift;
      out[d + 1] = (g + half) >> shift;
      out[d + 2] = (b + half) >> shift;
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
