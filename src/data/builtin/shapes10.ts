/**
 * `builtin:shapes10`: ten classes of shapes on textured backgrounds, drawn from a seed with no
 * download and no canvas (pure math, so it runs in Node and in a worker alike).
 *
 * Each image is rendered from its own stream (seed, split, index), so an image does not depend
 * on the counts or on the other images, and the same seed draws the same scene at every size.
 * Colour, texture, background, clutter and noise are drawn independently of the label: only
 * the outline of the large shape tells the class.
 */

import { computeChannelStats, type ClassificationDataset, type ImageSplit } from '../../engine/dataset';
import { Rng, hashString } from '../../engine/rng';
import { clamp01, distance, hsvToRgb, insideStar, insideTriangle, type Rgb } from './raster';
import { drawColour, drawPaint, drawShade, mixAt, type Paint, type Style, STYLES } from './shapes10Look';

/** Human-readable class names, in label order. */
export const SHAPES10_CLASS_NAMES: readonly string[] = [
  'circle',
  'square',
  'triangle',
  'cross',
  'ring',
  'star',
  'diamond',
  'bar pair',
  'crescent',
  'L-shape',
];

/** Options of `generateShapes10`. */
export interface Shapes10Options {
  /** Image side in pixels, 8..128 (default 32). */
  size?: number;
  /** Training images, a multiple of 10 so classes stay balanced (default 5000). */
  trainCount?: number;
  /** Test images, a multiple of 10 (default 1000). */
  testCount?: number;
  seed?: number;
  /**
   * 'easy' (the default): solid fills, plain backgrounds, no clutter, little noise; the small CNN
   * learns it within a few thousand images. 'hard': textures, clutter and noise as before
   * (`builtin:shapes10-hard`), thousands of steps before the CNN learns it.
   */
  difficulty?: Shapes10Difficulty;
}

export type Shapes10Difficulty = 'easy' | 'hard';

const NUM_CLASSES = SHAPES10_CLASS_NAMES.length;
/** Shape kind past the classes: a thin bar, used only as clutter. */
const LINE = NUM_CLASSES;
const STREAM_KEY = hashString('shapes10');
const SPLIT_KEYS = { train: 0, test: 1 } as const;



/**
 * Point-in-shape test in the shape's own frame, where every shape fits in the unit disk.
 * `param` is the half-thickness of a clutter line.
 */
function isInside(kind: number, x: number, y: number, param: number): boolean {
  switch (kind) {
    case 0:
      return x * x + y * y < 0.81;
    case 1:
      return Math.abs(x) < 0.66 && Math.abs(y) < 0.66;
    case 2:
      return insideTriangle(x, y);
    case 3: {
      const ax = Math.abs(x);
      const ay = Math.abs(y);
      return (ax < 0.27 && ay < 0.95) || (ay < 0.27 && ax < 0.95);
    }
    case 4: {
      const r2 = x * x + y * y;
      return r2 < 0.9 && r2 > 0.27;
    }
    case 5:
      return insideStar(x, y);
    case 6:
      // Elongated so that a rotated square is never mistaken for it.
      return Math.abs(x) / 0.5 + Math.abs(y) / 0.98 < 1;
    case 7: {
      const ay = Math.abs(y);
      return Math.abs(x) < 0.8 && ay > 0.18 && ay < 0.58;
    }
    case 8: {
      const dx = x - 0.4;
      return x * x + y * y < 0.85 && dx * dx + y * y > 0.55;
    }
    case 9:
      return x > -0.6 && y > -0.7 && ((x < -0.18 && y < 0.72) || (y < -0.28 && x < 0.62));
    default:
      return Math.abs(x) < 1 && Math.abs(y) < param;
  }
}

/** One shape placed in the image, in pixels. */
interface Placement {
  kind: number;
  cx: number;
  cy: number;
  /** Radius along the shape's own x and y axes. */
  rx: number;
  ry: number;
  angle: number;
  flip: boolean;
  param: number;
  alpha: number;
}

