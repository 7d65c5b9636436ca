import * as tf from '@tensorflow/tfjs';
import type { ArmConfig } from '../config';
import type { Model } from '../models';
import { Optimizer } from '../optim';

/**
 * What a task (classify, segment, translate) gives the trainer: batches prepared once per seed
 * and step, one training step of an arm on such a batch, and an evaluation.
 */

/** An arm's trainable state: one model and optimizer, or several (pix2pix: generator, discriminator). */
export interface ArmModels {
  models: Model[];
  optimizers: Optimizer[];
}

export interface StepInput {
  /** The RG weight for this step (its final value, scale included). */
  weight: number;
  /** The learning rate for this step, from the arm's schedule. */
  lr: number;
}

/** Tensors a step leaves for the trainer to read back later, in a bunch. */
export interface StepOutput {
  /** The true, unweighted loss this step reports. */
  loss: tf.Scalar;
  /** L2 norm of the RG-weighted data-loss gradient (of the first model's parameters). */
  gradNorm: tf.Scalar;
  /** The weight that multiplied `loss` when it is not the step's RG weight (pix2pix with applyTo 'discriminator': 1). */
  lossWeight?: number;
  /** Task-specific scalars copied into the step record (pix2pix: gAdv, gL1, dReal, dFake). */
  extras?: Record<string, tf.Scalar>;
}

/** Fixed val samples with one arm's outputs, for the UI's overlays and sample grids. */
export interface TaskSamples {
  kind: 'segment' | 'translate';
  count: number;
  size: number;
  channels: number;
  /** count x size x size x channels image bytes. */
  input: Uint8Array;
  /** segment: count x size x size class indices (255 = void); translate: target image bytes. */
  target: Uint8Array;
  /** The arm's prediction, shaped like `target`. */
  output: Uint8Array;
}

/**
 * Which test samples an evaluation uses: 'live' (during the run) the fixed subset of
 * config.evalSubset, the same for every arm and seed; 'final' (the run's last) the whole split.
 */
export type EvalScope = 'live' | 'final';

export interface TaskRunner<TBatch = tf.Tensor[]> {
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  /** How many test samples an evaluation of each scope uses. */
  readonly evalSizes: Record<EvalScope, number>;
  /** Builds an arm: from the seed's init stream when `from` is null, else an exact copy of `from`'s weights. */
  createArm(arm: ArmConfig, seed: number, from: ArmModels | null): ArmModels;
  /** The training batch of step `t` (0-based) for `seed`; the trainer disposes it with disposeBatch. */
  trainBatch(seed: number, t: number): TBatch;
  disposeBatch(batch: TBatch): void;
  step(arm: ArmModels, config: ArmConfig, batch: TBatch, input: StepInput): StepOutput;
  /** Evaluates on the test/val split (its live subset or all of it); changes no weight. */
  evaluate(arm: ArmModels, scope: EvalScope): Promise<Record<string, number | number[]>>;
  /** The first `count` val samples with the arm's outputs (tasks with pictures to show). */
  samples?(arm: ArmModels, count: number): Promise<TaskSamples>;
  dispose(): void;
}

/**
 * One optimizer step of a single model on `lossFn`'s loss scaled by the RG weight. Returns the
 * true loss and the weighted gradient's norm; frees everything else.
 */
export function stepSingleModel(model: Model, optimizer: Optimizer, lossFn: () => tf.Scalar, input: StepInput): StepOutput {
  const kept: { loss?: tf.Scalar } = {};
  const { value, grads } = tf.variableGrads(() => {
    const l = lossFn();
    kept.loss = tf.keep(l);
    return tf.mul(l, input.weight) as tf.Scalar;
  }, model.params);
  const ordered = model.params.map((p) => grads[p.name]);
  const gradNorm = globalNorm(ordered);
  optimizer.applyGradients(ordered, input.lr);
  tf.dispose([value, ...ordered]);
  return { loss: kept.loss as tf.Scalar, gradNorm };
}

/** The L2 norm of a list of tensors taken together. */
export function globalNorm(ts: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(ts.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** Frees an arm's models and optimizers. */
export function disposeArm(arm: ArmModels): void {
  for (const m of arm.models) for (const v of [...m.params, ...m.buffers]) v.dispose();
  for (const o of arm.optimizers) o.dispose();
}
