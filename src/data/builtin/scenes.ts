/**
 * `builtin:scenes`: seeded segmentation scenes, drawn with no download and no canvas (pure
 * math, so they render in Node and in a worker alike). Each scene holds one to four objects of
 * K - 1 shape classes, overlapping in painter's order, on a textured background with thin
 * clutter lines (which are background) and noise. As in Pascal VOC, a band along every object's
 * outline is labelled 255 (void): about 1 px wide below 64 px, about 2 px from 64 px up.
 *
 * Every pixel is sampled at 2x2 points. Its colour is the mean of the samples; its label is the
 * class all of its samples agree on, or void where they, or its neighbours' samples within half
 * a pixel, see different objects (for the 1 px band, only neighbours' samples under an object
 * drawn earlier count). So two different labels never touch. Each image comes from its own
 * stream (seed, split, index), so it does not depend on the counts or on the other images.
 */

import { computeChannelStats, IGNORE_INDEX, type SegmentationDataset, type SegmentationSplit } from '../../engine/dataset';
import { Rng, hashString } from '../../engine/rng';
import { vocColormap } from '../vocPalette';
import { clamp01, distance, drawShade, hsvToRgb, insideStar, insideTriangle, paintWith, type Paint, type Rgb } from './raster';

/** Object classes in label order (background is class 0); K classes use the first K - 1. */
const OBJECT_CLASSES: readonly string[] = ['disc', 'square', 'triangle', 'ring', 'star', 'cross', 'diamond', 'crescent'];

/** The most classes a scenes dataset can have, background included. */
export const SCENES_MAX_CLASSES = OBJECT_CLASSES.length + 1;
export const SCENES_DEFAULT_CLASSES = 6;

/** Options of `generateScenes`. */
export interface ScenesOptions {
  /** Image side in pixels, 8..128 (default 64). */
  size?: number;
  /** Classes including background, 2..9 (default 6). */
  numClasses?: number;
  /** Training scenes (default 1000). */
  trainCount?: number;
  /** Validation scenes (default 250). */
  testCount?: number;
  seed?: number;
}

/** The class names of a scenes dataset with `numClasses` classes. */
export function scenesClassNames(numClasses = SCENES_DEFAULT_CLASSES): string[] {
  return ['background', ...OBJECT_CLASSES.slice(0, numClasses - 1)];
}

export { vocColor } from '../vocPalette';

const STREAM_KEY = hashString('scenes');
const SPLIT_KEYS = { train: 0, test: 1 } as const;

/** Knobs that set how hard the task is; ranges are [low, high) of a uniform draw. */
const STYLE = {
  /** Objects per scene: 1 + an integer draw below this. */
  maxExtraObjects: 4,
  /** Object radius, in image widths. */
  radius: [0.12, 0.3],
  /** Probability that an object takes its class's hue (else any hue): colour helps, shape decides. */
  classHue: 0.7,
  hueJitter: 0.05,
  /** Probability that an object's fill is textured rather than solid. */
  textured: 0.6,
  /** Object colours are redrawn up to `tries` times while closer than this to the background (RGB, 0..1). */
  minContrast: 0.35,
  tries: 4,
  backgroundTexture: [0.05, 0.25],
  /** Thin clutter lines on the background, labelled background: an integer draw below this. */
  clutter: 4,
  noise: [0.01, 0.05],
};

const LINE = -1;

/** Point-in-shape test in the shape's own frame, where every shape fits in the unit disk. */
function isInside(shape: number, x: number, y: number, halfWidth: number): boolean {
  switch (shape) {
    case 0:
      return x * x + y * y < 0.85;
    case 1:
      return Math.abs(x) < 0.68 && Math.abs(y) < 0.68;
    case 2:
      return insideTriangle(x, y);
    case 3: {
      const r2 = x * x + y * y;
      return r2 < 0.9 && r2 > 0.2;
    }
    case 4:
      return insideStar(x, y);
    case 5: {
      const ax = Math.abs(x);
      const ay = Math.abs(y);
      return (ax < 0.3 && ay < 0.95) || (ay < 0.3 && ax < 0.95);
    }
    case 6:
      return Math.abs(x) / 0.55 + Math.abs(y) / 0.98 < 1;
    case 7: {
      const dx = x - 0.45;
      return x * x + y * y < 0.85 && dx * dx + y * y > 0.5;
    }
    default:
      return Math.abs(x) < 1 && Math.abs(y) < halfWidth;
  }
}

