import type { Rng } from '../../engine/rng';
import type { Shapes10Difficulty } from './shapes10';
import { clamp01, hsvToRgb, paintWith, type Paint as BasePaint, type Rgb } from './raster';

/** How shapes10 looks: its two styles (easy and hard) and the paints (colours and textures) drawn from them. */

/**
 * The knobs that set how hard the task is. Ranges are [low, high) of a uniform draw; counts are
 * exclusive upper bounds of an integer draw.
 */
export const HARD = {
  /**
   * Probability that the shape is lighter than the background (else darker). A fixed polarity is
   * what lets the small CNN start learning within a few hundred steps; at 0.5 it barely moves.
   */
  lightOnDark: 1,
  /** Main shape's radius, in image widths. */
  radius: [0.28, 0.45],
  /** Probability that a fill is textured rather than solid. */
  textured: 0.6,
  /** How far a texture's second colour is from its first (0 = same colour, 1 = black or white). */
  shade: [0.2, 0.45],
  /** The fill is redrawn up to `tries` times while it is closer than this to the background (RGB, 0..1). */
  minContrast: 0.5,
  tries: 8,
  /** Strength of the background's texture overlay. */
  backgroundTexture: [0.03, 0.15],
  clutterBehind: 3,
  clutterFront: 2,
  /** Per-pixel noise's standard deviation, on the 0..1 scale. */
  noise: [0.01, 0.05],
  /** The main shape's rotation, in radians. */
  angle: [0, 2 * Math.PI],
};
export type Style = typeof HARD;

/** The first run's dataset: the same shapes and poses, without what hides them. */
export const EASY: Style = {
  lightOnDark: 1,
  radius: [0.32, 0.45],
  textured: 0,
  shade: [0.2, 0.45],
  minContrast: 0.6,
  tries: 8,
  backgroundTexture: [0, 0.03],
  clutterBehind: 1,
  clutterFront: 1,
  noise: [0.005, 0.02],
  angle: [-0.25, 0.25],
};

export const STYLES: Record<Shapes10Difficulty, Style> = { easy: EASY, hard: HARD };

/** shapes10's paint: texture 3 is value noise on its own lattice. */
export interface Paint extends BasePaint {
  /** Value-noise lattice, (gridN + 1)^2 values. */
  grid: Float32Array | null;
  gridN: number;
}

/** A random colour with its HSV value in [low, high). */
export function drawColour(rng: Rng, low = 0.15, high = 1): Rgb {
  return hsvToRgb(rng.next(), rng.uniform(0.15, 1), rng.uniform(low, high));
}

/** A second colour of the same hue, lighter or darker, so textures read as texture, not as parts. */
export function drawShade(style: Style, rng: Rng, c: Rgb, darken = 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2] > 0.5): Rgb {
  const k = rng.uniform(style.shade[0], style.shade[1]);
  return darken ? [c[0] * (1 - k), c[1] * (1 - k), c[2] * (1 - k)] : [c[0] + (1 - c[0]) * k, c[1] + (1 - c[1]) * k, c[2] + (1 - c[2]) * k];
}

/** @param minPeriod the finest stripe period allowed, in image widths, so textures do not alias */
export function drawPaint(style: Style, rng: Rng, a: Rgb, b: Rgb, minPeriod: number): Paint {
  const texture = rng.next() < style.textured ? 1 + rng.int(4) : 0;
  const angle = rng.uniform(0, 2 * Math.PI);
  const period = Math.max(minPeriod, rng.uniform(0.07, 0.22));
  const freq = texture === 4 ? rng.uniform(1, 2.5) : (2 * Math.PI) / period;
  const gridN = 3 + rng.int(4);
  let grid: Float32Array | null = null;
  if (texture === 3) {
    grid = new Float32Array((gridN + 1) * (gridN + 1));
    for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  }
  return { ...paintWith(rng, a, b, texture, angle, freq), grid, gridN };
}

/** The paint's mixing factor at image coordinates (u, v) in [0, 1). */
export function mixAt(p: Paint, u: number, v: number): number {
  switch (p.texture) {
    case 1:
      return clamp01(0.5 + p.sharp * Math.sin(p.fx * u + p.fy * v + p.phase));
    case 2:
      return clamp01(0.5 + 2 * p.sharp * Math.sin(p.fx * u + p.fy * v + p.phase) * Math.sin(p.fx * v - p.fy * u + p.phase2));
    case 3: {
      const n = p.gridN;
      const gx = u * n;
      const gy = v * n;
      const ix = Math.min(n - 1, Math.floor(gx));
      const iy = Math.min(n - 1, Math.floor(gy));
      let tx = gx - ix;
      let ty = gy - iy;
      tx = tx * tx * (3 - 2 * tx);
      ty = ty * ty * (3 - 2 * ty);
      const g = p.grid as Float32Array;
      const row = n + 1;
      const top = g[iy * row + ix] * (1 - tx) + g[iy * row + ix + 1] * tx;
      const bottom = g[(iy + 1) * row + ix] * (1 - tx) + g[(iy + 1) * row + ix + 1] * tx;
      return clamp01(0.5 + p.sharp * (top * (1 - ty) + bottom * ty - 0.5));
    }
    case 4:
      return clamp01(0.5 + p.fx * (u - 0.5) + p.fy * (v - 0.5));
    default:
      return 0;
  }
}
