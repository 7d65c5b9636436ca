import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../engine/rng';
import { useCpu } from '../testing/nodeBackends';
import { surfaceGradient } from './gradients';
import { distanceToMinimum, getSurface, SURFACES } from './surfaces';

beforeAll(useCpu);

/** The analytic gradient at `points` through the surface's TF.js ops. */
function gradientAt(id: (typeof SURFACES)[number]['id'], points: number[][]): number[][] {
  return tf.tidy(() => surfaceGradient(id, tf.tensor2d(points)).arraySync());
}

describe.each(SURFACES.map((s) => [s.id, s] as const))('%s', (_, surface) => {
  it('its TF.js gradient matches central differences of its loss, row by row', () => {
    const rng = Rng.stream(5, 'init');
    const [x0, x1] = surface.domain.x;
    const [y0, y1] = surface.domain.y;
    const points = Array.from({ length: 16 }, () => [rng.uniform(x0, x1) * 0.8, rng.uniform(y0, y1) * 0.8]);
    const grads = gradientAt(surface.id, points);
    const h = 1e-5;
    points.forEach(([x, y], i) => {
      const gx = (surface.loss(x + h, y) - surface.loss(x - h, y)) / (2 * h);
      const gy = (surface.loss(x, y + h) - surface.loss(x, y - h)) / (2 * h);
      const scale = Math.max(1, Math.abs(gx), Math.abs(gy));
      expect(Math.abs(grads[i][0] - gx) / scale).toBeLessThan(1e-4);
      expect(Math.abs(grads[i][1] - gy) / scale).toBeLessThan(1e-4);
    });
  });

  it('has zero gradient and its stated loss at each minimum; the start lies in the domain', () => {
    const grads = gradientAt(surface.id, surface.minima);
    for (const g of grads) expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-5);
    for (const [x, y] of surface.minima) {
      expect(surface.loss(x, y)).toBeCloseTo(surface.minLoss, 12);
      expect(distanceToMinimum(surface, x, y)).toBe(0);
    }
    const [sx, sy] = surface.defaults.start;
    expect(sx).toBeGreaterThan(surface.domain.x[0]);
    expect(sx).toBeLessThan(surface.domain.x[1]);
    expect(sy).toBeGreaterThan(surface.domain.y[0]);
    expect(sy).toBeLessThan(surface.domain.y[1]);
    expect(distanceToMinimum(surface, sx, sy)).toBeGreaterThan(surface.defaults.epsilon);
  });

  it('the minimum is the lowest point of a grid over the domain', () => {
    let lowest = Infinity;
    for (let i = 0; i <= 60; i++)
      for (let j = 0; j <= 60; j++) {
        const x = surface.domain.x[0] + ((surface.domain.x[1] - surface.domain.x[0]) * i) / 60;
        const y = surface.domain.y[0] + ((surface.domain.y[1] - surface.domain.y[0]) * j) / 60;
        lowest = Math.min(lowest, surface.loss(x, y));
      }
    expect(lowest).toBeGreaterThanOrEqual(surface.minLoss - 1e-12);
  });
});

describe('distanceToMinimum', () => {
  it('measures to the nearest of several minima', () => {
    const saddle = getSurface('saddle');
    expect(distanceToMinimum(saddle, 0, 0.9)).toBeCloseTo(0.1, 12);
    expect(distanceToMinimum(saddle, 0, -0.8)).toBeCloseTo(0.2, 12);
  });

  it('rejects an unknown surface by name', () => {
    expect(() => getSurface('nope' as never)).toThrow(/unknown surface "nope"/);
  });
});
