import { Rng } from '../engine/rng';
import { verdicts, type SeedOutcome, type VerdictInput } from './verdict';

/**
 * Calibration of the verdict code by simulation: many synthetic experiments whose arms differ
 * only by seed noise (A/A) give the false-positive rate, and experiments with a known effect on
 * the final metric give the power. Shared by the unit test and the script that writes the
 * table in docs/statistics.md (src/bench/calibrate.ts), so both measure the same code.
 *
 * One experiment: `arms` arms (the first is the baseline) over n seeds, evalEvery 100, a target.
 * Per seed s and arm a:
 *   final      = 0.6 + 0.02 u_s + effect_a + 0.01 e_as        (u, e independent noise draws)
 *   stepsToTarget = 100 x ceil(10 exp(0.1 v_s + 0.1 w_as))   (a multiple of evalEvery: ties)
 * so the arms share each seed's part (u, v) as paired runs do, and the differences come from
 * the arm's own part (e, w), with w = -0.5 e + sqrt(0.75) (fresh noise): a run that ends
 * higher tends to get there sooner. The noise is standard normal or, with `heavyTails`, Student t with
 * 3 degrees of freedom (outlier seeds). `effect` (Cohen's d_z of the final-metric difference,
 * in units of its sd 0.01 x sqrt 2 under normal noise) is added to the second arm only.
 */

export interface SimulationOptions {
  seeds: number;
  experiments: number;
  /** Arms including the baseline (default 3: every verdict corrects over 2 arms x 2 tests). */
  arms?: number;
  /** d_z of the second arm's final metric against the baseline (default 0: A/A). */
  effect?: number;
  heavyTails?: boolean;
  /** Seed of the simulation's random stream (default 1). */
  rngSeed?: number;
}

export interface SimulationResult {
  experiments: number;
  /** Experiments where some verdict claimed a difference (any arm, either test). */
  anyFinding: number;
  /** Experiments where the second arm's final metric was found significantly higher than the baseline's. */
  finalHigher: number;
  /** Experiments where some test had an uncorrected quoted p < 0.05 (what the verdict would have said without Holm). */
  anyUncorrected: number;
}

/** Correlation of a run's own noise in its steps to target and its final metric (negative: fewer steps, higher final). */
export const RUN_CORRELATION = 0.5;

function normal(rng: Rng): number {
  // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function noise(rng: Rng, heavy: boolean): number {
  if (!heavy) return normal(rng);
  const chi2 = normal(rng) ** 2 + normal(rng) ** 2 + normal(rng) ** 2;
  // t with 3 df has variance 3; scaled to variance 1 so the normal and heavy cases compare.
  return normal(rng) / Math.sqrt(chi2 / 3) / Math.sqrt(3);
}

/** Runs `experiments` synthetic experiments through {@link verdicts} and counts what they claimed. */
export function simulateVerdicts(opts: SimulationOptions): SimulationResult {
  const rng = new Rng(opts.rngSeed ?? 1);
  const armCount = opts.arms ?? 3;
  const heavy = opts.heavyTails ?? false;
  const delta = (opts.effect ?? 0) * 0.01 * Math.SQRT2;
  const result: SimulationResult = { experiments: opts.experiments, anyFinding: 0, finalHigher: 0, anyUncorrected: 0 };
  for (let x = 0; x < opts.experiments; x++) {
    const shared = Array.from({ length: opts.seeds }, () => [noise(rng, heavy), noise(rng, heavy)]);
    const arms: SeedOutcome[][] = Array.from({ length: armCount }, (_, a) =>
      shared.map(([u, v]) => {
        const e = noise(rng, heavy);
        // A lucky run is both sooner and higher: its steps share part of its final's noise.
        const w = -RUN_CORRELATION * e + Math.sqrt(1 - RUN_CORRELATION ** 2) * noise(rng, heavy);
        return {
          final: 0.6 + 0.02 * u + (a === 1 ? delta : 0) + 0.01 * e,
          stepsToTarget: 100 * Math.ceil(10 * Math.exp(0.1 * v + 0.1 * w)),
          diverged: false,
        };
      }),
    );
    const inputs = arms.slice(1).map((armSeeds, i): VerdictInput => ({ arm: `arm${i + 1}`, baseline: 'base', metric: 'accuracy', target: 0.5, armSeeds, baseSeeds: arms[0] }));
    const out = verdicts(inputs);
    const tests = out.flatMap((v) => v.tests);
    if (tests.some((t) => t.significant)) result.anyFinding++;
    if (tests.some((t) => t.quoted !== null && t.quoted.p < 0.05)) result.anyUncorrected++;
    const final = out[0].tests.find((t) => t.measure === 'final');
    if (final?.significant && final.comparison.meanDiff > 0) result.finalHigher++;
  }
  return result;
}

/** Wilson's 95% score interval of a binomial proportion k / n. */
export function wilson95(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n)));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
