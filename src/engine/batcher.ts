import * as tf from '@tensorflow/tfjs';
import type { ClassificationDataset } from './dataset';
import { Rng } from './rng';
import { EpochSampler } from './sampler';

/**
 * Puts a classification dataset on the device once and draws batches there: the data order
 * and the augmentation come from the seed's own streams, so one batch is prepared per seed and
 * step and fed to every arm. Augmentation is torchvision's RandomCrop(size, padding=4) with
 * zero fill plus RandomHorizontalFlip, done as one gather of whole pixels (see cropAndFlip).
 */

export interface Batch {
  x: tf.Tensor4D;
  /** One-hot labels, batch x classes. */
  y: tf.Tensor2D;
}

export const CROP_PADDING = 4;

export class DeviceClassificationData {
  readonly numClasses: number;
  readonly size: number;
  readonly channels: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly numTrain: number;
  readonly numTest: number;
  private readonly trainX: tf.Tensor4D;
  /** One-hot float labels, n x classes: no integer tensors on the device (see oneHotRows). */
  private readonly trainY: tf.Tensor2D;
  private readonly testX: tf.Tensor4D;
  private readonly testY: tf.Tensor2D;
  readonly testLabels: Int32Array;
  private readonly mean: tf.Tensor1D;
  private readonly std: tf.Tensor1D;
  /** 1/std and -mean/std laid out as whole batches, [batch, size*size*channels]: see normalizeBatch. */
  private readonly batchScale: tf.Tensor2D;
  private readonly batchShift: tf.Tensor2D;
  private readonly sampler: EpochSampler;

  /** @param size the model's input size; images of another size are resized bilinearly once. */
  constructor(
    data: ClassificationDataset,
    size: number,
    batchSize: number,
    private readonly augment: boolean,
  ) {
    this.numClasses = data.classNames.length;
    this.size = size;
    this.channels = data.channels;
    this.numTrain = data.train.n;
    this.numTest = data.test.n;
    if (this.numTrain === 0) throw new Error(`dataset ${data.name} has no training images`);
    this.sampler = new EpochSampler(this.numTrain, batchSize);
    this.batchSize = this.sampler.batchSize;
    this.stepsPerEpoch = this.sampler.stepsPerEpoch;
    this.mean = tf.tensor1d(data.mean.map((m) => m * 255));
    this.std = tf.tensor1d(data.std.map((s) => s * 255));
    const pixels = size * size;
    const rows = (perChannel: number[]): tf.Tensor2D =>
      tf.tidy(() => tf.tile(tf.tensor2d(Array.from({ length: pixels }, () => perChannel).flat(), [1, pixels * data.channels]), [this.batchSize, 1]) as tf.Tensor2D);
    this.batchScale = rows(data.std.map((s) => 1 / (s * 255)));
    this.batchShift = rows(data.mean.map((m, c) => -m / data.std[c]));
    const upload = (images: Uint8Array, n: number): tf.Tensor4D =>
      tf.tidy(() => {
        const raw = tf.tensor4d(Float32Array.from(images), [n, data.height, data.width, data.channels]);
        return data.height === size && data.width === size ? raw : (tf.image.resizeBilinear(raw, [size, size]) as tf.Tensor4D);
      });
    this.trainX = upload(data.train.images, data.train.n);
    this.trainY = oneHotRows(data.train.labels, this.numClasses);
    // The test split never changes, so it is normalised once.
    this.testX = tf.tidy(() => this.normalize(upload(data.test.images, data.test.n)));
    this.testY = oneHotRows(data.test.labels, this.numClasses);
    this.testLabels = data.test.labels;
  }

  private normalize(x: tf.Tensor4D): tf.Tensor4D {
    return tf.div(tf.sub(x, this.mean), this.std);
  }

  /**
   * normalize() for a training batch, as one same-shape multiply-add: broadcasting a [channels]
   * vector over the batch costs wasm about 3x more than the whole-batch rows held here.
   */
  private normalizeBatch(x: tf.Tensor4D): tf.Tensor4D {
    return tf.add(tf.mul(tf.reshape(x, this.batchScale.shape), this.batchScale), this.batchShift).reshape(x.shape);
  }

  /** The training batch of step `t` (0-based) for `seed`. The caller disposes it. */
  trainBatch(seed: number, t: number): Batch {
    const idx = this.sampler.batchIndices(seed, t);
    return tf.tidy(() => {
      const indices = tf.tensor1d(idx, 'int32');
      let x = tf.gather(this.trainX, indices) as tf.Tensor4D;
      if (this.augment) x = this.cropAndFlip(x, Rng.stream(seed, 'augment', t));
      const y = tf.gather(this.trainY, indices) as tf.Tensor2D;
      return { x: this.normalizeBatch(x), y };
    });
  }

  /**
   * Exact whole-pixel crops of the zero-padded batch as one gather of pixel rows. Not
   * tf.image.cropAndResize: TF.js 4.22's wasm kernel ignores a box's x1 when y1 is 0 and the box
   * is not resized, so every unflipped crop at the top offset came out at the left one.
   */
  private cropAndFlip(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
    const [n, , , c] = x.shape;
    const s = this.size;
    const p = CROP_PADDING;
    const side = s + 2 * p;
    const rows = new Int32Array(n * s * s);
    for (let i = 0; i < n; i++) {
      const oy = rng.int(2 * p + 1);
      const ox = rng.int(2 * p + 1);
      const flip = rng.next() < 0.5;
      for (let y = 0; y < s; y++) {
        const base = (i * side + oy + y) * side + ox;
        const at = (i * s + y) * s;
        for (let k = 0; k < s; k++) rows[at + k] = base + (flip ? s - 1 - k : k);
      }
    }
    const padded = tf.reshape(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), [n * side * side, c]);
    return tf.reshape(tf.gather(padded, tf.tensor1d(rows, 'int32')), [n, s, s, c]);
  }

  /** Test batches in order, normalised, without augmentation. The caller disposes each. */
  *testBatches(batchSize: number): Generator<{ x: tf.Tensor4D; y: tf.Tensor2D; start: number }> {
    for (let start = 0; start < this.numTest; start += batchSize) {
      const size = Math.min(batchSize, this.numTest - start);
      yield {
        x: tf.slice(this.testX, [start, 0, 0, 0], [size, -1, -1, -1]),
        y: tf.slice(this.testY, [start, 0], [size, -1]),
        start,
      };
    }
  }

  dispose(): void {
    tf.dispose([this.trainX, this.trainY, this.testX, this.testY, this.mean, this.std, this.batchScale, this.batchShift]);
  }
}

/**
 * One-hot float rows built on the host. TF.js 4.22's WebGPU backend (on SwiftShader here)
 * returned all-zero one-hot batches from tf.oneHot over gathered int32 labels, which trained
 * on a zero loss; float rows gathered like the images avoid integer kernels altogether.
 */
export function oneHotRows(labels: Int32Array, numClasses: number): tf.Tensor2D {
  const rows = new Float32Array(labels.length * numClasses);
  labels.forEach((k, i) => (rows[i * numClasses + k] = 1));
  return tf.tensor2d(rows, [labels.length, numClasses]);
}
