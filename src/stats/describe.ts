import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * Descriptive statistics of a small sample (one value per seed). The 95% confidence interval
 * of the mean uses Student's t with n - 1 degrees of freedom.
 */

/** Summary of a sample of finite values. `std` and `ci95` are null when n = 1 (no spread to measure). */
export interface Description {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n - 1); null when n = 1. */
  std: number | null;
  min: number;
  max: number;
  /** 95% confidence interval of the mean, mean -/+ t(0.975, n - 1) x std / sqrt(n); null when n = 1. */
  ci95: [number, number] | null;
}

/** Confidence level of every interval in this module. */
export const CONFIDENCE = 0.95;

/** Throws unless `values` is a non-empty list of finite numbers; `what` names it in the message. */
export function assertFiniteSample(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: needs at least one value`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`${what}[${bad}]: is ${values[bad]}; leave diverged or missing seeds out first`);
}

/** Arithmetic mean (the caller guarantees a non-empty array). */
export function meanOf(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation with divisor n - 1 (two-pass, so a constant sample gives exactly 0); NaN for n < 2. */
export function sampleStd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = meanOf(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (n - 1));
}

/** Half-width of the 95% t interval of a mean: t(0.975, n - 1) x std / sqrt(n); null for n < 2. */
export function ci95HalfWidth(std: number, n: number): number | null {
  if (n < 2 || !Number.isFinite(std)) return null;
  return tQuantile(1 - (1 - CONFIDENCE) / 2, n - 1) * (std / Math.sqrt(n));
}

/**
 * n, mean, sample std, min, max and the 95% CI of the mean of `values` (e.g. one final accuracy
 * per seed). Throws a RangeError on an empty list or a non-finite value: leave diverged seeds out first.
 */
export function describe(values: readonly number[]): Description {
  assertFiniteSample(values, 'values');
  const n = values.length;
  const mean = meanOf(values);
  const std = n >= 2 ? sampleStd(values) : null;
  const half = std === null ? null : ci95HalfWidth(std, n);
  return {
    n,
    mean,
    std,
    min: Math.min(...values),
    max: Math.max(...values),
    ci95: half === null ? null : [mean - half, mean + half],
  };
}
