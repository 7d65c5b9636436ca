import * as tf from '@tensorflow/tfjs';
import { type ArmConfig, DEFAULT_EVAL_SUBSET, type ExperimentConfig } from '../config';
import { gatherBytes, type PairDataset, type PairSplit } from '../dataset';
import { imageMetricsPerImage, toUnitRange } from '../imageMetrics';
import { copyWeights } from '../models';
import { createPix2pix, PatchDiscriminator, type Pix2pix, type Pix2pixSpec, UnetGenerator, unetDropoutShapes, DROPOUT_RATE } from '../models/pix2pix';
import { Optimizer } from '../optim';
import { hashString, Rng } from '../rng';
import { EpochSampler, evalSubset } from '../sampler';
import { type ArmModels, globalNorm, type StepInput, type StepOutput, type TaskRunner, type TaskSamples } from './types';

/**
 * Image-to-image translation (pix2pix): LSGAN plus LAMBDA_L1 x L1, one discriminator step then
 * one generator step per batch, as in the reference code. Images are scaled to [-1, 1]. The RG
 * weight multiplies the losses `rg.applyTo` names (the generator's by default); the step's
 * `loss` is the generator's unweighted loss, `gradNorm` the norm of its weighted gradient.
 */

export const LAMBDA_L1 = 100;
/** pix2pix's random jitter: images scaled up by this factor (286 / 256), then cropped back. */
export const JITTER_SCALE = 286 / 256;
export const EVAL_BATCH = 16;
/** Dropout draws from the step's augmentation stream under its own key: the same masks for every arm, apart from the jitter's draws. */
const DROPOUT_KEY = hashString('pix2pix-dropout');

export interface PairBatch {
  /** Inputs and targets in [-1, 1], NHWC. */
  a: tf.Tensor4D;
  b: tf.Tensor4D;
  /** The generator's dropout masks for this step, the same for every arm. */
  dropout: tf.Tensor4D[];
}

/** The step's unweighted losses, kept for the step record. */
interface StepLosses {
  loss?: tf.Scalar;
  gAdv?: tf.Scalar;
  gL1?: tf.Scalar;
  dReal?: tf.Scalar;
  dFake?: tf.Scalar;
}

/** Mean squared error against a constant target (LSGAN). */
function mseTo(pred: tf.Tensor, target: number): tf.Scalar {
  return tf.mean(tf.square(tf.sub(pred, target))) as tf.Scalar;
}

/** The generator and discriminator of an arm built by this task. */
export function pix2pixOf(arm: ArmModels): Pix2pix {
  const [generator, discriminator] = arm.models;
  if (!(generator instanceof UnetGenerator) || !(discriminator instanceof PatchDiscriminator)) {
    throw new Error('a translate arm holds a pix2pix generator and discriminator');
  }
  return { generator, discriminator };
}

/** The RG weights of the generator's and the discriminator's losses for `applyTo`. */
export function lossWeights(config: ArmConfig, weight: number): { g: number; d: number } {
  const to = config.rg.applyTo ?? 'generator';
  return { g: to === 'discriminator' ? 1 : weight, d: to === 'generator' ? 1 : weight };
}

/**
 * One pix2pix step: the discriminator on (a, G(a)) as fake and (a, b) as real, then the
 * generator against the updated discriminator. G(a) is computed twice, identically (same
 * weights, batch and dropout masks): once outside the generator's tape for the discriminator
 * step, without touching batch norm's running statistics, and once on it, updating them.
 */