/** Composites a shape over `img` (size x size x 3 floats), antialiased by 2x2 supersampling. */
function drawShape(img: Float32Array, size: number, s: Placement, paint: Paint): void {
  const cos = Math.cos(s.angle);
  const sin = Math.sin(s.angle);
  const ext = Math.max(s.rx, s.ry) + 1;
  // Every shape fits in its unit disk, so pixels whose centre is beyond it (plus a half-diagonal)
  // cannot be touched.
  const reach2 = (ext - 0.25) * (ext - 0.25);
  const x0 = Math.max(0, Math.floor(s.cx - ext));
  const x1 = Math.min(size - 1, Math.ceil(s.cx + ext));
  const y0 = Math.max(0, Math.floor(s.cy - ext));
  const y1 = Math.min(size - 1, Math.ceil(s.cy + ext));
  const irx = (s.flip ? -1 : 1) / s.rx;
  const iry = 1 / s.ry;
  const ar = paint.a[0];
  const ag = paint.a[1];
  const ab = paint.a[2];
  const br = paint.b[0];
  const bg = paint.b[1];
  const bb = paint.b[2];
  const k = s.kind;
  const q = s.param;
  for (let py = y0; py <= y1; py++) {
    const dy0 = py + 0.25 - s.cy;
    const dy1 = dy0 + 0.5;
    for (let px = x0; px <= x1; px++) {
      const dx0 = px + 0.25 - s.cx;
      const dx1 = dx0 + 0.5;
      if ((dx0 + 0.25) * (dx0 + 0.25) + (dy0 + 0.25) * (dy0 + 0.25) > reach2) continue;
      // The 2x2 supersampling grid, unrolled: this loop is most of the generator's time.
      const hits =
        +isInside(k, (dx0 * cos + dy0 * sin) * irx, (dy0 * cos - dx0 * sin) * iry, q) +
        +isInside(k, (dx1 * cos + dy0 * sin) * irx, (dy0 * cos - dx1 * sin) * iry, q) +
        +isInside(k, (dx0 * cos + dy1 * sin) * irx, (dy1 * cos - dx0 * sin) * iry, q) +
        +isInside(k, (dx1 * cos + dy1 * sin) * irx, (dy1 * cos - dx1 * sin) * iry, q);
      if (hits === 0) continue;
      const alpha = hits * 0.25 * s.alpha;
      const t = mixAt(paint, (px + 0.5) / size, (py + 0.5) / size);
      const i = (py * size + px) * 3;
      img[i] += (ar + (br - ar) * t - img[i]) * alpha;
      img[i + 1] += (ag + (bg - ag) * t - img[i + 1]) * alpha;
      img[i + 2] += (ab + (bb - ab) * t - img[i + 2]) * alpha;
    }
  }
}

/** Fills `img` with a two-colour linear or radial gradient, overlaid with a faint texture. */
function drawBackground(style: Style, rng: Rng, img: Float32Array, size: number, minPeriod: number, dark: boolean): Rgb {
  const low = dark ? 0.05 : 0.55;
  const c1 = hsvToRgb(rng.next(), rng.uniform(0, 0.7), rng.uniform(low, low + 0.4));
  const c2 = hsvToRgb(rng.next(), rng.uniform(0, 0.7), rng.uniform(low, low + 0.4));
  const radial = rng.next() < 0.35;
  const angle = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(angle);
  const gy = Math.sin(angle);
  const ox = rng.next();
  const oy = rng.next();
  const overlay = drawPaint(style, rng, [0, 0, 0], [1, 1, 1], minPeriod);
  const strength = rng.next() < 0.3 ? 0 : rng.uniform(style.backgroundTexture[0], style.backgroundTexture[1]);
  for (let py = 0; py < size; py++) {
    const v = (py + 0.5) / size;
    for (let px = 0; px < size; px++) {
      const u = (px + 0.5) / size;
      const g = radial ? clamp01(Math.hypot(u - ox, v - oy)) : clamp01(0.5 + 0.7 * (gx * (u - 0.5) + gy * (v - 0.5)));
      // The overlay lightens or darkens by up to `strength`, centred so the mean colour stays put.
      const t = strength === 0 ? 0 : (mixAt(overlay, u, v) - 0.5) * strength;
      const i = (py * size + px) * 3;
      for (let c = 0; c < 3; c++) img[i + c] = c1[c] + (c2[c] - c1[c]) * g + t;
    }
  }
  return [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2, (c1[2] + c2[2]) / 2];
}

/** A small distractor: a shape of another class than the label, an ellipse blob, or a thin line. */
function drawClutter(style: Style, rng: Rng, img: Float32Array, size: number, label: number, minPeriod: number): void {
  const r = rng.next();
  let kind: number;
  if (r < 0.45) kind = (label + 1 + rng.int(NUM_CLASSES - 1)) % NUM_CLASSES;
  else if (r < 0.65) kind = 0;
  else kind = LINE;
  const isLine = kind === LINE;
  const radius = (isLine ? rng.uniform(0.15, 0.4) : rng.uniform(0.06, 0.13)) * size;
  const aspect = kind === 0 ? rng.uniform(0.5, 1) : 1;
  const place: Placement = {
    kind,
    cx: rng.uniform(0, size),
    cy: rng.uniform(0, size),
    rx: radius,
    ry: radius * aspect,
    angle: rng.uniform(0, 2 * Math.PI),
    flip: false,
    // Lines at least ~0.7 px thick so they survive supersampling at small sizes.
    param: Math.max(0.35 / radius, rng.uniform(0.02, 0.06) * (size / radius)),
    alpha: rng.uniform(0.5, 1),
  };
  const colour = drawColour(rng);
  drawShape(img, size, place, drawPaint(style, rng, colour, drawShade(style, rng, colour), minPeriod));
}

