import { describe, expect, it } from 'vitest';
import { computeContourPaths, ringsToPath } from './contours';
import { type Point, SURFACES } from './surfaces';

/** The points of path data "M x,y L x,y ... Z ..." */
function pointsOf(d: string): Point[] {
  return [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('computeContourPaths', () => {
  it.each(SURFACES.map((s) => [s.id, s] as const))('%s: rising levels whose boundaries lie on the level, inside the grid', (_, surface) => {
    const { bands, nx, ny } = computeContourPaths(surface, 12);
    expect(bands).toHaveLength(12);
    for (let k = 1; k < bands.length; k++) expect(bands[k].loss).toBeGreaterThan(bands[k - 1].loss);
    const [x0, x1] = surface.domain.x;
    const [y0, y1] = surface.domain.y;
    const span = bands[bands.length - 1].loss - surface.minLoss;
    for (const band of bands) {
      expect(band.d).toMatch(/^M.*Z$/);
      const points = pointsOf(band.d);
      expect(points.length).toBeGreaterThan(3);
      expect(points.filter(([gx, gy]) => !(gx >= 0 && gx <= nx && gy >= 0 && gy <= ny))).toEqual([]);
      // Boundary points away from the grid's edge sit on the level, within a grid cell's change in loss.
      const tolerance = Math.max(0.15 * (band.loss - surface.minLoss), 0.02 * span);
      const off = points
        .filter(([gx, gy]) => gx > 2 && gx < nx - 2 && gy > 2 && gy < ny - 2)
        .map(([gx, gy]) => surface.loss(x0 + (gx * (x1 - x0)) / nx, y1 - (gy * (y1 - y0)) / ny))
        .filter((f) => Math.abs(f - band.loss) >= tolerance);
      expect(off).toEqual([]);
    }
  });

  it('the lowest band surrounds the minimum: its level is above the minimum loss', () => {
    for (const s of SURFACES) expect(computeContourPaths(s, 8).bands[0].loss).toBeGreaterThan(s.minLoss);
  });
});

describe('ringsToPath', () => {
  it('writes closed rings at the given precision', () => {
    expect(
      ringsToPath(
        [
          [
            [0, 0],
            [1.234, 0],
            [1, 1],
          ],
          [[5, 5]],
        ],
        1,
      ),
    ).toBe('M0.0,0.0L1.2,0.0L1.0,1.0ZM5.0,5.0Z');
  });
});
