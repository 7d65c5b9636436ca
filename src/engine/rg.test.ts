import { describe, expect, it } from 'vitest';
import type { RgConfig } from './config';
import { expectedRgWeight, type RgDraw, rgUniforms, rgWeightAt } from './rg';

/**
 * Statistical checks use N = 20 000 steps and a 5-sigma band: for a fixed seed the draws are
 * fixed, so the tests are deterministic; the band says a correct generator would fail one only
 * with probability below 1e-6 for a fresh seed.
 */
const N = 20_000;
const SIGMA = 5;

const base = { probability: 1, scale: 1 };
const OFF: RgConfig = { ...base, mode: 'off' };
const CONSTANT: RgConfig = { ...base, mode: 'constant', weight: 0.3 };
const UNIFORM: RgConfig = { ...base, mode: 'uniform', low: 0.2, high: 0.8 };
const PAPER: RgConfig = { ...base, mode: 'uniform', low: 0, high: 1 };
const CYCLICAL_STEPS: RgConfig = { ...base, mode: 'cyclical', min: 0, max: 2, period: 10, unit: 'step' };
const CYCLICAL_EPOCHS: RgConfig = { ...base, mode: 'cyclical', min: 0.5, max: 1.5, period: 4, unit: 'epoch' };
const ALL_MODES = [OFF, CONSTANT, UNIFORM, CYCLICAL_STEPS, CYCLICAL_EPOCHS];

function draws(cfg: RgConfig, seed: number, n = N, stepsPerEpoch = 10): RgDraw[] {
  return Array.from({ length: n }, (_, t) => rgWeightAt(cfg, seed, { t, total: n, stepsPerEpoch }));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1);
};

describe('rgWeightAt, mode by mode', () => {
  it('off gives the scale on every step, never "applied"', () => {
    expect(draws(OFF, 1, 500).every((d) => d.weight === 1 && !d.applied)).toBe(true);
    expect(draws({ ...OFF, scale: 2 }, 1, 500).every((d) => d.weight === 2 && !d.applied)).toBe(true);
    // Probability does not turn off into anything else.
    expect(draws({ ...OFF, probability: 0.5, scale: 0.7 }, 3, 500).every((d) => d.weight === 0.7 && !d.applied)).toBe(true);
  });

  it('constant gives its weight on every step', () => {
    expect(draws(CONSTANT, 1, 500).every((d) => d.weight === 0.3 && d.applied)).toBe(true);
  });

  it('uniform stays in [low, high), reaches both ends, and has the uniform mean and variance', () => {
    const w = draws(UNIFORM, 7).map((d) => d.weight);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0.2);
    expect(Math.max(...w)).toBeLessThan(0.8);
    // The gap to either end after N draws is about 0.6 / N = 3e-5; 1e-3 is exceeded with probability e^-33.
    expect(Math.min(...w)).toBeLessThan(0.201);
    expect(Math.max(...w)).toBeGreaterThan(0.799);
    // Uniform(0.2, 0.8): mean 0.5, variance 0.6^2 / 12 = 0.03, so the mean's standard error is sqrt(0.03 / N).
    expect(Math.abs(mean(w) - 0.5)).toBeLessThan(SIGMA * Math.sqrt(0.03 / N));
    // The sample variance's standard error is about sqrt((mu4 - sigma^4) / N), mu4 = 0.6^4 / 80.
    expect(Math.abs(variance(w) - 0.03)).toBeLessThan(SIGMA * Math.sqrt((0.6 ** 4 / 80 - 0.03 ** 2) / N));
  });

  it('uniform [0, 1) (the paper) fills ten equal bins evenly (chi-square)', () => {
    const counts = new Array<number>(10).fill(0);
    for (const d of draws(PAPER, 3)) counts[Math.floor(d.weight * 10)]++;
    const expected = N / 10;
    const chi2 = counts.reduce((s, c) => s + ((c - expected) * (c - expected)) / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
    expect(chi2).toBeLessThan(27.88);
  });

  it('cyclical in steps: min at 0, max at half a period, min at a full period', () => {
    const w = draws(CYCLICAL_STEPS, 1, 31).map((d) => d.weight);
    expect(w[0]).toBeCloseTo(0, 12);
    expect(w[5]).toBeCloseTo(2, 12);
    expect(w[10]).toBeCloseTo(0, 12);
    expect(w[15]).toBeCloseTo(2, 12);
    expect(w[2]).toBeCloseTo(0.8, 12);
    expect(w[8]).toBeCloseTo(0.8, 12);
    // One period repeats the next, and the seed plays no part.
    for (let t = 0; t < 20; t++) expect(w[t + 10]).toBeCloseTo(w[t], 12);
    expect(draws(CYCLICAL_STEPS, 99, 31).map((d) => d.weight)).toEqual(w);
  });

  it('cyclical in epochs: the period counts epochs of stepsPerEpoch steps', () => {
    const spe = 6;
    const w = draws(CYCLICAL_EPOCHS, 1, 49, spe).map((d) => d.weight);
    expect(w[0]).toBeCloseTo(0.5, 12);
    expect(w[2 * spe]).toBeCloseTo(1.5, 12);
    expect(w[4 * spe]).toBeCloseTo(0.5, 12);
    expect(w[6 * spe]).toBeCloseTo(1.5, 12);
    // Within an epoch it moves smoothly: one step is 1/spe epoch, 1/(4 spe) of a period.
    expect(w[1]).toBeCloseTo(0.5 + 1 * (2 / (4 * spe)), 12);
    // The same config counted in steps would have a period of 4 steps instead.
    const inSteps = draws({ ...CYCLICAL_EPOCHS, unit: 'step' }, 1, 5, spe).map((d) => d.weight);
    expect(inSteps[2]).toBeCloseTo(1.5, 12);
    expect(inSteps[4]).toBeCloseTo(0.5, 12);
  });
});

