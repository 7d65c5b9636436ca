import { contours } from 'd3-contour';
import type { Point, Surface, SurfaceId } from './surfaces';

/**
 * Contour bands of a surface for drawing: the loss sampled on a grid over the surface's domain,
 * taken as log(f − f* + c) so the deep, narrow regions near a minimum get as many levels as the
 * steep walls, and cut by d3-contour's marching squares into nested filled bands. Computed in
 * the landscape worker: a fine grid takes tens of milliseconds.
 */

/** Grid resolution: enough for smooth curves (Rosenbrock's valley included). */
const GRID_X = 140;
const GRID_Y = 120;
const LEVELS = 16;

/** The loss at the centre of grid cell (i, j); row 0 is the top of the domain (largest y). */
function cellCentre(surface: Surface, i: number, j: number, nx: number, ny: number): Point {
  const [x0, x1] = surface.domain.x;
  const [y0, y1] = surface.domain.y;
  return [x0 + ((i + 0.5) * (x1 - x0)) / nx, y1 - ((j + 0.5) * (y1 - y0)) / ny];
}

interface GridContours {
  /** Level boundaries as losses. */
  losses: number[];
  /** d3-contour's MultiPolygons, in grid units: x in [0, nx] rightwards, y in [0, ny] downwards. */
  polygons: number[][][][][];
}

/** Contours of log(f − f* + c) on an nx × ny grid over the domain, in grid units. */
function contourGrid(surface: Surface, levels: number, nx: number, ny: number): GridContours {
  const f = new Array<number>(nx * ny);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const [x, y] = cellCentre(surface, i, j, nx, ny);
      f[i + j * nx] = surface.loss(x, y) - surface.minLoss;
    }
  const sorted = f.slice().sort((a, b) => a - b);
  // The offset sets how far below the median the finest level goes: 1% of the median gap.
  const c = Math.max(1e-9, sorted[Math.floor(sorted.length / 2)] * 0.01);
  const z = f.map((v) => Math.log(Math.max(0, v) + c));
  const zMin = Math.log(c);
  const zMax = Math.log(Math.max(0, sorted[sorted.length - 1]) + c);
  const thresholds = Array.from({ length: levels }, (_, k) => zMin + ((zMax - zMin) * (k + 0.5)) / levels);
  const multi = contours().size([nx, ny]).thresholds(thresholds)(z);
  return { losses: multi.map((g) => Math.exp(g.value) - c + surface.minLoss), polygons: multi.map((g) => g.coordinates) };
}

/**
 * Contour bands as SVG path data in grid units, ready to draw under a scale transform; band k
 * covers where the loss is at least its level, so drawn in order they nest.
 */
export interface ContourPaths {
  surface: SurfaceId;
  /** Grid size: the paths span [0, nx] × [0, ny], y downwards from the domain's top. */
  nx: number;
  ny: number;
  bands: { level: number; loss: number; d: string }[];
}

/** The contour bands of `surface` as path data. */
export function computeContourPaths(surface: Surface, levels = LEVELS, nx = GRID_X, ny = GRID_Y): ContourPaths {
  const g = contourGrid(surface, levels, nx, ny);
  const bands = g.polygons.map((polygons, level) => ({
    level,
    loss: g.losses[level],
    d: ringsToPath(polygons.flat(), 2),
  }));
  return { surface: surface.id, nx, ny, bands };
}

/** An SVG path of rings of [x, y] positions, each ring closed, coordinates to `digits` decimals. */
export function ringsToPath(rings: readonly (readonly number[])[][], digits: number): string {
  let d = '';
  for (const ring of rings) {
    ring.forEach(([x, y], k) => {
      d += `${k === 0 ? 'M' : 'L'}${x.toFixed(digits)},${y.toFixed(digits)}`;
    });
    d += 'Z';
  }
  return d;
}
