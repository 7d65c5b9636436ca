import { IGNORE_INDEX } from '../../engine/dataset';
import type { EvalRecord } from '../../engine/records';

/**
 * Pixels for the sample panels: one sample of a batch of NHWC bytes as canvas RGBA, and
 * segmentation masks blended over their image in the dataset's palette. Pure functions.
 */

export type Rgb = [number, number, number];

/** How much of a class colour covers the image under a mask. */
export const MASK_ALPHA = 0.6;

/** Colour for a class index the palette lacks (a prediction beyond it, say). */
const UNKNOWN_CLASS: Rgb = [255, 0, 255];

/**
 * Sample `index` of `count` x size x size x channels bytes as RGBA (grey for one channel).
 * @param channels 1 or 3
 */
export function renderImage(bytes: Uint8Array, index: number, size: number, channels: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = size * size;
  const out = new Uint8ClampedArray(pixels * 4);
  const base = index * pixels * channels;
  for (let p = 0; p < pixels; p++) {
    const src = base + p * channels;
    const r = bytes[src];
    out[p * 4] = r;
    out[p * 4 + 1] = channels >= 3 ? bytes[src + 1] : r;
    out[p * 4 + 2] = channels >= 3 ? bytes[src + 2] : r;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Void (255) pixels: black diagonal hatching over dark grey, so they read as "not scored". */
function voidColor(x: number, y: number): Rgb {
  return (x + y) % 4 < 2 ? [0, 0, 0] : [64, 64, 64];
}

/**
 * Mask `index` (class per pixel, n x size x size) in `palette` blended over image `index` with
 * `alpha`; void pixels hatched in black and grey, opaque. A black class (VOC's background) gets
 * half the alpha, so the image still shows where there is no object.
 */
export function renderMaskOverlay(
  images: Uint8Array,
  masks: Uint8Array,
  index: number,
  size: number,
  channels: number,
  palette: readonly Rgb[],
  alpha = MASK_ALPHA,
): Uint8ClampedArray<ArrayBuffer> {
  const out = renderImage(images, index, size, channels);
  const base = index * size * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      const k = masks[base + p];
      if (k === IGNORE_INDEX) {
        const c = voidColor(x, y);
        out.set(c, p * 4);
        continue;
      }
      const c = palette[k] ?? UNKNOWN_CLASS;
      const a = c[0] + c[1] + c[2] === 0 ? alpha / 2 : alpha;
      for (let j = 0; j < 3; j++) out[p * 4 + j] = Math.round((1 - a) * out[p * 4 + j] + a * c[j]);
    }
  }
  return out;
}

/** The latest eval's per-class IoU of an arm (-1 marks a class absent from truth and prediction), or null. */
export function latestPerClassIoU(evals: readonly EvalRecord[] | undefined): number[] | null {
  for (let i = (evals?.length ?? 0) - 1; i >= 0; i--) {
    const v = evals![i].metrics.perClassIoU;
    if (Array.isArray(v)) return v;
  }
  return null;
}
