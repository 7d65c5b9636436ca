import type { Point } from '../../landscape/surfaces';

/**
 * Geometry of the contour plot: the frame that maps the surface's domain onto pixels with equal
 * scales on both axes (so angles and path lengths look as they are), axis ticks, and paths as
 * SVG strings that can be cut at any step without being rebuilt.
 */

export interface PlotFrame {
  width: number;
  height: number;
  /** The plot area's offset and size inside the SVG. */
  left: number;
  top: number;
  innerWidth: number;
  innerHeight: number;
  domain: { x: Point; y: Point };
}

const MARGIN = { left: 44, right: 12, top: 10, bottom: 30 };

/** The largest equal-scale frame for `domain` within `width` pixels and `maxInnerHeight` of plot. */
export function fitPlotFrame(domain: { x: Point; y: Point }, width: number, maxInnerHeight: number): PlotFrame {
  const spanX = domain.x[1] - domain.x[0];
  const spanY = domain.y[1] - domain.y[0];
  let innerWidth = Math.max(50, width - MARGIN.left - MARGIN.right);
  let innerHeight = (innerWidth * spanY) / spanX;
  if (innerHeight > maxInnerHeight) {
    innerHeight = maxInnerHeight;
    innerWidth = (innerHeight * spanX) / spanY;
  }
  return {
    width: Math.round(innerWidth + MARGIN.left + MARGIN.right),
    height: Math.round(innerHeight + MARGIN.top + MARGIN.bottom),
    left: MARGIN.left,
    top: MARGIN.top,
    innerWidth,
    innerHeight,
    domain,
  };
}

/** Pixel position of domain point `p`. */
export function toPixel(f: PlotFrame, p: Point): Point {
  const [x0, x1] = f.domain.x;
  const [y0, y1] = f.domain.y;
  return [f.left + ((p[0] - x0) / (x1 - x0)) * f.innerWidth, f.top + ((y1 - p[1]) / (y1 - y0)) * f.innerHeight];
}

/** Domain point under pixel (px, py), or null outside the plot area. */
export function fromPixel(f: PlotFrame, px: number, py: number): Point | null {
  const u = (px - f.left) / f.innerWidth;
  const v = (py - f.top) / f.innerHeight;
  if (u < 0 || u > 1 || v < 0 || v > 1) return null;
  const [x0, x1] = f.domain.x;
  const [y0, y1] = f.domain.y;
  return [x0 + u * (x1 - x0), y1 - v * (y1 - y0)];
}

/** Round tick values (steps of 1, 2 or 5 times a power of ten), about `count` of them, within [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const err = raw / mag;
  // d3-array's rule: the step nearest to the raw one on a log scale.
  const step = mag * (err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)) || 0);
  return ticks;
}

export interface TracedPath {
  /** "M x0,y0 L x1,y1 ..." through every drawable point. */
  d: string;
  /** ends[k] is the length of `d` that draws points 0..k. */
  ends: number[];
}

/** Pixels far outside the plot are clamped: the clip path hides them, and huge numbers would not render. */
const PIXEL_LIMIT = 1e5;

/** The path of positions `xy` ([x0, y0, x1, y1, ...]) up to its first non-finite point. */
export function tracePath(f: PlotFrame, xy: ArrayLike<number>): TracedPath {
  let d = '';
  const ends: number[] = [];
  for (let k = 0; 2 * k < xy.length; k++) {
    const x = xy[2 * k];
    const y = xy[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) break;
    const [px, py] = toPixel(f, [x, y]).map((v) => Math.max(-PIXEL_LIMIT, Math.min(PIXEL_LIMIT, v)));
    d += `${k === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`;
    ends.push(d.length);
  }
  return { d, ends };
}

/** The part of `path` that draws steps 0..`step` (all of it past the end). */
export function pathUpTo(path: TracedPath, step: number): string {
  if (path.ends.length === 0) return '';
  return path.d.slice(0, path.ends[Math.max(0, Math.min(step, path.ends.length - 1))]);
}

const BAND_STOPS: [number, number, number][] = [
  [255, 251, 232],
  [222, 238, 219],
  [196, 210, 232],
];

/** Fill of contour level `level` of `levels`: cream at the bottom, through pale green, to grey-blue. */
export function bandColor(level: number, levels: number): string {
  const t = Math.max(0, Math.min(1, level / Math.max(1, levels - 1))) * (BAND_STOPS.length - 1);
  const i = Math.min(BAND_STOPS.length - 2, Math.floor(t));
  const u = t - i;
  const c = BAND_STOPS[i].map((a, k) => Math.round(a + (BAND_STOPS[i + 1][k] - a) * u));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
