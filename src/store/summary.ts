import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord, StepRecord } from '../engine/records';
import { baselineArm, summariseRun } from '../stats';
import type { BySeed } from './metricsSlice';
import type { RunState } from './runSlice';

/** The summary's numbers, derived from the records (pure functions over src/stats). */

export { baselineArm, defaultTarget, findPlainArm, SUMMARY_METRICS, summariseRun, type RunSummary } from '../stats';

/**
 * Whether the run's verdicts are final: it ran to its end. A run going on, paused, stopped,
 * failed or cut short by a reload or crash gets interim verdicts (a look before the end).
 */
export function verdictsAreInterim(run: Pick<RunState, 'status' | 'stopped' | 'stored'>): boolean {
  return run.status !== 'done' || run.stopped || (run.stored?.interrupted ?? false);
}

/** Mean wall time of one arm's training step over all its seeds, in ms; null before its first step. */
export function msPerStep(steps: BySeed<StepRecord>, arm: string): number | null {
  let total = 0;
  let n = 0;
  // A series holds steps 1..last, thinned or not: each kept record's ms covers the steps since the one before.
  for (const records of Object.values(steps[arm] ?? {})) {
    for (const r of records) total += r.ms;
    n += records.at(-1)?.step ?? 0;
  }
  return n ? total / n : null;
}

/** The summary saved with an experiment (the experiments list and its compare table read it): the headline metric per arm, and the verdicts. */
export interface StoredSummary {
  metric: string;
  target: number | null;
  baseline: string;
  seeds: number;
  steps: number;
  arms: { arm: string; final: number | null; best: number | null; verdict: string | null }[];
}

/** The stored summary of a run from its records; null without a baseline arm. `steps` is how far the run got; `interim` marks verdicts of a run that has not ended. */
export function storedSummaryOf(
  config: ExperimentConfig,
  records: readonly MetricRecord[],
  chosenBaseline: string | null,
  userTarget: number | null,
  steps: number,
  interim = false,
): StoredSummary | null {
  const baseline = baselineArm(config, chosenBaseline);
  if (!baseline) return null;
  const { byMetric, target } = summariseRun(config, records, baseline, userTarget, { interim });
  const head = byMetric[0];
  return {
    metric: head.metric,
    target,
    baseline,
    seeds: head.seeds.length,
    arms: head.arms.map((a) => ({ arm: a.arm, final: a.final?.mean ?? null, best: a.best?.mean ?? null, verdict: a.comparison?.verdict ?? null })),
    steps,
  };
}
