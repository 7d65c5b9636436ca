import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EVAL_SUBSET, type ExperimentConfig } from '../config';
import { gatherBytes, IGNORE_INDEX, type SegmentationDataset, type SegmentationSplit } from '../dataset';
import { segmentationScores } from '../metrics';
import { copyWeights, type Model } from '../models';
import { AUX_LOSS_WEIGHT, createSegmenter, type Segmenter } from '../models/segmenters';
import { Optimizer } from '../optim';
import { Rng } from '../rng';
import { EpochSampler, evalSubset } from '../sampler';
import { stepSingleModel, type ArmModels, type TaskRunner } from './types';

/**
 * Semantic segmentation: per-pixel softmax cross-entropy averaged over the pixels whose label
 * is not 255 (PyTorch's CrossEntropyLoss(ignore_index=255)), plus 0.4 x the auxiliary heads'
 * loss for psp; evaluation on the val split with the FCN / VOC confusion-matrix scores.
 * The data stay uint8 on the host (SegmentationBatcher); each step's batch, mirrored at random from the seed's
 * augmentation stream, is built there once and fed to every arm.
 */

export interface SegBatch {
  /** Normalised images, N x S x S x C. */
  x: tf.Tensor4D;
  /** One-hot labels, N x S x S x K; all-zero where the label is 255. */
  y: tf.Tensor4D;
}

/**
 * One-hot of N x H x W class indices held as floats; out-of-range labels (255, void) give
 * all-zero rows. Float arithmetic only, relu(1 - |label - k|), because integer gathers and
 * tf.oneHot came back as zeros on TF.js 4.22's WebGPU backend (SwiftShader) here.
 */
export function oneHotMask(labels: tf.Tensor3D, numClasses: number): tf.Tensor4D {
  return tf.tidy(() => {
    const classes = tf.range(0, numClasses, 1, 'float32');
    return tf.relu(tf.sub(1, tf.abs(tf.sub(tf.expandDims(tf.cast(labels, 'float32'), -1), classes)))) as tf.Tensor4D;
  });
}

/** Mean cross-entropy over the pixels with a label (non-zero one-hot rows); 0 when there are none. */
export function maskedCrossEntropy(logits: tf.Tensor4D, oneHot: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const nll = tf.sum(tf.mul(oneHot, tf.neg(tf.logSoftmax(logits))));
    return tf.div(nll, tf.maximum(tf.sum(oneHot), 1)) as tf.Scalar;
  });
}

function isSegmenter(m: Model): m is Segmenter {
  return 'applyHeads' in m;
}

/** Largest pixel count per eval batch, so each batch's confusion counts stay exact in float32. */
const EVAL_PIXELS = 1 << 19;

/**
 * A segmentation dataset's batches. Images and masks stay uint8 in host memory, as the dataset
 * holds them; each batch is gathered there, uploaded as float32 and resized on the backend to
 * the model's input size (images bilinearly, masks by nearest neighbour), so the backend holds
 * no dataset.
 */
export class SegmentationBatcher {
  readonly numClasses: number;
  readonly size: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly numTrain: number;
  readonly numTest: number;
  private readonly mean: tf.Tensor1D;
  private readonly std: tf.Tensor1D;
  private readonly sampler: EpochSampler;

  constructor(
    private readonly data: SegmentationDataset,
    size: number,
    batchSize: number,
    private readonly augment: boolean,
  ) {
    this.numClasses = data.classNames.length;
    if (this.numClasses < 2 || this.numClasses > IGNORE_INDEX) throw new Error(`dataset ${data.name} has ${this.numClasses} classes; allowed 2 to ${IGNORE_INDEX}`);
    this.size = size;
    this.numTrain = data.train.n;
    this.numTest = data.test.n;
    if (this.numTrain === 0) throw new Error(`dataset ${data.name} has no training images`);
    if (this.numTest === 0) throw new Error(`dataset ${data.name} has no validation images`);
    this.sampler = new EpochSampler(this.numTrain, batchSize);
    this.batchSize = this.sampler.batchSize;
    this.stepsPerEpoch = this.sampler.stepsPerEpoch;
    this.mean = tf.tensor1d(data.mean.map((m) => m * 255));
    this.std = tf.tensor1d(data.std.map((s) => s * 255));
  }