/** @param minPeriod the finest stripe period, in image widths, so textures do not alias */
function drawPaint(rng: Rng, a: Rgb, b: Rgb, minPeriod: number, texturedProbability: number): Paint {
  const texture = rng.next() < texturedProbability ? 1 + rng.int(4) : 0;
  const angle = rng.uniform(0, 2 * Math.PI);
  const freq = texture === 4 ? rng.uniform(1, 2.5) : (2 * Math.PI) / Math.max(minPeriod, rng.uniform(0.08, 0.25));
  return paintWith(rng, a, b, texture, angle, freq);
}

/** The paint's mixing factor at image coordinates (u, v) in [0, 1). */
function mixAt(p: Paint, u: number, v: number): number {
  switch (p.texture) {
    case 1:
      return clamp01(0.5 + p.sharp * Math.sin(p.fx * u + p.fy * v + p.phase));
    case 2:
      return clamp01(0.5 + 2 * p.sharp * Math.sin(p.fx * u + p.fy * v + p.phase) * Math.sin(p.fx * v - p.fy * u + p.phase2));
    case 3:
      // Blotches: two slow waves across each other, thresholded softly.
      return clamp01(0.5 + p.sharp * Math.sin(0.45 * p.fx * u + p.phase) * Math.sin(0.45 * p.fy * v + p.phase2));
    case 4:
      return clamp01(0.5 + p.fx * (u - 0.5) + p.fy * (v - 0.5));
    default:
      return 0;
  }
}

/** One shape placed in the image, in pixels. */
interface Placement {
  shape: number;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  cos: number;
  sin: number;
  /** Half-width of a line, in the shape's frame. */
  halfWidth: number;
}

function place(rng: Rng, shape: number, radius: number, aspect: number, cx: number, cy: number, halfWidth = 0): Placement {
  const angle = rng.uniform(0, 2 * Math.PI);
  return { shape, cx, cy, rx: radius * aspect, ry: radius / aspect, cos: Math.cos(angle), sin: Math.sin(angle), halfWidth };
}

/** Writes `id` into the 2x sample grid (side 2 * size) wherever the shape covers a sample. */
function stampShape(ids: Uint8Array, size: number, s: Placement, id: number): void {
  const side = 2 * size;
  const ext = Math.max(s.rx, s.ry) + 1;
  const x0 = Math.max(0, Math.floor(2 * (s.cx - ext)));
  const x1 = Math.min(side - 1, Math.ceil(2 * (s.cx + ext)));
  const y0 = Math.max(0, Math.floor(2 * (s.cy - ext)));
  const y1 = Math.min(side - 1, Math.ceil(2 * (s.cy + ext)));
  const irx = 1 / s.rx;
  const iry = 1 / s.ry;
  for (let sy = y0; sy <= y1; sy++) {
    // Sample j of pixel p sits at p + 0.25 + 0.5 j, i.e. at (index + 0.5) / 2.
    const dy = (sy + 0.5) / 2 - s.cy;
    for (let sx = x0; sx <= x1; sx++) {
      const dx = (sx + 0.5) / 2 - s.cx;
      if (isInside(s.shape, (dx * s.cos + dy * s.sin) * irx, (dy * s.cos - dx * s.sin) * iry, s.halfWidth)) ids[sy * side + sx] = id;
    }
  }
}