export function stepPix2pix(nets: Pix2pix, optimizers: Optimizer[], config: ArmConfig, batch: PairBatch, input: StepInput): StepOutput {
  const { generator: G, discriminator: D } = nets;
  const [optG, optD] = optimizers;
  const w = lossWeights(config, input.weight);
  const kept: StepLosses = {};

  const fake = tf.tidy(() => G.forward(batch.a, 'trainNoUpdate', batch.dropout));
  const d = tf.variableGrads(() => {
    const dFake = mseTo(D.forward(tf.concat([batch.a, fake], 3), 'train'), 0);
    const dReal = mseTo(D.forward(tf.concat([batch.a, batch.b], 3), 'train'), 1);
    kept.dFake = tf.keep(dFake);
    kept.dReal = tf.keep(dReal);
    return tf.mul(tf.add(dReal, dFake), 0.5 * w.d);
  }, D.params);
  const dGrads = D.params.map((p) => d.grads[p.name]);
  optD.applyGradients(dGrads, input.lr);
  tf.dispose([fake, d.value, ...dGrads]);

  const g = tf.variableGrads(() => {
    const out = G.forward(batch.a, 'train', batch.dropout);
    const gAdv = mseTo(D.forward(tf.concat([batch.a, out], 3), 'train'), 1);
    const gL1 = tf.mean(tf.abs(tf.sub(out, batch.b))) as tf.Scalar;
    const loss = tf.add(gAdv, tf.mul(gL1, LAMBDA_L1)) as tf.Scalar;
    kept.gAdv = tf.keep(gAdv);
    kept.gL1 = tf.keep(gL1);
    kept.loss = tf.keep(loss);
    return tf.mul(loss, w.g);
  }, G.params);
  const gGrads = G.params.map((p) => g.grads[p.name]);
  const gradNorm = globalNorm(gGrads);
  optG.applyGradients(gGrads, input.lr);
  tf.dispose([g.value, ...gGrads]);
  return {
    loss: kept.loss as tf.Scalar,
    gradNorm,
    lossWeight: w.g,
    extras: { gAdv: kept.gAdv as tf.Scalar, gL1: kept.gL1 as tf.Scalar, dReal: kept.dReal as tf.Scalar, dFake: kept.dFake as tf.Scalar },
  };
}

/**
 * Resizes NHWC uint8 images with a triangle (bilinear) filter widened when shrinking, so that a
 * 256 px archive becomes a 32 px image without aliasing (as PIL's antialiased resize does).
 * Pure JS, so every backend sees the same bytes.
 */
export function resizeImages(src: Uint8Array, n: number, h: number, w: number, c: number, size: number): Uint8Array {
  if (h === size && w === size) return src;
  const weights = (inSize: number): { start: number; taps: Float32Array }[] => {
    const scale = inSize / size;
    const support = Math.max(scale, 1);
    return Array.from({ length: size }, (_, o) => {
      const centre = (o + 0.5) * scale;
      const start = Math.max(0, Math.floor(centre - support));
      const end = Math.min(inSize, Math.ceil(centre + support));
      const taps = Float32Array.from({ length: end - start }, (_, k) => Math.max(0, 1 - Math.abs((start + k + 0.5 - centre) / support)));
      const sum = taps.reduce((a, b) => a + b, 0);
      return { start, taps: taps.map((t) => t / sum) };
    });
  };
  const rows = weights(h);
  const cols = weights(w);
  const out = new Uint8Array(n * size * size * c);
  const tmp = new Float32Array(h * size * c);
  for (let img = 0; img < n; img++) {
    const base = img * h * w * c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < size; x++) {
        const { start, taps } = cols[x];
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let k = 0; k < taps.length; k++) s += taps[k] * src[base + (y * w + start + k) * c + ch];
          tmp[(y * size + x) * c + ch] = s;
        }
      }
    }
    const outBase = img * size * size * c;
    for (let y = 0; y < size; y++) {
      const { start, taps } = rows[y];
      for (let x = 0; x < size; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let k = 0; k < taps.length; k++) s += taps[k] * tmp[((start + k) * size + x) * c + ch];
          out[outBase + (y * size + x) * c + ch] = Math.min(255, Math.max(0, Math.round(s)));
        }
      }
    }
  }
  return out;
}

/**
 * One split's pairs at the model's size, kept as uint8 in host memory (resized once there);
 * each batch is gathered on the host and uploaded as 0..255 floats, so the backend holds no
 * dataset.
 */