/** Renders one labelled image from its own stream into `out` at `offset` (size x size x 3 bytes). */
function renderImage(style: Style, rng: Rng, label: number, size: number, img: Float32Array, out: Uint8Array, offset: number): void {
  const minPeriod = 3 / size;
  const light = rng.next() < style.lightOnDark;
  const bgMean = drawBackground(style, rng, img, size, minPeriod, light);

  const radius = rng.uniform(style.radius[0], style.radius[1]) * size;
  const stretch = rng.uniform(0.85, 1.15);
  const main: Placement = {
    kind: label,
    cx: rng.uniform(radius * 0.8, size - radius * 0.8),
    cy: rng.uniform(radius * 0.8, size - radius * 0.8),
    rx: radius * stretch,
    ry: radius / stretch,
    angle: rng.uniform(style.angle[0], style.angle[1]),
    flip: rng.next() < 0.5,
    param: 0,
    alpha: 1,
  };
  // Keep the best-contrasting of a few candidate colours, so the shape is rarely invisible but
  // contrast still varies from image to image.
  const [low, high] = light ? [0.6, 1] : [0.05, 0.4];
  let fill = drawColour(rng, low, high);
  for (let k = 0; k < style.tries && distance(fill, bgMean) < style.minContrast; k++) {
    const c = drawColour(rng, low, high);
    if (distance(c, bgMean) > distance(fill, bgMean)) fill = c;
  }
  const paint = drawPaint(style, rng, fill, drawShade(style, rng, fill, light), minPeriod);

  const behind = rng.int(style.clutterBehind);
  const front = rng.int(style.clutterFront);
  for (let k = 0; k < behind; k++) drawClutter(style, rng, img, size, label, minPeriod);
  drawShape(img, size, main, paint);
  for (let k = 0; k < front; k++) drawClutter(style, rng, img, size, label, minPeriod);

  // Noise is drawn last so that the scene above is the same at every image size.
  // A local mulberry32, seeded from the stream, draws the noise: the per-pixel loop is the
  // hottest in the generator, and keeping the state in a local runs it about three times faster
  // than calling the stream. Each draw's two 16-bit halves sum to one triangular sample.
  const sigma = (rng.uniform(style.noise[0], style.noise[1]) * Math.sqrt(6)) / 65536;
  let state = rng.nextUint32() | 0;
  for (let i = 0; i < img.length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    z ^= z >>> 14;
    const v = img[i] + ((z & 0xffff) + ((z >>> 16) & 0xffff) - 65535) * sigma;
    out[offset + i] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
  }
}

function generateSplit(style: Style, seed: number, split: keyof typeof SPLIT_KEYS, n: number, size: number): ImageSplit {
  if (!Number.isInteger(n) || n < 0 || n % NUM_CLASSES !== 0) {
    throw new RangeError(`shapes10: ${split}Count must be a non-negative multiple of ${NUM_CLASSES} (got ${n}) so classes stay balanced`);
  }
  const key = SPLIT_KEYS[split];
  const order = Rng.stream(seed, 'dataset', STREAM_KEY, key).permutation(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = order[i] % NUM_CLASSES;
  const pixels = size * size * 3;
  const images = new Uint8Array(n * pixels);
  const img = new Float32Array(pixels);
  for (let i = 0; i < n; i++) {
    renderImage(style, Rng.stream(seed, 'dataset', STREAM_KEY, key, i), labels[i], size, img, images, i * pixels);
  }
  return { images, labels, n };
}

/** Generates `builtin:shapes10` deterministically from the seed: balanced, shuffled, RGB. */
export function generateShapes10(opts: Shapes10Options = {}): ClassificationDataset {
  const size = opts.size ?? 32;
  if (!Number.isInteger(size) || size < 8 || size > 128) {
    throw new RangeError(`shapes10: size must be an integer from 8 to 128 pixels (got ${size})`);
  }
  const seed = opts.seed ?? 0;
  const difficulty = opts.difficulty ?? 'easy';
  const style = STYLES[difficulty];
  const train = generateSplit(style, seed, 'train', opts.trainCount ?? 5000, size);
  const test = generateSplit(style, seed, 'test', opts.testCount ?? 1000, size);
  const { mean, std } = computeChannelStats(train.images, 3);
  return {
    kind: 'classify',
    name: difficulty === 'easy' ? 'builtin:shapes10' : 'builtin:shapes10-hard',
    classNames: [...SHAPES10_CLASS_NAMES],
    height: size,
    width: size,
    channels: 3,
    train,
    test,
    mean,
    std,
  };
}
