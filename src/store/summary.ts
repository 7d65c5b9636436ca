import type { ExperimentConfig, Task } from '../engine/config';
import type { EvalRecord, StepRecord } from '../engine/records';

/** The summary table's numbers, derived from the records (pure functions). */

/**
 * The eval metrics the summary shows per task, the first being the headline that the target and
 * the speed-up use: test accuracy, mIoU, or PSNR (with SSIM beside it).
 */
export const SUMMARY_METRICS: Record<Task, readonly string[]> = {
  classify: ['accuracy'],
  segment: ['mIoU'],
  translate: ['psnr', 'ssim'],
};

export interface ArmSummary {
  arm: string;
  /** Best and last value of each summary metric (null before the first evaluation). */
  best: Record<string, number | null>;
  final: Record<string, number | null>;
  /** First evaluated step whose headline metric reached the target. */
  stepsToTarget: number | null;
  /** Mean wall time of this arm's training step, in ms. */
  msPerStep: number | null;
  /** Steps-to-target of the first arm over this arm's (2 = reaches the target in half the steps). */
  speedup: number | null;
}

/** The reference arm: the first with RG off, else the first arm. */
export function findPlainArm(config: ExperimentConfig): string | null {
  return (config.arms.find((a) => a.rg.mode === 'off') ?? config.arms[0])?.name ?? null;
}

function metricOf(r: EvalRecord, metric: string): number | null {
  const a = r.metrics[metric];
  return typeof a === 'number' && Number.isFinite(a) ? a : null;
}

function bestOf(evals: readonly EvalRecord[], metric: string): number | null {
  let best: number | null = null;
  for (const r of evals) {
    const a = metricOf(r, metric);
    if (a !== null && (best === null || a > best)) best = a;
  }
  return best;
}

/**
 * 80% of the plain arm's best headline metric so far (accuracy, mIoU, PSNR), or null before its
 * first evaluation.
 */
export function defaultTargetAccuracy(config: ExperimentConfig, evalsByArm: Record<string, EvalRecord[]>): number | null {
  const plain = findPlainArm(config);
  const best = plain ? bestOf(evalsByArm[plain] ?? [], SUMMARY_METRICS[config.task][0]) : null;
  return best === null ? null : 0.8 * best;
}

/** One row per arm of `config`, in its order, on its task's summary metrics. */
export function summariseArms(
  config: ExperimentConfig,
  evalsByArm: Record<string, EvalRecord[]>,
  stepsByArm: Record<string, StepRecord[]>,
  target: number | null,
): ArmSummary[] {
  const metrics = SUMMARY_METRICS[config.task];
  const headline = metrics[0];
  const rows = config.arms.map(({ name }): ArmSummary => {
    const evals = evalsByArm[name] ?? [];
    const steps = stepsByArm[name] ?? [];
    const last = evals.length ? evals[evals.length - 1] : null;
    const reached = target === null ? undefined : evals.find((r) => (metricOf(r, headline) ?? -Infinity) >= target);
    const msTotal = steps.reduce((s, r) => s + r.ms, 0);
    return {
      arm: name,
      best: Object.fromEntries(metrics.map((m) => [m, bestOf(evals, m)])),
      final: Object.fromEntries(metrics.map((m) => [m, last ? metricOf(last, m) : null])),
      stepsToTarget: reached ? reached.step : null,
      msPerStep: steps.length ? msTotal / steps.length : null,
      speedup: null,
    };
  });
  const first = rows[0]?.stepsToTarget ?? null;
  for (const r of rows) r.speedup = first !== null && r.stepsToTarget ? first / r.stepsToTarget : null;
  return rows;
}
