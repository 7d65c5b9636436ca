import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { BatchNorm, BN_EPS, type Model } from './layers';

/**
 * pix2pix (Isola et al. 2017, as in the pytorch-CycleGAN-and-pix2pix code the paper used): a
 * U-Net generator and a conditional PatchGAN discriminator, both with batch norm, at a quarter
 * of the reference's widths so that a 32 px step stays near 0.3 s on the wasm backend.
 *
 * - Generator: `depth` stride-2 4x4 convs down (LeakyReLU 0.2 before each but the first, batch
 *   norm after each but the first and the innermost), the same number of 4x4 transposed convs up
 *   (ReLU before each, batch norm after each but the last, tanh at the end), each level's up
 *   path concatenated with its down path. `depth` halves the input down to 1x1 for powers of
 *   two (5 at 32 px, 6 at 64, 7 at 128; at most 8); widths ngf x 1, 2, 4, 4, ... Dropout 0.5
 *   after the batch norm of the three up levels just outside the innermost one, as in the
 *   reference's 8-level net.
 * - Discriminator: on the input and an image concatenated along channels, `layers` stride-2 4x4
 *   convs (ndf, 2 ndf, 4 ndf), one stride-1 conv (twice the last width, within the cap) and a
 *   stride-1 conv to one channel: a map of patch scores (LSGAN, no sigmoid). `layers` is 3 from
 *   64 px up (70 px receptive field), 2 at 32 px (34 px), 1 below.
 * - All convs pad 1, so stride 2 halves the size exactly. Convs followed by batch norm have no
 *   bias. Init as the reference's init_weights('normal', 0.02): conv weights N(0, 0.02), biases
 *   0, batch norm weight N(1, 0.02) and bias 0.
 */

/** Base widths (the reference: 64 and 64). */
export const NGF = 16;
export const NDF = 16;
/**
 * Widths double per level up to this multiple of the base width (the reference: 8). On wasm,
 * Conv2DBackpropInput (the transposed conv's forward and every conv's input gradient) costs
 * about 0.5 us per filter weight whatever the image size, so wide deep levels dominate a step.
 */
export const MAX_WIDTH_MULT = 4;
export const INIT_STD = 0.02;
export const LEAKY_SLOPE = 0.2;
export const DROPOUT_RATE = 0.5;
const MAX_DEPTH = 8;
const K = 4;
const PAD1: [[0, 0], [1, 1], [1, 1], [0, 0]] = [[0, 0], [1, 1], [1, 1], [0, 0]];

export interface Pix2pixSpec {
  /** Square image side; a multiple of 8. */
  inputSize: number;
  inChannels: number;
  outChannels: number;
  /** Generator and discriminator base widths (default NGF, NDF). */
  ngf?: number;
  ndf?: number;
  /** Widths stop doubling at this multiple of the base width (default MAX_WIDTH_MULT). */
  maxWidthMult?: number;
}

/** How batch norm behaves in a forward pass: running statistics, or batch statistics with or without updating them. */
export type NormMode = 'eval' | 'train' | 'trainNoUpdate';

/** Creates the variables in order, N(mean, std) from the init stream, or zeros for a clone. */
class NormalParams {
  readonly params: tf.Variable[] = [];
  readonly buffers: tf.Variable[] = [];

  constructor(private readonly rng: Rng | null) {}

  normal(shape: number[], mean: number, std: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (this.rng) for (let i = 0; i < size; i++) values[i] = mean + std * this.rng.normal();
    return this.add(tf.tensor(values, shape), true);
  }

  constant(shape: number[], value: number, trainable: boolean): tf.Variable {
    return this.add(tf.fill(shape, value), trainable);
  }

  private add(t: tf.Tensor, trainable: boolean): tf.Variable {
    const v = tf.variable(t, trainable);
    t.dispose();
    (trainable ? this.params : this.buffers).push(v);
    return v;
  }

  /** A 4x4 conv filter [4, 4, cin, cout], and a bias unless batch norm follows. */
  conv(cin: number, cout: number, bias: boolean): { w: tf.Variable; b: tf.Variable | null } {
    return { w: this.normal([K, K, cin, cout], 0, INIT_STD), b: bias ? this.constant([cout], 0, true) : null };
  }

  /** A 4x4 transposed-conv filter in TF.js's layout [4, 4, cout, cin], and a bias unless batch norm follows. */
  convTranspose(cin: number, cout: number, bias: boolean): { w: tf.Variable; b: tf.Variable | null } {
    return { w: this.normal([K, K, cout, cin], 0, INIT_STD), b: bias ? this.constant([cout], 0, true) : null };
  }