describe('probability and scale', () => {
  it('the weight applies on a fraction p of the steps, weight 1 (times scale) otherwise', () => {
    for (const p of [0.5, 0.3, 0.9]) {
      const d = draws({ ...UNIFORM, probability: p, scale: 1.5 }, 4);
      const applied = d.filter((x) => x.applied);
      const fraction = applied.length / N;
      expect(Math.abs(fraction - p)).toBeLessThan(SIGMA * Math.sqrt((p * (1 - p)) / N));
      expect(d.filter((x) => !x.applied).every((x) => x.weight === 1.5)).toBe(true);
      expect(applied.every((x) => x.weight >= 0.3 && x.weight < 1.2)).toBe(true);
    }
    expect(draws({ ...UNIFORM, probability: 0 }, 4, 2000).some((x) => x.applied)).toBe(false);
    expect(draws({ ...UNIFORM, probability: 1 }, 4, 2000).every((x) => x.applied)).toBe(true);
  });

  it('scale multiplies the weight of every mode, step by step', () => {
    for (const cfg of ALL_MODES) {
      for (const p of [1, 0.4]) {
        const plain = draws({ ...cfg, probability: p }, 5, 300);
        const scaled = draws({ ...cfg, probability: p, scale: 2.5 }, 5, 300);
        scaled.forEach((d, t) => {
          expect(d.weight).toBeCloseTo(2.5 * plain[t].weight, 12);
          expect(d.applied).toBe(plain[t].applied);
        });
      }
    }
  });

  it('uniform 0..1 with scale 2 draws from [0, 2) with mean 1', () => {
    const w = draws({ ...PAPER, scale: 2 }, 8).map((d) => d.weight);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...w)).toBeLessThan(2);
    expect(Math.max(...w)).toBeGreaterThan(1.99);
    expect(Math.abs(mean(w) - 1)).toBeLessThan(SIGMA * Math.sqrt(4 / 12 / N));
  });
});

