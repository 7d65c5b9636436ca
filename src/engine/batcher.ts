import * as tf from '@tensorflow/tfjs';
import { type ClassificationDataset, gatherBytes, type ImageSplit } from './dataset';
import { Rng } from './rng';
import { EpochSampler } from './sampler';

/**
 * Draws a classification dataset's batches. The images stay uint8 in host memory (the worker's
 * or the runner's), as the dataset holds them; each batch is gathered there, uploaded as float32
 * and resized, augmented and normalised on the backend. So the backend holds no dataset (real
 * CIFAR-10 would take 737 MB as float32 tensors) and the host holds it at its own size. The data
 * order and the augmentation come from the seed's own streams, so one batch is prepared per
 * seed and step and fed to every arm. Augmentation is torchvision's RandomCrop(size,
 * padding=4) with zero fill plus RandomHorizontalFlip, done as one gather of whole pixels (see
 * cropAndFlip).
 */

export interface Batch {
  x: tf.Tensor4D;
  /** One-hot labels, batch x classes. */
  y: tf.Tensor2D;
}

export interface TestBatch extends Batch {
  /** The batch's class indices, in order. */
  labels: Int32Array;
}

export const CROP_PADDING = 4;

export class ClassificationBatcher {
  readonly numClasses: number;
  readonly size: number;
  readonly channels: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly numTrain: number;
  readonly numTest: number;
  readonly testLabels: Int32Array;
  private readonly mean: tf.Tensor1D;
  private readonly std: tf.Tensor1D;
  /** 1/std and -mean/std laid out as whole batches, [batch, size*size*channels]: see normalizeBatch. */
  private readonly batchScale: tf.Tensor2D;
  private readonly batchShift: tf.Tensor2D;
  private readonly sampler: EpochSampler;

  /** @param size the model's input size; images of another size are resized bilinearly, per batch. */
  constructor(
    private readonly data: ClassificationDataset,
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
    this.testLabels = data.test.labels;
  }

  /** Images `idx` of a split as 0..255 floats at the model's size (call inside a tidy). */
  private images(split: ImageSplit, idx: ArrayLike<number>): tf.Tensor4D {
    const { height: h, width: w, channels: c } = this.data;
    const raw = tf.tensor4d(gatherBytes(split.images, idx, h * w * c), [idx.length, h, w, c]);
    return h === this.size && w === this.size ? raw : tf.image.resizeBilinear(raw, [this.size, this.size]);
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
      let x = this.images(this.data.train, idx);
      if (this.augment) x = this.cropAndFlip(x, Rng.stream(seed, 'augment', t));
      const y = oneHotRows(Int32Array.from(idx, (i) => this.data.train.labels[i]), this.numClasses);
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
    const draws = cropDraws(rng, n);
    for (let i = 0; i < n; i++) {
      const { oy, ox, flip } = draws[i];
      for (let y = 0; y < s; y++) {
        const base = (i * side + oy + y) * side + ox;
        const at = (i * s + y) * s;
        for (let k = 0; k < s; k++) rows[at + k] = base + (flip ? s - 1 - k : k);
      }
    }
    const padded = tf.reshape(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), [n * side * side, c]);
    return tf.reshape(tf.gather(padded, tf.tensor1d(rows, 'int32')), [n, s, s, c]);
  }

  /**
   * Test batches of the samples `indices` (default: the whole split) in order, normalised,
   * without augmentation. The caller disposes each.
   */
  *testBatches(batchSize: number, indices?: Int32Array): Generator<TestBatch> {
    const idx = indices ?? Int32Array.from({ length: this.numTest }, (_, i) => i);
    for (let start = 0; start < idx.length; start += batchSize) {
      const part = idx.subarray(start, Math.min(start + batchSize, idx.length));
      const labels = Int32Array.from(part, (i) => this.data.test.labels[i]);
      yield tf.tidy(() => ({ x: this.normalize(this.images(this.data.test, part)), y: oneHotRows(labels, this.numClasses), labels }));
    }
  }

  dispose(): void {
    tf.dispose([this.mean, this.std, this.batchScale, this.batchShift]);
  }
}

/** One image's crop: its row and column offsets into the padded image, and whether it is mirrored. */
export interface CropDraw {
  oy: number;
  ox: number;
  flip: boolean;
}

/**
 * The crops of a batch of `n` from its step's augment stream: per image a row offset, a column
 * offset (each uniform in 0..2 * CROP_PADDING) and a flip (probability 1/2), in that order.
 */
export function cropDraws(rng: Rng, n: number): CropDraw[] {
  return Array.from({ length: n }, () => {
    const oy = rng.int(2 * CROP_PADDING + 1);
    const ox = rng.int(2 * CROP_PADDING + 1);
    return { oy, ox, flip: rng.next() < 0.5 };
  });
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
