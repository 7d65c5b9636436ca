import * as tf from '@tensorflow/tfjs';
import type { DivergedRecord, StepRecord } from './records';

/**
 * The trainer's loss read-back and divergence checks: a step's scalars stay on the device until
 * they are read back in a bunch (never synchronously inside a step); each then becomes a step
 * record, and an arm whose loss or gradient norm is not finite, or whose gradient norm exceeds
 * the limit, is marked diverged at that step and trains no further.
 */

/** What the read-back needs of an arm run: its name and seed, and its divergence state. */
export interface ReadBackArm {
  config: { name: string };
  seed: number;
  /** Why the arm diverged, or null. */
  diverged: string | null;
  divergedAt: number;
  stepsDone: number;
}

/** One arm's step whose scalars wait on the device. */
export interface PendingStep<R extends ReadBackArm = ReadBackArm> {
  run: R;
  step: number;
  epoch: number;
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
  extras: [string, tf.Scalar][];
  rgWeight: number;
  lossWeight: number;
  lr: number;
  ms: number;
}

/** A diverged record's reason for a step's loss and gradient norm, or null when the step is sound. */
export function divergenceReason(loss: number, gradNorm: number, maxGradNorm: number): string | null {
  if (!Number.isFinite(loss)) return `loss is ${loss}`;
  if (!Number.isFinite(gradNorm)) return `gradient norm is ${gradNorm}`;
  if (gradNorm > maxGradNorm) return `gradient norm ${gradNorm.toExponential(2)} exceeds ${maxGradNorm.toExponential(0)}`;
  return null;
}

/** The device scalars a pending step holds. */
export function pendingTensors(p: PendingStep): tf.Scalar[] {
  return [p.loss, p.gradNorm, ...p.extras.map(([, t]) => t)];
}

/** Reads every pending step's scalars back in one bunch: per step, loss, gradNorm, then the extras. */
export async function readPendingValues(batch: readonly PendingStep[]): Promise<number[][]> {
  const values = await Promise.all(batch.map((p) => Promise.all(pendingTensors(p).map((t) => t.data()))));
  return values.map((vs) => vs.map((v) => v[0]));
}

/**
 * Emits the step records of a bunch read back (`values` from readPendingValues) and marks
 * divergence: a `diverged` record at the first bad step of an arm, and no records of its later
 * steps. Disposes the bunch's scalars.
 */
export function emitStepRecords(
  batch: readonly PendingStep[],
  values: readonly number[][],
  maxGradNorm: number,
  onRecord: (r: StepRecord | DivergedRecord) => void,
): void {
  batch.forEach((p, i) => {
    const [loss, gradNorm, ...extraValues] = values[i];
    const run = p.run;
    if (run.diverged && p.step > run.divergedAt) return;
    onRecord({
      type: 'step',
      arm: run.config.name,
      seed: run.seed,
      step: p.step,
      epoch: p.epoch,
      loss,
      weightedLoss: p.lossWeight * loss,
      rgWeight: p.rgWeight,
      lr: p.lr,
      gradNorm,
      ms: p.ms,
      ...Object.fromEntries(p.extras.map(([k], j) => [k, extraValues[j]])),
    });
    const reason = divergenceReason(loss, gradNorm, maxGradNorm);
    if (reason && !run.diverged) {
      run.diverged = reason;
      run.divergedAt = p.step;
      run.stepsDone = p.step;
      onRecord({ type: 'diverged', arm: run.config.name, seed: run.seed, step: p.step, reason });
    }
  });
  tf.dispose(batch.flatMap(pendingTensors));
}
