import * as tf from '@tensorflow/tfjs';
import { type Batch, ClassificationBatcher } from '../batcher';
import { DEFAULT_EVAL_SUBSET, type ExperimentConfig } from '../config';
import type { ClassificationDataset } from '../dataset';
import { copyWeights, createModel, type Model } from '../models';
import { Optimizer } from '../optim';
import { Rng } from '../rng';
import { evalSubset } from '../sampler';
import { type EvalScope, stepSingleModel, type TaskRunner } from './types';

/**
 * Classification: mean softmax cross-entropy (PyTorch's CrossEntropyLoss) for training, and
 * loss, accuracy and per-class accuracy on the test split for evaluation.
 */

/** Mean cross-entropy of logits against one-hot targets. */
export function softmaxCrossEntropy(logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1))) as tf.Scalar);
}

export interface ClassifyEval {
  loss: number;
  accuracy: number;
  perClassAccuracy: number[];
}

export const EVAL_BATCH = 256;

/**
 * Evaluates on the test samples `indices` (default: the whole split) with batch norm in
 * inference mode; changes no weight.
 */
export async function evaluateClassifier(model: Model, data: ClassificationBatcher, indices?: Int32Array): Promise<ClassifyEval> {
  const lossParts: tf.Scalar[] = [];
  const predParts: tf.Tensor1D[] = [];
  const labels: Int32Array[] = [];
  for (const b of data.testBatches(EVAL_BATCH, indices)) {
    const [lossSum, preds] = tf.tidy(() => {
      const logits = model.apply(b.x, false);
      const oneHot = b.y;
      const l = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))) as tf.Scalar;
      return [l, tf.argMax(logits, -1) as tf.Tensor1D];
    });
    tf.dispose([b.x, b.y]);
    labels.push(b.labels);
    lossParts.push(lossSum);
    predParts.push(preds);
  }
  const lossValues = await Promise.all(lossParts.map((t) => t.data()));
  const predValues = await Promise.all(predParts.map((t) => t.data()));
  tf.dispose([...lossParts, ...predParts]);
  const n = indices?.length ?? data.numTest;
  const correct = new Array<number>(data.numClasses).fill(0);
  const total = new Array<number>(data.numClasses).fill(0);
  predValues.forEach((part, j) =>
    part.forEach((p, i) => {
      const label = labels[j][i];
      total[label]++;
      if (p === label) correct[label]++;
    }),
  );
  const lossSum = lossValues.reduce((s, v) => s + v[0], 0);
  return {
    loss: lossSum / n,
    accuracy: correct.reduce((a, b) => a + b, 0) / n,
    perClassAccuracy: correct.map((c, k) => (total[k] ? c / total[k] : 0)),
  };
}

/** The classification task: one model per arm, mean cross-entropy, accuracy on the test split. */
export function createClassifyTask(config: ExperimentConfig, dataset: ClassificationDataset): TaskRunner<Batch> {
  const data = new ClassificationBatcher(dataset, config.inputSize, config.batchSize, config.augment);
  const live = evalSubset(dataset.test.n, config.evalSubset ?? DEFAULT_EVAL_SUBSET, dataset.test.labels);
  const spec = { inputSize: config.inputSize, channels: dataset.channels, numClasses: dataset.classNames.length };
  return {
    stepsPerEpoch: data.stepsPerEpoch,
    batchSize: data.batchSize,
    evalSizes: { live: live.length, final: dataset.test.n },
    createArm(arm, seed, from) {
      const model = createModel(config.model, spec, from ? null : Rng.stream(seed, 'init'));
      if (from) copyWeights(from.models[0], model);
      return { models: [model], optimizers: [new Optimizer(arm.optimizer, model.params)] };
    },
    trainBatch: (seed, t) => data.trainBatch(seed, t),
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
    step: (arm, _cfg, b, input) => stepSingleModel(arm.models[0], arm.optimizers[0], () => softmaxCrossEntropy(arm.models[0].apply(b.x, true), b.y), input),
    async evaluate(arm, scope: EvalScope) {
      const ev = await evaluateClassifier(arm.models[0], data, scope === 'live' ? live : undefined);
      return { loss: ev.loss, accuracy: ev.accuracy, perClassAccuracy: ev.perClassAccuracy };
    },
    dispose: () => data.dispose(),
  };
}