  batchNorm(c: number): BatchNorm {
    const gamma = this.normal([c], 1, INIT_STD);
    const beta = this.constant([c], 0, true);
    return new BatchNorm(gamma, beta, this.constant([c], 0, false), this.constant([c], 1, false));
  }
}

function conv(x: tf.Tensor4D, p: { w: tf.Variable; b: tf.Variable | null }, stride: number): tf.Tensor4D {
  const y = tf.conv2d(x, p.w as tf.Tensor4D, stride, PAD1);
  return p.b ? tf.add(y, p.b) : y;
}

/** PyTorch's ConvTranspose2d(k=4, stride=2, padding=1): doubles height and width. */
function convTranspose(x: tf.Tensor4D, p: { w: tf.Variable; b: tf.Variable | null }): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const cout = (p.w as tf.Tensor4D).shape[2];
  const y = tf.conv2dTranspose(x, p.w as tf.Tensor4D, [n, 2 * h, 2 * w, cout], 2, PAD1);
  return p.b ? tf.add(y, p.b) : y;
}

function norm(bn: BatchNorm, x: tf.Tensor4D, mode: NormMode): tf.Tensor4D {
  if (mode !== 'trainNoUpdate') return bn.apply(x, mode === 'train');
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, bn.beta as tf.Tensor1D, bn.gamma as tf.Tensor1D, BN_EPS);
}

/** How many times the U-Net halves `size`: down to 1x1 for powers of two, at most 8. */
export function unetDepth(size: number): number {
  let d = 0;
  for (let s = size; s % 2 === 0 && s > 1 && d < MAX_DEPTH; s /= 2) d++;
  if (d < 3) throw new Error(`pix2pix needs an image size that is a multiple of 8, got ${size}`);
  return d;
}

/** Stride-2 layers of the PatchGAN for `size`: 3 from 64 px up, 2 at 32 px, 1 below. */
export function patchGanLayers(size: number): number {
  return size >= 64 ? 3 : size >= 32 ? 2 : 1;
}

/** Dropout follows the up levels just outside the innermost one, at most three, never the outermost. */
function hasDropout(level: number, depth: number): boolean {
  return level >= Math.max(1, depth - 4) && level <= depth - 2;
}

function unetWidth(spec: Pix2pixSpec, level: number): number {
  return (spec.ngf ?? NGF) * Math.min(2 ** level, spec.maxWidthMult ?? MAX_WIDTH_MULT);
}

/** Shapes of the generator's dropout masks for a batch of `n`, outermost level first. */
export function unetDropoutShapes(spec: Pix2pixSpec, n: number): [number, number, number, number][] {
  const d = unetDepth(spec.inputSize);
  const shapes: [number, number, number, number][] = [];
  for (let i = 1; i < d; i++) {
    const side = spec.inputSize / 2 ** i;
    if (hasDropout(i, d)) shapes.push([n, side, side, unetWidth(spec, i - 1)]);
  }
  return shapes;
}

interface UpLevel {
  conv: { w: tf.Variable; b: tf.Variable | null };
  bn: BatchNorm | null;
  dropout: boolean;
}

/** The U-Net generator; `forward` takes the dropout masks that the task draws from its seeded stream. */
export class UnetGenerator implements Model {
  readonly name = 'pix2pix-generator';
  readonly params: tf.Variable[];
  readonly buffers: tf.Variable[];
  readonly depth: number;
  private readonly downs: { conv: { w: tf.Variable; b: tf.Variable | null }; bn: BatchNorm | null }[] = [];
  /** Indexed by level: ups[i] maps level i's features (and skip) to level i - 1's resolution. */
  private readonly ups: UpLevel[] = [];

  constructor(
    readonly spec: Pix2pixSpec,
    rng: Rng | null,
  ) {
    const pb = new NormalParams(rng);
    const d = (this.depth = unetDepth(spec.inputSize));
    const width = (i: number): number => unetWidth(spec, i);
    for (let i = 0; i < d; i++) {
      const cin = i === 0 ? spec.inChannels : width(i - 1);
      this.downs.push({ conv: pb.conv(cin, width(i), false), bn: i === 0 || i === d - 1 ? null : pb.batchNorm(width(i)) });
    }
    for (let i = d - 1; i >= 0; i--) {
      const cin = i === d - 1 ? width(i) : 2 * width(i);
      const cout = i === 0 ? spec.outChannels : width(i - 1);
      this.ups[i] = {
        conv: pb.convTranspose(cin, cout, i === 0),
        bn: i === 0 ? null : pb.batchNorm(cout),
        dropout: hasDropout(i, d),
      };
    }
    this.params = pb.params;
    this.buffers = pb.buffers;
  }

