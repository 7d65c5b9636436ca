import { expect, it, suite } from 'vitest';
import { areaUnderCurve, bandSeries, pairedDifferenceSeries, stepsToTarget, type Point } from './curves';

const T_975_DF1 = 12.7062047361747; // t(0.975, 1), mpmath (see describe.test.ts)
const pts = (xs: number[], ys: number[]): Point[] => xs.map((x, i) => ({ x, y: ys[i] }));

suite('bandSeries', () => {
  // Two seeds; seed b diverged after step 200 (NaN at 300, nothing at 400).
  const a = pts([100, 200, 300, 400], [0.5, 0.6, 0.7, 0.75]);
  const b = pts([100, 200, 300], [0.3, 0.4, NaN]);

  it('std: mean +/- 1 sample std per step, on the steps every seed has', () => {
    const band = bandSeries([a, b], 'std');
    expect(band.map((p) => p.x)).toEqual([100, 200]);
    // 0.5 and 0.3: mean 0.4, std sqrt(2 x 0.1^2 / 1) = 0.1 sqrt(2)
    expect(band[0].mean).toBeCloseTo(0.4, 14);
    expect(band[0].lo).toBeCloseTo(0.4 - 0.1 * Math.SQRT2, 14);
    expect(band[0].hi).toBeCloseTo(0.4 + 0.1 * Math.SQRT2, 14);
    expect(band[0].n).toBe(2);
  });

  it('minmax and ci95', () => {
    const mm = bandSeries([a, b], 'minmax');
    expect(mm[1]).toEqual({ x: 200, mean: 0.5, lo: 0.4, hi: 0.6, n: 2 });
    // half-width t(0.975, 1) x 0.1 sqrt(2) / sqrt(2)
    const ci = bandSeries([a, b], 'ci95');
    expect(ci[0].lo).toBeCloseTo(0.4 - T_975_DF1 * 0.1, 12);
    expect(ci[0].hi).toBeCloseTo(0.4 + T_975_DF1 * 0.1, 12);
  });

  it('minSeeds 1 keeps every step, averaged over the seeds that have it; one seed has no std band', () => {
    const band = bandSeries([a, b], 'std', { minSeeds: 1 });
    expect(band.map((p) => p.x)).toEqual([100, 200, 300, 400]);
    expect(band[2]).toEqual({ x: 300, mean: 0.7, lo: null, hi: null, n: 1 });
    expect(bandSeries([a, b], 'minmax', { minSeeds: 1 })[3]).toEqual({ x: 400, mean: 0.75, lo: 0.75, hi: 0.75, n: 1 });
  });

  it('one seed: the mean is the seed, no std or CI band', () => {
    expect(bandSeries([a], 'ci95')[0]).toEqual({ x: 100, mean: 0.5, lo: null, hi: null, n: 1 });
    expect(bandSeries([], 'std')).toEqual([]);
  });

  it('a seed with no points yet holds every step back under the default rule', () => {
    expect(bandSeries([a, []], 'std')).toEqual([]);
  });
});

suite('pairedDifferenceSeries', () => {
  it('is the CI of the paired mean difference at each step (sleep data as 10 seeds at one step)', () => {
    const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const d = pairedDifferenceSeries(
      g1.map((y) => [{ x: 1, y }]),
      g2.map((y) => [{ x: 1, y }]),
    );
    // R's t.test(extra ~ group, data = sleep, paired = TRUE): 95% CI -2.4598858 -0.7001142
    expect(d).toHaveLength(1);
    expect(d[0].mean).toBeCloseTo(-1.58, 12);
    expect(d[0].lo).toBeCloseTo(-2.4598858, 6);
    expect(d[0].hi).toBeCloseTo(-0.7001142, 6);
    expect(d[0].n).toBe(10);
  });

  it('pairs seed i with seed i, only at steps where both have a value', () => {
    const arm = [pts([1, 2, 3], [0.5, 0.7, 0.9]), pts([1, 2, 3], [0.6, 0.8, 0.9])];
    const base = [pts([1, 2], [0.4, 0.5]), pts([1, 2, 3], [0.4, 0.6, NaN])];
    const d = pairedDifferenceSeries(arm, base);
    expect(d.map((p) => p.x)).toEqual([1, 2]);
    expect(d[0].mean).toBeCloseTo(0.15, 14);
    expect((d[0].hi ?? NaN) - d[0].mean).toBeCloseTo(T_975_DF1 * 0.05, 12);
    expect(d[1].mean).toBeCloseTo(0.2, 14);
    expect(d[1].lo).toBeCloseTo(0.2, 14);
    expect(() => pairedDifferenceSeries(arm, [base[0]])).toThrow(RangeError);
  });
});

suite('stepsToTarget', () => {
  const acc = pts([100, 200, 300, 400], [0.3, 0.55, 0.62, 0.58]);

  it('is the first step at or past the target, in the metric direction', () => {
    expect(stepsToTarget(acc, 0.6, 'higher')).toBe(300);
    expect(stepsToTarget(acc, 0.62, 'higher')).toBe(300);
    expect(stepsToTarget(acc, 0.3, 'higher')).toBe(100);
    expect(stepsToTarget(pts([100, 200, 300], [2.0, 1.2, 0.9]), 1.0, 'lower')).toBe(300);
  });

  it('null when never reached; NaN skipped; order by step', () => {
    expect(stepsToTarget(acc, 0.9, 'higher')).toBeNull();
    expect(stepsToTarget([], 0.5, 'higher')).toBeNull();
    expect(stepsToTarget(pts([300, 100, 200], [0.7, NaN, 0.65]), 0.6, 'higher')).toBe(200);
  });
});

suite('areaUnderCurve', () => {
  it('is the trapezoid area over the step range: the mean metric', () => {
    expect(areaUnderCurve(pts([0, 10], [0, 1]))).toBeCloseTo(0.5, 14);
    // (0.2 + 0.4) / 2 x 100 + 0.4 x 200 = 110 over 300 steps
    expect(areaUnderCurve(pts([100, 200, 400], [0.2, 0.4, 0.4]))).toBeCloseTo(110 / 300, 14);
    expect(areaUnderCurve(pts([100, 200, 300], [0.6, 0.6, 0.6]))).toBeCloseTo(0.6, 14);
  });

  it('one point is its value, none is null, NaN is skipped', () => {
    expect(areaUnderCurve(pts([100], [0.4]))).toBe(0.4);
    expect(areaUnderCurve([])).toBeNull();
    expect(areaUnderCurve(pts([0, 5, 10], [0, NaN, 1]))).toBeCloseTo(0.5, 14);
  });
});