  /** Samples `idx` of a split at the model's size: 0..255 float images and float32 class indices (see oneHotMask). Call inside a tidy. */
  private gather(split: SegmentationSplit, idx: ArrayLike<number>): [tf.Tensor4D, tf.Tensor3D] {
    const { height: h, width: w, channels: c } = this.data;
    const s = this.size;
    const n = idx.length;
    let x: tf.Tensor4D = tf.tensor4d(gatherBytes(split.images, idx, h * w * c), [n, h, w, c]);
    let y: tf.Tensor4D = tf.tensor4d(gatherBytes(split.masks, idx, h * w), [n, h, w, 1]);
    if (h !== s || w !== s) {
      x = tf.image.resizeBilinear(x, [s, s]);
      y = tf.image.resizeNearestNeighbor(y, [s, s], false, true);
    }
    return [x, tf.reshape(y, [n, s, s])];
  }

  private normalize(x: tf.Tensor4D): tf.Tensor4D {
    return tf.div(tf.sub(x, this.mean), this.std);
  }

  /** The training batch of step `t` (0-based) for `seed`, randomly mirrored when augmenting. The caller disposes it. */
  trainBatch(seed: number, t: number): SegBatch {
    const idx = this.sampler.batchIndices(seed, t);
    return tf.tidy(() => {
      let [x, y] = this.gather(this.data.train, idx);
      if (this.augment) {
        const rng = Rng.stream(seed, 'augment', t);
        const flips = Array.from(idx, () => (rng.next() < 0.5 ? 1 : 0));
        if (flips.some((f) => f === 1)) {
          const cond = tf.tensor4d(flips, [flips.length, 1, 1, 1], 'bool');
          x = tf.where(cond, tf.reverse(x, 2), x);
          y = tf.where(tf.reshape(cond, [flips.length, 1, 1]), tf.reverse(y, 2), y);
        }
      }
      return { x: this.normalize(x), y: oneHotMask(y, this.numClasses) };
    });
  }

  /**
   * Val batches of the samples `indices` (default: the whole split) in order, normalised; each
   * holds at most EVAL_PIXELS pixels. The caller disposes each.
   */
  *testBatches(indices?: Int32Array): Generator<{ x: tf.Tensor4D; labels: tf.Tensor3D; start: number }> {
    const idx = indices ?? Int32Array.from({ length: this.numTest }, (_, i) => i);
    const batch = Math.max(1, Math.floor(EVAL_PIXELS / (this.size * this.size)));
    for (let start = 0; start < idx.length; start += batch) {
      const part = idx.subarray(start, Math.min(start + batch, idx.length));
      yield tf.tidy(() => {
        const [x, labels] = this.gather(this.data.test, part);
        return { x: this.normalize(x), labels, start };
      });
    }
  }

  /** Val images (as bytes, un-normalised) and masks of the first `count` samples, at the model's size. */
  async testBytes(count: number): Promise<{ images: Uint8Array; masks: Uint8Array; count: number }> {
    const k = Math.min(count, this.numTest);
    const [x, y] = tf.tidy(() => {
      const [images, masks] = this.gather(this.data.test, Array.from({ length: k }, (_, i) => i));
      return [tf.clipByValue(tf.round(images), 0, 255), masks];
    });
    const [images, masks] = await Promise.all([x.data(), y.data()]);
    tf.dispose([x, y]);
    return { images: Uint8Array.from(images), masks: Uint8Array.from(masks), count: k };
  }

  /** Normalised val images at the given indices, for predictions shown beside their masks. */
  testImages(indices: readonly number[]): tf.Tensor4D {
    return tf.tidy(() => {
      const [x, masks] = this.gather(this.data.test, indices);
      masks.dispose();
      return this.normalize(x);
    });
  }

  dispose(): void {
    tf.dispose([this.mean, this.std]);
  }
}

export interface SegmentEval {
  loss: number;
  pixelAccuracy: number;
  meanAccuracy: number;
  mIoU: number;
  fwIoU: number;
  perClassIoU: number[];
  /** Row-major K x K counts (rows: true class, columns: predicted), for tests and exports. */
  confusion: Float64Array;
}

/**
 * Evaluates the main head on the val samples `indices` (default: the whole split) (batch norm in inference mode): each batch's
 * confusion matrix, loss sum and pixel count stay on the device and are read back in one go.
 */
