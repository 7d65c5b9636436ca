import type { ExperimentConfig } from '../engine/config';
import type { EvalRecord, StepRecord } from '../engine/records';

/** The summary table's numbers, derived from the records (pure functions). */

export interface ArmSummary {
  arm: string;
  bestAccuracy: number | null;
  finalAccuracy: number | null;
  /** First evaluated step whose test accuracy reached the target. */
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

function accuracyOf(r: EvalRecord): number | null {
  const a = r.metrics.accuracy;
  return typeof a === 'number' ? a : null;
}

function bestAccuracy(evals: readonly EvalRecord[]): number | null {
  let best: number | null = null;
  for (const r of evals) {
    const a = accuracyOf(r);
    if (a !== null && (best === null || a > best)) best = a;
  }
  return best;
}

/** 80% of the plain arm's best test accuracy so far, or null before its first evaluation. */
export function defaultTargetAccuracy(config: ExperimentConfig, evalsByArm: Record<string, EvalRecord[]>): number | null {
  const plain = findPlainArm(config);
  const best = plain ? bestAccuracy(evalsByArm[plain] ?? []) : null;
  return best === null ? null : 0.8 * best;
}

/** One row per arm of `config`, in its order. */
export function summariseArms(
  config: ExperimentConfig,
  evalsByArm: Record<string, EvalRecord[]>,
  stepsByArm: Record<string, StepRecord[]>,
  target: number | null,
): ArmSummary[] {
  const rows = config.arms.map(({ name }) => {
    const evals = evalsByArm[name] ?? [];
    const steps = stepsByArm[name] ?? [];
    const last = evals.length ? accuracyOf(evals[evals.length - 1]) : null;
    const reached = target === null ? undefined : evals.find((r) => (accuracyOf(r) ?? -1) >= target);
    const msTotal = steps.reduce((s, r) => s + r.ms, 0);
    return {
      arm: name,
      bestAccuracy: bestAccuracy(evals),
      finalAccuracy: last,
      stepsToTarget: reached ? reached.step : null,
      msPerStep: steps.length ? msTotal / steps.length : null,
      speedup: null as number | null,
    };
  });
  const first = rows[0]?.stepsToTarget ?? null;
  for (const r of rows) r.speedup = first !== null && r.stepsToTarget ? first / r.stepsToTarget : null;
  return rows;
}