  /** Shapes of the dropout masks `forward` takes for a batch of `n`, outermost level first. */
  dropoutShapes(n: number): [number, number, number, number][] {
    return unetDropoutShapes(this.spec, n);
  }

  /**
   * Images in [-1, 1] (tanh) for NHWC input in [-1, 1].
   * @param dropout masks of `dropoutShapes` (0 or 1 / (1 - rate)), or null for no dropout.
   */
  forward(x: tf.Tensor4D, mode: NormMode, dropout: tf.Tensor4D[] | null): tf.Tensor4D {
    const d = this.depth;
    const skips: tf.Tensor4D[] = [];
    let h = x;
    for (let i = 0; i < d; i++) {
      const level = this.downs[i];
      h = conv(i === 0 ? h : tf.leakyRelu(h, LEAKY_SLOPE), level.conv, 2);
      if (level.bn) h = norm(level.bn, h, mode);
      skips.push(h);
    }
    let maskAt = dropout ? dropout.length - 1 : -1;
    for (let i = d - 1; i >= 0; i--) {
      const level = this.ups[i];
      const input = i === d - 1 ? skips[i] : tf.concat([skips[i], h], 3);
      h = convTranspose(tf.relu(input), level.conv);
      if (level.bn) h = norm(level.bn, h, mode);
      if (level.dropout && dropout) h = tf.mul(h, dropout[maskAt--]);
    }
    return tf.tanh(h);
  }

  /** Model's interface: training mode updates batch norm's statistics but applies no dropout. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.forward(x, training ? 'train' : 'eval', null);
  }
}

/** The conditional PatchGAN: patch scores for (input, image) pairs concatenated along channels. */
export class PatchDiscriminator implements Model {
  readonly name = 'pix2pix-discriminator';
  readonly params: tf.Variable[];
  readonly buffers: tf.Variable[];
  private readonly layers: { conv: { w: tf.Variable; b: tf.Variable | null }; bn: BatchNorm | null; stride: number }[] = [];

  constructor(
    readonly spec: Pix2pixSpec,
    rng: Rng | null,
  ) {
    const pb = new NormalParams(rng);
    const ndf = spec.ndf ?? NDF;
    const n = patchGanLayers(spec.inputSize);
    const width = (i: number): number => ndf * Math.min(2 ** i, spec.maxWidthMult ?? MAX_WIDTH_MULT);
    this.layers.push({ conv: pb.conv(spec.inChannels + spec.outChannels, ndf, true), bn: null, stride: 2 });
    for (let i = 1; i < n; i++) this.layers.push({ conv: pb.conv(width(i - 1), width(i), false), bn: pb.batchNorm(width(i)), stride: 2 });
    this.layers.push({ conv: pb.conv(width(n - 1), width(n), false), bn: pb.batchNorm(width(n)), stride: 1 });
    this.layers.push({ conv: pb.conv(width(n), 1, true), bn: null, stride: 1 });
    this.params = pb.params;
    this.buffers = pb.buffers;
  }

  /** Patch scores [n, p, p, 1] for `xy`, the input and the image concatenated along channels. */
  forward(xy: tf.Tensor4D, mode: NormMode): tf.Tensor4D {
    let h = xy;
    this.layers.forEach((l, i) => {
      h = conv(h, l.conv, l.stride);
      if (l.bn) h = norm(l.bn, h, mode);
      if (i < this.layers.length - 1) h = tf.leakyRelu(h, LEAKY_SLOPE);
    });
    return h;
  }

  apply(xy: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.forward(xy, training ? 'train' : 'eval');
  }

  /** Side of the patch-score map for `size`-pixel images. */
  static outputSide(size: number): number {
    // Each stride-1 4x4 conv with padding 1 loses one row and column.
    return size / 2 ** patchGanLayers(size) - 2;
  }
}

export interface Pix2pix {
  generator: UnetGenerator;
  discriminator: PatchDiscriminator;
}

/** Builds the generator then the discriminator, drawing both from `rng` in that order (null: zero clones to copy into). */
export function createPix2pix(spec: Pix2pixSpec, rng: Rng | null): Pix2pix {
  const generator = new UnetGenerator(spec, rng);
  const discriminator = new PatchDiscriminator(spec, rng);
  return { generator, discriminator };
}
