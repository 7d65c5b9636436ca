import type { ExperimentConfig, Task } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { summarizeExperiment, type ExperimentSummary } from './experiment';

/**
 * A run's summary from its config and records: the one path behind the page's summary table
 * and verdicts and the runner's comparison records (comparison.ts).
 */

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

export interface RunSummary {
  /** Statistics of the headline metric (target, speed-up, verdicts), then of the others. */
  byMetric: ExperimentSummary[];
  /** The target in use: the user's, else 80% of the baseline's best. */
  target: number | null;
}

export interface RunSummaryOptions {
  /** The run has not finished, was stopped or was cut short: the verdicts say they are interim. */
  interim?: boolean;
}

/**
 * Everything the summary shows, from the run's eval, diverged and summary records: per arm and
 * metric mean, std and CI over seeds, steps to the target, paired tests and a verdict against
 * the baseline (the headline metric's tests Holm-corrected together). `userTarget` null means
 * the automatic target.
 */
export function summariseRun(
  config: ExperimentConfig,
  records: readonly MetricRecord[],
  baseline: string,
  userTarget: number | null,
  opts: RunSummaryOptions = {},
): RunSummary {
  const [headline, ...others] = SUMMARY_METRICS[config.task];
  const interim = opts.interim ?? false;
  const auto = userTarget === null ? defaultTarget(summarizeExperiment(records, { baseline, metric: headline })) : null;
  const target = userTarget ?? auto;
  return {
    target,
    byMetric: [
      summarizeExperiment(records, { baseline, metric: headline, target, interim }),
      ...others.map((metric) => summarizeExperiment(records, { baseline, metric, interim })),
    ],
  };
}
