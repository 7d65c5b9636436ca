import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

/**
 * A minimal functional layer kit with PyTorch's defaults: conv and dense weights and biases
 * uniform in +/-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)), batch norm weight 1,
 * bias 0, momentum 0.1, eps 1e-5, running variance updated with the unbiased batch variance.
 * Parameters are tf.Variables in creation order; cloning copies values, never redraws.
 */

export interface Model {
  readonly name: string;
  /** Trainable parameters, in a fixed order. */
  readonly params: tf.Variable[];
  /** Non-trainable state (batch-norm running statistics). */
  readonly buffers: tf.Variable[];
  /**
   * Logits (or a task's outputs) for NHWC input. With training = true, batch norm uses batch
   * statistics and updates its running statistics.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor;
}

export interface ModelSpec {
  inputSize: number;
  channels: number;
  numClasses: number;
}

/** Creates variables in order, drawing initial values from `rng` (or zeros for a clone). */
export class ParamBuilder {
  readonly params: tf.Variable[] = [];
  readonly buffers: tf.Variable[] = [];

  /** @param rng the init stream; null builds a zero-filled clone whose values are copied in. */
  constructor(private readonly rng: Rng | null) {}

  private uniform(shape: number[], bound: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (this.rng) for (let i = 0; i < size; i++) values[i] = (this.rng.next() * 2 - 1) * bound;
    const t = tf.tensor(values, shape);
    const v = tf.variable(t, true);
    t.dispose();
    this.params.push(v);
    return v;
  }

  private constant(shape: number[], value: number, trainable: boolean): tf.Variable {
    const t = tf.fill(shape, value);
    const v = tf.variable(t, trainable);
    t.dispose();
    (trainable ? this.params : this.buffers).push(v);
    return v;
  }

  /** A 2D convolution (filter HWIO); `groups` = in channels for a depthwise conv. */
  conv(k: number, cin: number, cout: number, opts: { stride?: number; bias?: boolean; depthwise?: boolean } = {}): Conv {
    const stride = opts.stride ?? 1;
    const fanIn = opts.depthwise ? k * k : k * k * cin;
    const bound = 1 / Math.sqrt(fanIn);
    const w = this.uniform(opts.depthwise ? [k, k, cin, 1] : [k, k, cin, cout], bound);
    const b = opts.bias === false ? null : this.uniform([cout], bound);
    return new Conv(w, b, stride, k, opts.depthwise === true);
  }

  dense(cin: number, cout: number): Dense {
    const bound = 1 / Math.sqrt(cin);
    return new Dense(this.uniform([cin, cout], bound), this.uniform([cout], bound));
  }

  batchNorm(c: number): BatchNorm {
    const gamma = this.constant([c], 1, true);
    const beta = this.constant([c], 0, true);
    const mean = this.constant([c], 0, false);
    const variance = this.constant([c], 1, false);
    return new BatchNorm(gamma, beta, mean, variance);
  }
}

export class Conv {
  constructor(
    readonly w: tf.Variable,
    readonly b: tf.Variable | null,
    readonly stride: number,
    readonly k: number,
    readonly depthwise: boolean,
  ) {}

  /** PyTorch-style symmetric padding of k // 2, so odd kernels keep 'same' geometry at stride 1. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const p = Math.floor(this.k / 2);
    const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [[0, 0], [p, p], [p, p], [0, 0]];
    const y = this.depthwise
      ? tf.depthwiseConv2d(x, this.w as tf.Tensor4D, this.stride, pad)
      : tf.conv2d(x, this.w as tf.Tensor4D, this.stride, pad);
    return this.b ? tf.add(y, this.b) : y;
  }
}

export class Dense {
  constructor(
    readonly w: tf.Variable,
    readonly b: tf.Variable,
  ) {}

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.w as tf.Tensor2D), this.b);
  }
}

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

export class BatchNorm {
  constructor(
    readonly gamma: tf.Variable,
    readonly beta: tf.Variable,
    readonly runningMean: tf.Variable,
    readonly runningVar: tf.Variable,
  ) {}

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training) {
      return tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, BN_EPS);
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const count = x.shape[0] * x.shape[1] * x.shape[2];
    // Running statistics are state: the update lies off the path to the loss, so no gradient flows through it.
    tf.tidy(() => {
      const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    });
    return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, BN_EPS);
  }
}

/** Global average pool over height and width: NHWC -> NC. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/** Copies every parameter and buffer value of `from` into `to` (same architecture). */
export function copyWeights(from: Model, to: Model): void {
  const a = [...from.params, ...from.buffers];
  const b = [...to.params, ...to.buffers];
  if (a.length !== b.length) throw new Error(`copyWeights: ${a.length} vs ${b.length} variables`);
  a.forEach((v, i) => b[i].assign(v));
}

export function disposeModel(m: Model): void {
  for (const v of [...m.params, ...m.buffers]) v.dispose();
}

export function countParams(m: Model): number {
  return m.params.reduce((s, v) => s + v.size, 0);
}