export class PairImages {
  readonly n: number;
  private readonly hostA: Uint8Array;
  private readonly hostB: Uint8Array;

  constructor(
    split: PairSplit,
    private readonly dataset: PairDataset,
    readonly size: number,
  ) {
    const { height: h, width: w, channels: c } = dataset;
    this.n = split.n;
    this.hostA = resizeImages(split.a, split.n, h, w, c, size);
    this.hostB = resizeImages(split.b, split.n, h, w, c, size);
  }

  /** Images `idx` of a and b, as 0..255 floats. The caller disposes them. */
  gather(idx: ArrayLike<number>): [tf.Tensor4D, tf.Tensor4D] {
    const s = this.size;
    const c = this.dataset.channels;
    const shape: [number, number, number, number] = [idx.length, s, s, c];
    return [tf.tensor4d(gatherBytes(this.hostA, idx, s * s * c), shape), tf.tensor4d(gatherBytes(this.hostB, idx, s * s * c), shape)];
  }

  /** The uint8 bytes of images [start, start + count) of a or b, at the model's size. */
  bytes(which: 'a' | 'b', start: number, count: number): Uint8Array {
    const per = this.size * this.size * this.dataset.channels;
    return (which === 'a' ? this.hostA : this.hostB).slice(start * per, (start + count) * per);
  }
}

/** 0..255 to [-1, 1]. */
function toModelRange(x: tf.Tensor4D): tf.Tensor4D {
  return tf.sub(tf.div(x, 127.5), 1);
}

/**
 * pix2pix's random jitter and mirror, the same crop for a and b: each pair is scaled up by
 * JITTER_SCALE and cropped back at a random whole-pixel offset, and flipped with probability 1/2.
 */
export function jitterPairs(a: tf.Tensor4D, b: tf.Tensor4D, rng: Rng): [tf.Tensor4D, tf.Tensor4D] {
  const [n, s, , c] = a.shape;
  const big = Math.round(s * JITTER_SCALE);
  const span = big - 1;
  const boxes = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const oy = rng.int(big - s + 1);
    const ox = rng.int(big - s + 1);
    const flip = rng.next() < 0.5;
    const x1 = ox / span;
    const x2 = (ox + s - 1) / span;
    boxes.set([oy / span, flip ? x2 : x1, (oy + s - 1) / span, flip ? x1 : x2], i * 4);
  }
  return tf.tidy(() => {
    const both = tf.concat([a, b], 3);
    const boxInd = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    const out = tf.image.cropAndResize(both, tf.tensor2d(boxes, [n, 4]), boxInd, [s, s], 'bilinear');
    return tf.split(out, [c, c], 3) as [tf.Tensor4D, tf.Tensor4D];
  });
}

/** Inverted-dropout masks (0 or 1 / (1 - rate)) of the given shapes from `rng`. */
export function drawDropoutMasks(shapes: [number, number, number, number][], rng: Rng): tf.Tensor4D[] {
  const keep = 1 / (1 - DROPOUT_RATE);
  return shapes.map((shape) => {
    const values = new Float32Array(shape.reduce((p, d) => p * d, 1));
    for (let i = 0; i < values.length; i++) values[i] = rng.next() < DROPOUT_RATE ? 0 : keep;
    return tf.tensor4d(values, shape);
  });
}

export interface TranslateTaskRunner extends TaskRunner<PairBatch> {
  /** The generator's outputs (inference mode) for the first `count` test pairs, as bytes. */
  samples(arm: ArmModels, count: number): Promise<TaskSamples>;
}