export async function evaluateSegmenter(model: Model, data: SegmentationBatcher, indices?: Int32Array): Promise<SegmentEval> {
  const k = data.numClasses;
  const parts: tf.Tensor1D[] = [];
  for (const b of data.testBatches(indices)) {
    parts.push(
      tf.tidy(() => {
        const logits = model.apply(b.x, false) as tf.Tensor4D;
        const truth = tf.reshape(oneHotMask(b.labels, k), [-1, k]);
        const predicted = tf.reshape(oneHotMask(tf.cast(tf.argMax(logits, -1), 'float32') as tf.Tensor3D, k), [-1, k]);
        const confusion = tf.reshape(tf.matMul(truth, predicted, true, false), [k * k]);
        const nll = tf.sum(tf.mul(truth, tf.neg(tf.reshape(tf.logSoftmax(logits), [-1, k]))));
        return tf.concat([confusion, tf.stack([nll, tf.sum(truth)])]) as tf.Tensor1D;
      }),
    );
    tf.dispose([b.x, b.labels]);
  }
  const all = tf.stack(parts);
  tf.dispose(parts);
  const values = await all.data();
  all.dispose();
  const confusion = new Float64Array(k * k);
  let nll = 0;
  let pixels = 0;
  const width = k * k + 2;
  for (let p = 0; p < values.length; p += width) {
    for (let i = 0; i < k * k; i++) confusion[i] += values[p + i];
    nll += values[p + k * k];
    pixels += values[p + k * k + 1];
  }
  return { loss: pixels > 0 ? nll / pixels : 0, ...segmentationScores(confusion, k), confusion };
}

/** The segment task runner, plus predictions on chosen val images for overlays. */
export interface SegmentTaskRunner extends TaskRunner<SegBatch> {
  readonly numClasses: number;
  /** The model's input size: predictions are size x size. */
  readonly size: number;
  /** Predicted class per pixel (main head, inference mode) for val images `indices`, n x size x size bytes. */
  predict(arm: ArmModels, indices: readonly number[]): Promise<Uint8Array>;
}

/** The segmentation task: one segmenter per arm, masked cross-entropy (+ 0.4 x auxiliary), VOC scores on val. */
export function createSegmentTask(config: ExperimentConfig, dataset: SegmentationDataset): SegmentTaskRunner {
  const data = new SegmentationBatcher(dataset, config.inputSize, config.batchSize, config.augment);
  const live = evalSubset(dataset.test.n, config.evalSubset ?? DEFAULT_EVAL_SUBSET);
  const spec = { inputSize: config.inputSize, channels: dataset.channels, numClasses: data.numClasses };
  const segmenterOf = (arm: ArmModels): Segmenter => {
    const m = arm.models[0];
    if (!isSegmenter(m)) throw new Error(`model ${m.name} is not a segmentation model`);
    return m;
  };
  return {
    stepsPerEpoch: data.stepsPerEpoch,
    batchSize: data.batchSize,
    numClasses: data.numClasses,
    size: data.size,
    evalSizes: { live: live.length, final: dataset.test.n },
    createArm(arm, seed, from) {
      const model = createSegmenter(config.model, spec, from ? null : Rng.stream(seed, 'init'));
      if (from) copyWeights(from.models[0], model);
      return { models: [model], optimizers: [new Optimizer(arm.optimizer, model.params)] };
    },
    trainBatch: (seed, t) => data.trainBatch(seed, t),
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
    step(arm, _cfg, b, input) {
      const model = segmenterOf(arm);
      const parts: tf.Scalar[] = [];
      const out = stepSingleModel(
        model,
        arm.optimizers[0],
        () => {
          const { main, aux } = model.applyHeads(b.x, true);
          const mainLoss = maskedCrossEntropy(main, b.y);
          if (aux.length === 0) return mainLoss;
          const auxLoss = tf.addN(aux.map((a) => maskedCrossEntropy(a, b.y))) as tf.Scalar;
          parts.push(tf.keep(mainLoss), tf.keep(auxLoss));
          return tf.add(mainLoss, tf.mul(auxLoss, AUX_LOSS_WEIGHT)) as tf.Scalar;
        },
        input,
      );
      return parts.length === 2 ? { ...out, extras: { mainLoss: parts[0], auxLoss: parts[1] } } : out;
    },
    async evaluate(arm, scope) {
      const ev = await evaluateSegmenter(arm.models[0], data, scope === 'live' ? live : undefined);
      return { loss: ev.loss, pixelAccuracy: ev.pixelAccuracy, meanAccuracy: ev.meanAccuracy, mIoU: ev.mIoU, fwIoU: ev.fwIoU, perClassIoU: ev.perClassIoU };
    },
    async samples(arm, count) {
      const ref = await data.testBytes(count);
      const output = await this.predict(arm, Array.from({ length: ref.count }, (_, i) => i));
      return { kind: 'segment', count: ref.count, size: data.size, channels: dataset.channels, input: ref.images, target: ref.masks, output };
    },
    async predict(arm, indices) {
      const masks = tf.tidy(() => tf.argMax(arm.models[0].apply(data.testImages(indices), false), -1));
      const values = await masks.data();
      masks.dispose();
      return Uint8Array.from(values);
    },
    dispose: () => data.dispose(),
  };
}
