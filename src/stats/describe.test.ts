import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { expect, it, suite } from 'vitest';
import { describe } from './describe';

// Expected values computed independently with mpmath 1.2.1 (Debian python3-mpmath, 30 digits):
// the t quantile by solving betainc(df/2, 1/2, 0, df/(df+t^2), regularized=True) = 2(1-p).
suite('Student t quantile (stdlib)', () => {
  it('matches the published table values', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062047361747, 10);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.77644510519779, 10);
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.2621571627982, 10);
  });
});

suite('describe', () => {
  it('gives mean, sample std, min, max and the 95% t interval', () => {
    // mpmath: mean 5, std 1, CI 5 -/+ 2.7764451 / sqrt(5) = [3.758336001796236, 6.241663998203764]
    const d = describe([4, 4, 6, 6, 5]);
    expect(d.n).toBe(5);
    expect(d.mean).toBe(5);
    expect(d.std).toBeCloseTo(1, 14);
    expect(d.min).toBe(4);
    expect(d.max).toBe(6);
    expect(d.ci95?.[0]).toBeCloseTo(3.75833600179624, 12);
    expect(d.ci95?.[1]).toBeCloseTo(6.24166399820376, 12);
  });

  it('matches an accuracy-like sample', () => {
    // mpmath: mean 0.62, std 0.015811388300841911, CI [0.6003675683852244, 0.6396324316147756]
    const d = describe([0.61, 0.63, 0.6, 0.64, 0.62]);
    expect(d.mean).toBeCloseTo(0.62, 14);
    expect(d.std).toBeCloseTo(0.0158113883008419, 14);
    expect(d.ci95?.[0]).toBeCloseTo(0.600367568385224, 12);
    expect(d.ci95?.[1]).toBeCloseTo(0.639632431614776, 12);
  });

  it('n = 2 by hand: mean 2, std sqrt(2), half-width t(0.975, 1) x sqrt(2) / sqrt(2)', () => {
    const d = describe([1, 3]);
    expect(d.std).toBeCloseTo(Math.SQRT2, 14);
    expect(d.ci95?.[0]).toBeCloseTo(2 - 12.7062047361747, 10);
    expect(d.ci95?.[1]).toBeCloseTo(2 + 12.7062047361747, 10);
  });

  it('n = 1 has no std and no CI', () => {
    expect(describe([0.7])).toEqual({ n: 1, mean: 0.7, std: null, min: 0.7, max: 0.7, ci95: null });
  });

  it('a constant sample has std 0 and a zero-width CI', () => {
    const d = describe([0.3, 0.3, 0.3]);
    expect(d.std).toBe(0);
    expect(d.ci95).toEqual([0.3, 0.3]);
  });

  it('refuses an empty sample and non-finite values (diverged seeds are left out first)', () => {
    expect(() => describe([])).toThrow(RangeError);
    expect(() => describe([0.5, NaN])).toThrow(/values\[1\]: is NaN/);
    expect(() => describe([Infinity])).toThrow(RangeError);
  });
});
