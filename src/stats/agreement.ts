import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { assertFiniteSample, meanOf, sampleStd } from './describe';

/**
 * Do two independent samples (one value per seed from two trainers, e.g. the lab and PyTorch,
 * whose seeds draw different random streams and so are not paired) have the same mean, within
 * what their seed spreads allow? Welch's two-sided t test at level `alpha`, written as a
 * tolerance: they agree when |mean a - mean b| <= max(t(1 - alpha/2, df) x SE, floor), SE the
 * Welch standard error sqrt(sa^2/na + sb^2/nb) and df the Welch-Satterthwaite degrees of freedom.
 * The floor keeps two nearly constant samples from having to agree to the last digit.
 */

export interface Agreement {
  meanA: number;
  meanB: number;
  /** mean a - mean b. */
  difference: number;
  /** Welch standard error of the difference. */
  se: number;
  /** Welch-Satterthwaite degrees of freedom (n - 1 of the larger sample when both spreads are 0). */
  df: number;
  /** The largest |difference| that still agrees. */
  tolerance: number;
  agree: boolean;
}

export function welchAgreement(a: readonly number[], b: readonly number[], opts: { alpha?: number; floor?: number } = {}): Agreement {
  assertFiniteSample(a, 'a');
  assertFiniteSample(b, 'b');
  if (a.length < 2 || b.length < 2) throw new RangeError(`welchAgreement: needs at least 2 values per sample (got ${a.length} and ${b.length})`);
  const alpha = opts.alpha ?? 0.01;
  const floor = opts.floor ?? 0;
  const va = sampleStd(a) ** 2 / a.length;
  const vb = sampleStd(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const df = se > 0 ? (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1)) : Math.max(a.length, b.length) - 1;
  const meanA = meanOf(a);
  const meanB = meanOf(b);
  const difference = meanA - meanB;
  const tolerance = Math.max(tQuantile(1 - alpha / 2, df) * se, floor);
  return { meanA, meanB, difference, se, df, tolerance, agree: Math.abs(difference) <= tolerance };
}