describe('seeds', () => {
  it('the same seed gives the same weights, in any order of asking', () => {
    const forward = draws(PAPER, 42, 200);
    expect(draws(PAPER, 42, 200)).toEqual(forward);
    const backward = Array.from({ length: 200 }, (_, i) => 199 - i).map((t) => rgWeightAt(PAPER, 42, { t, total: 200, stepsPerEpoch: 10 }));
    expect(backward.reverse()).toEqual(forward);
  });

  it('different seeds give uncorrelated sequences', () => {
    const a = draws(PAPER, 1).map((d) => d.weight);
    const b = draws(PAPER, 2).map((d) => d.weight);
    expect(a.slice(0, 50)).not.toEqual(b.slice(0, 50));
    const ma = mean(a);
    const mb = mean(b);
    let cov = 0;
    for (let t = 0; t < N; t++) cov += (a[t] - ma) * (b[t] - mb);
    const corr = cov / (N - 1) / Math.sqrt(variance(a) * variance(b));
    // Under independence the sample correlation has standard error about 1 / sqrt(N).
    expect(Math.abs(corr)).toBeLessThan(SIGMA / Math.sqrt(N));
    // Consecutive steps of one seed are uncorrelated too.
    let lag = 0;
    for (let t = 0; t + 1 < N; t++) lag += (a[t] - ma) * (a[t + 1] - ma);
    expect(Math.abs(lag / (N - 2) / variance(a))).toBeLessThan(SIGMA / Math.sqrt(N));
  });

  it('arms of one seed share their uniforms whatever the mode (common random numbers)', () => {
    const p = 0.6;
    const uniform = draws({ ...PAPER, probability: p }, 9, 500);
    const constant = draws({ ...CONSTANT, probability: p }, 9, 500);
    uniform.forEach((d, t) => {
      const [u1, u2] = rgUniforms(9, t);
      expect(d.applied).toBe(u1 < p);
      expect(constant[t].applied).toBe(d.applied);
      if (d.applied) expect(d.weight).toBe(u2);
    });
  });
});

describe('expectedRgWeight', () => {
  it('gives the closed-form mean of each mode', () => {
    expect(expectedRgWeight(OFF)).toBe(1);
    expect(expectedRgWeight({ ...OFF, scale: 2, probability: 0.3 })).toBe(2);
    expect(expectedRgWeight(CONSTANT)).toBeCloseTo(0.3, 12);
    expect(expectedRgWeight({ ...CONSTANT, probability: 0.5 })).toBeCloseTo(0.65, 12);
    expect(expectedRgWeight(PAPER)).toBeCloseTo(0.5, 12);
    expect(expectedRgWeight(UNIFORM)).toBeCloseTo(0.5, 12);
    expect(expectedRgWeight({ ...PAPER, probability: 0.5 })).toBeCloseTo(0.75, 12);
    expect(expectedRgWeight({ ...PAPER, probability: 0.5, scale: 2 })).toBeCloseTo(1.5, 12);
    expect(expectedRgWeight(CYCLICAL_STEPS)).toBeCloseTo(1, 12);
    expect(expectedRgWeight({ ...CYCLICAL_EPOCHS, scale: 3 })).toBeCloseTo(3, 12);
  });

  it('matches the empirical mean of the weights', () => {
    const cfg: RgConfig = { ...UNIFORM, probability: 0.4, scale: 2 };
    const w = draws(cfg, 12).map((d) => d.weight);
    // Per-step variance: at most (max - min)^2 / 4 with weights in [0.4, 2], so SE <= 0.8 / sqrt(N).
    expect(Math.abs(mean(w) - expectedRgWeight(cfg))).toBeLessThan(SIGMA * (0.8 / Math.sqrt(N)));
    // A cyclical schedule's mean over whole periods is exactly (min + max) / 2.
    const cyc = draws(CYCLICAL_STEPS, 1, 100).map((d) => d.weight);
    expect(mean(cyc)).toBeCloseTo(expectedRgWeight(CYCLICAL_STEPS), 12);
  });
});
