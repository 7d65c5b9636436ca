import type { ExperimentConfig, Task } from '../engine/config';
import type { MetricRecord, StepRecord } from '../engine/records';
import { summarizeExperiment, type ExperimentSummary } from '../stats';
import type { BySeed } from './metricsSlice';

/** The summary's numbers, derived from the records (pure functions over src/stats). */

/**
 * The eval metrics the summary shows per task, the first being the headline that the target,
 * the speed-up and the verdict use: test accuracy, mIoU, or PSNR (with SSIM beside it).
 */
export const SUMMARY_METRICS: Record<Task, readonly string[]> = {
  classify: ['accuracy'],
  segment: ['mIoU'],
  translate: ['psnr', 'ssim'],
};

/** The default baseline: the first arm with RG off, else the first arm. */
export function findPlainArm(config: ExperimentConfig): string | null {
  return (config.arms.find((a) => a.rg.mode === 'off') ?? config.arms[0])?.name ?? null;
}

/** The baseline the summary compares with: the chosen one while it is an arm of the run, else the plain arm. */
export function baselineArm(config: ExperimentConfig, chosen: string | null): string | null {
  return chosen !== null && config.arms.some((a) => a.name === chosen) ? chosen : findPlainArm(config);
}

/**
 * 80% of the baseline arm's best headline metric so far (mean over its seeds of each seed's
 * best), or null before its first evaluation.
 */
export function defaultTarget(summary: ExperimentSummary): number | null {
  const base = summary.arms.find((a) => a.arm === summary.baseline);
  return base?.best ? 0.8 * base.best.mean : null;
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

export interface RunSummary {
  /** Statistics of the headline metric (target, speed-up, verdicts), then of the others. */
  byMetric: ExperimentSummary[];
  /** The target in use: the user's, else 80% of the baseline's best. */
  target: number | null;
}

/**
 * Everything the summary table shows, from the run's eval, diverged and summary records: per
 * arm and metric mean, std and CI over seeds, steps to the target, paired tests and a verdict
 * against the baseline. `userTarget` null means the automatic target.
 */
export function summariseRun(config: ExperimentConfig, records: readonly MetricRecord[], baseline: string, userTarget: number | null): RunSummary {
  const [headline, ...others] = SUMMARY_METRICS[config.task];
  const auto = userTarget === null ? defaultTarget(summarizeExperiment(records, { baseline, metric: headline })) : null;
  const target = userTarget ?? auto;
  return {
    target,
    byMetric: [summarizeExperiment(records, { baseline, metric: headline, target }), ...others.map((metric) => summarizeExperiment(records, { baseline, metric }))],
  };
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

/** The stored summary of a run from its records; null without a baseline arm. `steps` is how far the run got. */
export function storedSummaryOf(config: ExperimentConfig, records: readonly MetricRecord[], chosenBaseline: string | null, userTarget: number | null, steps: number): StoredSummary | null {
  const baseline = baselineArm(config, chosenBaseline);
  if (!baseline) return null;
  const { byMetric, target } = summariseRun(config, records, baseline, userTarget);
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