/** The translate task: a pix2pix generator and discriminator per arm; l1, psnr and ssim on the test split. */
export function createTranslateTask(config: ExperimentConfig, dataset: PairDataset): TranslateTaskRunner {
  const size = config.inputSize;
  if (dataset.train.n === 0) throw new Error(`dataset ${dataset.name} has no training pairs`);
  if (dataset.test.n === 0) throw new Error(`dataset ${dataset.name} has no test pairs`);
  const spec: Pix2pixSpec = { inputSize: size, inChannels: dataset.channels, outChannels: dataset.channels };
  const train = new PairImages(dataset.train, dataset, size);
  const test = new PairImages(dataset.test, dataset, size);
  const sampler = new EpochSampler(train.n, config.batchSize);
  const { batchSize, stepsPerEpoch } = sampler;
  const maskShapes = unetDropoutShapes(spec, batchSize);
  const all = Int32Array.from({ length: test.n }, (_, i) => i);
  const live = evalSubset(test.n, config.evalSubset ?? DEFAULT_EVAL_SUBSET);

  /** The generator's outputs and the targets of test pairs [start, start + count), in [0, 1]. */
  const generateTest = (G: UnetGenerator, idx: Int32Array): [tf.Tensor4D, tf.Tensor4D] =>
    tf.tidy(() => {
      const [a, b] = test.gather(idx);
      return [toUnitRange(G.forward(toModelRange(a), 'eval', null)), tf.div(b, 255)];
    });

  return {
    stepsPerEpoch,
    batchSize,
    evalSizes: { live: live.length, final: test.n },
    createArm(arm, seed, from) {
      const nets = createPix2pix(spec, from ? null : Rng.stream(seed, 'init'));
      if (from) {
        const src = pix2pixOf(from);
        copyWeights(src.generator, nets.generator);
        copyWeights(src.discriminator, nets.discriminator);
      }
      return {
        models: [nets.generator, nets.discriminator],
        optimizers: [new Optimizer(arm.optimizer, nets.generator.params), new Optimizer(arm.optimizer, nets.discriminator.params)],
      };
    },
    trainBatch(seed, t) {
      const [a, b] = train.gather(sampler.batchIndices(seed, t));
      const batch = tf.tidy(() => {
        const [a2, b2] = config.augment ? jitterPairs(a, b, Rng.stream(seed, 'augment', t)) : [a, b];
        return { a: toModelRange(a2), b: toModelRange(b2) };
      });
      tf.dispose([a, b]);
      return { ...batch, dropout: drawDropoutMasks(maskShapes, Rng.stream(seed, 'augment', t, DROPOUT_KEY)) };
    },
    disposeBatch: (batch) => tf.dispose([batch.a, batch.b, ...batch.dropout]),
    step: (arm, cfg, batch, input) => stepPix2pix(pix2pixOf(arm), arm.optimizers, cfg, batch, input),
    async evaluate(arm, scope) {
      const { generator: G } = pix2pixOf(arm);
      const parts: tf.Tensor1D[] = [];
      const idx = scope === 'live' ? live : all;
      for (let start = 0; start < idx.length; start += EVAL_BATCH) {
        const [out, target] = generateTest(G, idx.subarray(start, start + EVAL_BATCH));
        const m = imageMetricsPerImage(out, target);
        parts.push(m.l1, m.psnr, m.ssim);
        tf.dispose([out, target]);
      }
      const values = await Promise.all(parts.map((p) => p.data()));
      tf.dispose(parts);
      const sums = [0, 0, 0];
      values.forEach((v, i) => {
        for (const x of v) sums[i % 3] += x;
      });
      return { l1: sums[0] / idx.length, psnr: sums[1] / idx.length, ssim: sums[2] / idx.length };
    },
    async samples(arm, count) {
      const k = Math.min(count, test.n);
      const [out, target] = generateTest(pix2pixOf(arm).generator, all.subarray(0, k));
      const outBytes = tf.tidy(() => tf.round(tf.mul(out, 255)));
      const data = await outBytes.data();
      tf.dispose([out, target, outBytes]);
      return { kind: 'translate', input: test.bytes('a', 0, k), output: Uint8Array.from(data), target: test.bytes('b', 0, k), count: k, size, channels: dataset.channels };
    },
    dispose() {},
  };
}