/** Fills `bg` (size x size x 3) with a two-colour gradient under a texture overlay and thin lines. */
function drawBackground(rng: Rng, bg: Float32Array, size: number, minPeriod: number): Rgb {
  const c1 = hsvToRgb(rng.next(), rng.uniform(0, 0.6), rng.uniform(0.1, 0.9));
  const c2 = hsvToRgb(rng.next(), rng.uniform(0, 0.6), rng.uniform(0.1, 0.9));
  const angle = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(angle);
  const gy = Math.sin(angle);
  const overlay = drawPaint(rng, [0, 0, 0], [1, 1, 1], minPeriod, 1);
  const strength = rng.uniform(STYLE.backgroundTexture[0], STYLE.backgroundTexture[1]);
  for (let py = 0; py < size; py++) {
    const v = (py + 0.5) / size;
    for (let px = 0; px < size; px++) {
      const u = (px + 0.5) / size;
      const g = clamp01(0.5 + 0.7 * (gx * (u - 0.5) + gy * (v - 0.5)));
      const t = (mixAt(overlay, u, v) - 0.5) * strength;
      const i = (py * size + px) * 3;
      for (let c = 0; c < 3; c++) bg[i + c] = c1[c] + (c2[c] - c1[c]) * g + t;
    }
  }
  // Clutter lines are composited at pixel level: they are background, so they never touch labels.
  const lines = rng.int(STYLE.clutter);
  const lineIds = new Uint8Array(4 * size * size);
  for (let k = 0; k < lines; k++) {
    const radius = rng.uniform(0.15, 0.45) * size;
    const s = place(rng, LINE, radius, 1, rng.uniform(0, size), rng.uniform(0, size), Math.max(0.4 / radius, rng.uniform(0.01, 0.03) * (size / radius)));
    const colour = hsvToRgb(rng.next(), rng.uniform(0, 1), rng.uniform(0.1, 1));
    const alpha = rng.uniform(0.4, 0.9);
    lineIds.fill(0);
    stampShape(lineIds, size, s, 1);
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const j = 4 * py * size + 2 * px;
        const cover = (lineIds[j] + lineIds[j + 1] + lineIds[j + 2 * size] + lineIds[j + 2 * size + 1]) * 0.25 * alpha;
        if (cover === 0) continue;
        const i = (py * size + px) * 3;
        for (let c = 0; c < 3; c++) bg[i + c] += (colour[c] - bg[i + c]) * cover;
      }
    }
  }
  return [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2, (c1[2] + c2[2]) / 2];
}

/** The hue class k's objects lean to, spread evenly round the wheel. */
function classHue(k: number, objectClasses: number): number {
  return (k - 1) / objectClasses;
}

interface SceneObject {
  classId: number;
  paint: Paint;
}

/**
 * Renders one scene from its own stream into `images` and `masks` at index `n`.
 * @param scratch reusable buffers: `bg` size*size*3 floats, `ids` (2*size)^2 bytes
 */
