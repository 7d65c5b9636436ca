import { describe, expect, it } from 'vitest';
import { bandColor, fitPlotFrame, fromPixel, niceTicks, pathUpTo, toPixel, tracePath } from './plotGeometry';

const domain = { x: [-3, 3] as [number, number], y: [-2, 2] as [number, number] };

describe('plot geometry', () => {
  it('fits the domain with equal scales, within the width or the height limit', () => {
    const wide = fitPlotFrame(domain, 656, 1000);
    expect(wide.innerWidth).toBe(600);
    expect(wide.innerHeight).toBe(400);
    const tall = fitPlotFrame(domain, 2000, 300);
    expect(tall.innerHeight).toBe(300);
    expect(tall.innerWidth).toBe(450);
  });

  it('maps domain points to pixels and back, y up', () => {
    const f = fitPlotFrame(domain, 656, 1000);
    expect(toPixel(f, [-3, 2])).toEqual([f.left, f.top]);
    expect(toPixel(f, [3, -2])).toEqual([f.left + 600, f.top + 400]);
    const [px, py] = toPixel(f, [1.25, -0.5]);
    const back = fromPixel(f, px, py)!;
    expect(back[0]).toBeCloseTo(1.25, 12);
    expect(back[1]).toBeCloseTo(-0.5, 12);
    expect(fromPixel(f, f.left - 1, f.top)).toBeNull();
  });

  it('picks round ticks', () => {
    expect(niceTicks(-3, 3, 6)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(niceTicks(-1, 3, 4)).toEqual([-1, 0, 1, 2, 3]);
    expect(niceTicks(-4.5, 4.5, 4)).toEqual([-4, -2, 0, 2, 4]);
  });

  it('traces a path up to its first non-finite point, cut at any step', () => {
    const f = fitPlotFrame(domain, 656, 1000);
    const p = tracePath(f, [-3, 2, 3, -2, NaN, 0, 0, 0]);
    expect(p.ends).toHaveLength(2);
    expect(pathUpTo(p, 0)).toBe(`M${f.left.toFixed(1)},${f.top.toFixed(1)}`);
    expect(pathUpTo(p, 1)).toBe(p.d);
    expect(pathUpTo(p, 99)).toBe(p.d);
    expect(pathUpTo(tracePath(f, [NaN, 0]), 3)).toBe('');
  });

  it('colours levels from cream to grey-blue', () => {
    expect(bandColor(0, 10)).toBe('rgb(255,251,232)');
    expect(bandColor(9, 10)).toBe('rgb(196,210,232)');
  });
});
