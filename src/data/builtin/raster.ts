import type { Rng } from '../../engine/rng';

/** Drawing primitives shared by the built-in datasets' generators (colours in [0, 1]). */

export type Rgb = [number, number, number];

/** How a region is coloured: a mix of `a` and `b` by a texture's factor (0 solid, 1 stripes, 2 checks, 3 blotches, 4 linear gradient). */
export interface Paint {
  a: Rgb;
  b: Rgb;
  texture: number;
  fx: number;
  fy: number;
  phase: number;
  phase2: number;
  sharp: number;
}

/**
 * A paint from its texture, stripe angle and frequency: the phases and sharpness are drawn here,
 * in this order, after whatever the caller drew (shapes10 and scenes share it).
 */
export function paintWith(rng: Rng, a: Rgb, b: Rgb, texture: number, angle: number, freq: number): Paint {
  return {
    a,
    b,
    texture,
    fx: freq * Math.cos(angle),
    fy: freq * Math.sin(angle),
    phase: rng.uniform(0, 2 * Math.PI),
    phase2: rng.uniform(0, 2 * Math.PI),
    sharp: rng.uniform(0.6, 2.5),
  };
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** HSV to RGB; the hue wraps, so any real `h` is a hue. */
export function hsvToRgb(h: number, s: number, v: number): Rgb {
  const f = (n: number): number => {
    const k = (n + (h - Math.floor(h)) * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/** Euclidean distance between two colours. */
export function distance(p: Rgb, q: Rgb): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** A second colour of the same hue, lighter or darker by 20-45 %. */
export function drawShade(rng: Rng, c: Rgb): Rgb {
  const k = rng.uniform(0.2, 0.45);
  const dark = 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2] > 0.5;
  return dark ? [c[0] * (1 - k), c[1] * (1 - k), c[2] * (1 - k)] : [c[0] + (1 - c[0]) * k, c[1] + (1 - c[1]) * k, c[2] + (1 - c[2]) * k];
}

/** `p` moved towards `q` by `t`. */
export function mix(p: Rgb, q: Rgb, t: number): Rgb {
  return [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t, p[2] + (q[2] - p[2]) * t];
}

/** `p` times `k`. */
export function scale(p: Rgb, k: number): Rgb {
  return [p[0] * k, p[1] * k, p[2] * k];
}

/** One of `items`, uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** Smooth value noise in [0, 1] over the unit square: `freq` cells per side, lattice values drawn once. */
export class ValueNoise {
  private readonly lattice: Float32Array;
  private readonly side: number;

  constructor(
    rng: Rng,
    private readonly freq: number,
  ) {
    this.side = Math.ceil(freq) + 2;
    this.lattice = new Float32Array(this.side * this.side);
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.next();
  }

  at(x: number, y: number): number {
    const fx = Math.min(Math.max(x, 0), 1) * this.freq;
    const fy = Math.min(Math.max(y, 0), 1) * this.freq;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const tx = fx - ix;
    const ty = fy - iy;
    const sx = tx * tx * (3 - 2 * tx);
    const sy = ty * ty * (3 - 2 * ty);
    const l = this.lattice;
    const i = iy * this.side + ix;
    const top = l[i] + (l[i + 1] - l[i]) * sx;
    const bottom = l[i + this.side] + (l[i + this.side + 1] - l[i + this.side]) * sx;
    return top + (bottom - top) * sy;
  }
}

const SQRT3 = Math.sqrt(3);
const STAR_HALF_SECTOR = Math.PI / 5;
const STAR_INNER = 0.45;
const STAR_P2X = STAR_INNER * Math.cos(STAR_HALF_SECTOR);
const STAR_P2Y = STAR_INNER * Math.sin(STAR_HALF_SECTOR);

/** Inside the upright equilateral triangle of the unit shape frame (apex at y = 1, base at y = -0.5). */
export function insideTriangle(x: number, y: number): boolean {
  return y > -0.5 && y < 1 - SQRT3 * Math.abs(x);
}

/** Inside the five-pointed star of outer radius 1 and inner radius 0.45, a point up. */
export function insideStar(x: number, y: number): boolean {
  const r2 = x * x + y * y;
  if (r2 >= 1) return false;
  if (r2 <= STAR_INNER * STAR_INNER * 0.8) return true;
  const r = Math.sqrt(r2);
  // Fold the angle (measured from "up") into one half-point, then test against its edge.
  let a = Math.atan2(x, y) % (2 * STAR_HALF_SECTOR);
  if (a < 0) a += 2 * STAR_HALF_SECTOR;
  if (a > STAR_HALF_SECTOR) a = 2 * STAR_HALF_SECTOR - a;
  const qx = r * Math.cos(a);
  const qy = r * Math.sin(a);
  return (STAR_P2X - 1) * qy - STAR_P2Y * (qx - 1) > 0;
}