function renderScene(rng: Rng, size: number, numClasses: number, n: number, out: SegmentationSplit, scratch: { bg: Float32Array; ids: Uint8Array }): void {
  const minPeriod = 3 / size;
  const { bg, ids } = scratch;
  const bgMean = drawBackground(rng, bg, size, minPeriod);
  const objectClasses = numClasses - 1;
  const count = 1 + rng.int(STYLE.maxExtraObjects);
  const objects: SceneObject[] = [{ classId: 0, paint: drawPaint(rng, [0, 0, 0], [0, 0, 0], 1, 0) }];
  ids.fill(0);
  for (let o = 0; o < count; o++) {
    const classId = 1 + rng.int(objectClasses);
    const radius = rng.uniform(STYLE.radius[0], STYLE.radius[1]) * size;
    const s = place(rng, classId - 1, radius, rng.uniform(0.8, 1.25), rng.uniform(0.1, 0.9) * size, rng.uniform(0.1, 0.9) * size);
    const ownHue = rng.next() < STYLE.classHue;
    const drawFill = (): Rgb =>
      hsvToRgb(ownHue ? classHue(classId, objectClasses) + rng.uniform(-STYLE.hueJitter, STYLE.hueJitter) : rng.next(), rng.uniform(0.4, 1), rng.uniform(0.3, 1));
    let fill = drawFill();
    for (let k = 0; k < STYLE.tries && distance(fill, bgMean) < STYLE.minContrast; k++) {
      const c = drawFill();
      if (distance(c, bgMean) > distance(fill, bgMean)) fill = c;
    }
    objects.push({ classId, paint: drawPaint(rng, fill, drawShade(rng, fill), minPeriod, STYLE.textured) });
    stampShape(ids, size, s, o + 1);
  }

  const side = 2 * size;
  const wide = size >= 64;
  const img = out.images;
  const mask = out.masks;
  const imgBase = n * size * size * 3;
  const maskBase = n * size * size;
  const sigma = (rng.uniform(STYLE.noise[0], STYLE.noise[1]) * Math.sqrt(6)) / 65536;
  // A local mulberry32, seeded from the stream, draws the noise: the per-pixel loop is hot.
  let state = rng.nextUint32() | 0;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const j = 2 * py * side + 2 * px;
      const i = (py * size + px) * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let q = 0; q < 4; q++) {
        const sy = 2 * py + (q >> 1);
        const sx = 2 * px + (q & 1);
        const id = ids[sy * side + sx];
        if (id === 0) {
          r += bg[i];
          g += bg[i + 1];
          b += bg[i + 2];
        } else {
          const p = objects[id].paint;
          const t = mixAt(p, (sx + 0.5) / side, (sy + 0.5) / side);
          r += p.a[0] + (p.b[0] - p.a[0]) * t;
          g += p.a[1] + (p.b[1] - p.a[1]) * t;
          b += p.a[2] + (p.b[2] - p.a[2]) * t;
        }
      }
      for (let c = 0; c < 3; c++) {
        state = (state + 0x6d2b79f5) | 0;
        let z = Math.imul(state ^ (state >>> 15), state | 1);
        z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
        z ^= z >>> 14;
        const v = 0.25 * (c === 0 ? r : c === 1 ? g : b) + ((z & 0xffff) + ((z >>> 16) & 0xffff) - 65535) * sigma;
        img[imgBase + i + c] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
      }
      // The label is clean only where every sample in the window sees the same object. The wide
      // window adds the neighbours' nearest samples; the narrow one adds those that lie under an
      // object drawn earlier (or the background), so an outline between two pixels' samples still
      // gets a void pixel, on the upper object's side.
      const id0 = ids[j];
      let clean = ids[j + 1] === id0 && ids[j + side] === id0 && ids[j + side + 1] === id0;
      const ya = Math.max(0, 2 * py - 1);
      const yb = Math.min(side - 1, 2 * py + 2);
      const xa = Math.max(0, 2 * px - 1);
      const xb = Math.min(side - 1, 2 * px + 2);
      for (let sy = ya; sy <= yb && clean; sy++) {
        for (let sx = xa; sx <= xb; sx++) {
          const id = ids[sy * side + sx];
          if (id !== id0 && (wide || id < id0)) clean = false;
        }
      }
      mask[maskBase + py * size + px] = clean ? objects[id0].classId : IGNORE_INDEX;
    }
  }
}

function generateSplit(seed: number, split: keyof typeof SPLIT_KEYS, n: number, size: number, numClasses: number): SegmentationSplit {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`scenes: ${split}Count must be a non-negative integer (got ${n})`);
  const out: SegmentationSplit = { images: new Uint8Array(n * size * size * 3), masks: new Uint8Array(n * size * size), n };
  const scratch = { bg: new Float32Array(size * size * 3), ids: new Uint8Array(4 * size * size) };
  for (let i = 0; i < n; i++) renderScene(Rng.stream(seed, 'dataset', STREAM_KEY, SPLIT_KEYS[split], i), size, numClasses, i, out, scratch);
  return out;
}

/** Generates `builtin:scenes` deterministically from the seed: RGB scenes with VOC-style masks. */
export function generateScenes(opts: ScenesOptions = {}): SegmentationDataset {
  const size = opts.size ?? 64;
  if (!Number.isInteger(size) || size < 8 || size > 128) throw new RangeError(`scenes: size must be an integer from 8 to 128 pixels (got ${size})`);
  const numClasses = opts.numClasses ?? SCENES_DEFAULT_CLASSES;
  if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > SCENES_MAX_CLASSES) {
    throw new RangeError(`scenes: numClasses must be an integer from 2 to ${SCENES_MAX_CLASSES} (got ${numClasses})`);
  }
  const seed = opts.seed ?? 0;
  const train = generateSplit(seed, 'train', opts.trainCount ?? 1000, size, numClasses);
  const test = generateSplit(seed, 'test', opts.testCount ?? 250, size, numClasses);
  const { mean, std } = computeChannelStats(train.images, 3);
  return {
    kind: 'segment',
    name: 'builtin:scenes',
    classNames: scenesClassNames(numClasses),
    palette: vocColormap(numClasses),
    height: size,
    width: size,
    channels: 3,
    train,
    test,
    mean,
    std,
  };
}
