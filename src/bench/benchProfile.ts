import * as tf from '@tensorflow/tfjs';
import { createModel } from '../engine/models';
import { Rng } from '../engine/rng';
import { softmaxCrossEntropy } from '../engine/tasks/classify';
import { median } from '../engine/median';

/**
 * Kernel-by-kernel profile of one training step (forward, backward, SGD-with-momentum update) on
 * the current backend: each kernel's process CPU time (TF.js's profiler, with the backend's timer
 * replaced by one that reads process.cpuUsage around the kernel's synchronous call), and for
 * convolutions and matrix products their FLOPs and the fraction of the matmul peak they reach.
 * The step's FLOPs (and so the bench's flopEfficiency) come from here too.
 */

export interface KernelProfile {
  kernel: string;
  calls: number;
  /** CPU milliseconds per step, summed over the kernel's calls (median over the profiled steps). */
  ms: number;
  /** FLOPs per step (2 per multiply-add); 0 for kernels that are not convolutions or products. */
  flops: number;
  /** flops / ms in GFLOP/s over the peak (null where flops is 0); both are CPU time. */
  ofPeak: number | null;
}

export interface StepProfile {
  model: string;
  batch: number;
  size: number;
  /** Sum of kernel CPU times per step, and the step's wall-clock time. */
  kernelMs: number;
  stepMs: number;
  /** The step's process CPU time: stepCpuMs - kernelMs is the engine and JS around the kernels. */
  stepCpuMs: number;
  gflopPerStep: number;
  /** Kernels by time per step, largest first. */
  kernels: KernelProfile[];
}

/** A bare TF.js training step: the model, tf.train.momentum on one fixed batch already on the device. */
export function bareLoop(model: string, batch: number, size: number, lr: number, momentum: number): { step: () => void; dispose: () => void } {
  const m = createModel(model, { inputSize: size, channels: 3, numClasses: 10 }, new Rng(1));
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const opt = tf.train.momentum(lr, momentum);
  return {
    step: () => tf.tidy(() => void opt.minimize(() => softmaxCrossEntropy(m.apply(x, true), y), false, m.params)),
    dispose: () => {
      opt.dispose();
      tf.dispose([x, y, ...m.params, ...m.buffers]);
    },
  };
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * FLOPs of one kernel call from its shapes: convolutions (forward and both gradients) and matrix
 * products, 2 per multiply-add. Element-wise work counts 0, so sums of these are a floor.
 */
export function kernelFlops(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  const [a, b] = inputShapes;
  const out = outputShapes[0];
  if (name === 'Conv2D' || name === 'FusedConv2D') return 2 * size(out) * b[0] * b[1] * b[2]; // x, filter [fh, fw, ci, co]
  if (name === 'Conv2DBackpropInput') return 2 * size(a) * b[0] * b[1] * b[2]; // dy [n, oh, ow, co], filter
  if (name === 'Conv2DBackpropFilter') return 2 * size(b) * out[0] * out[1] * out[2]; // x, dy; out the filter
  if (name === 'DepthwiseConv2dNative' || name === 'FusedDepthwiseConv2D') return 2 * size(out) * b[0] * b[1];
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const batches = size(out.slice(0, -2));
    return 2 * size(out) * Math.sqrt((size(a) * size(b)) / (size(out) * batches));
  }
  return 0;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Runs `body` with the current backend's kernel timer reading process CPU time instead of the
 * wall clock: the backends profiled here run their kernels synchronously on this thread, so a
 * kernel's CPU time is its work, whatever else the (shared) machine runs meanwhile.
 */
async function withCpuKernelTimer<T>(body: () => Promise<T>): Promise<T> {
  const backend = tf.backend();
  const own = Object.prototype.hasOwnProperty.call(backend, 'time');
  const original = backend.time;
  backend.time = (f: () => void) => {
    const c0 = cpuMs();
    f();
    return Promise.resolve({ kernelMs: cpuMs() - c0 });
  };
  try {
    return await body();
  } finally {
    if (own) backend.time = original;
    else delete (backend as Partial<tf.KernelBackend>).time;
  }
}

/** Profiles `steps` bare training steps of `model` (after one untimed) against a matmul peak in GFLOP/s. */
export async function profileStep(model: string, batch: number, sz: number, peakGflops: number, steps = 3, lr = 0.1, momentum = 0.5): Promise<StepProfile> {
  const bare = bareLoop(model, batch, sz, lr, momentum);
  bare.step();
  const perKernel = new Map<string, { calls: number; ms: number[]; flops: number }>();
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  const kernelMs: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      const info = await withCpuKernelTimer(() => tf.profile(() => bare.step()));
      stepCpuMs.push(cpuMs() - c0);
      stepMs.push(performance.now() - t0);
      const thisStep = new Map<string, { calls: number; ms: number; flops: number }>();
      let total = 0;
      for (const k of info.kernels) {
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        total += ms;
        const e = thisStep.get(k.name) ?? { calls: 0, ms: 0, flops: 0 };
        e.calls++;
        e.ms += ms;
        e.flops += kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
        thisStep.set(k.name, e);
      }
      kernelMs.push(total);
      for (const [name, e] of thisStep) {
        const acc = perKernel.get(name) ?? { calls: e.calls, ms: [], flops: e.flops };
        acc.ms.push(e.ms);
        perKernel.set(name, acc);
      }
    }
  } finally {
    bare.dispose();
  }
  const kernels = [...perKernel.entries()]
    .map(([kernel, e]) => {
      const ms = median(e.ms);
      return { kernel, calls: e.calls, ms, flops: e.flops, ofPeak: e.flops > 0 && ms > 0 ? e.flops / (ms * 1e6) / peakGflops : null };
    })
    .sort((p, q) => q.ms - p.ms);
  return { model, batch, size: sz, kernelMs: median(kernelMs), stepMs: median(stepMs), stepCpuMs: median(stepCpuMs), gflopPerStep: kernels.reduce((t, k) => t + k.flops, 0) / 1e9, kernels };
}


/**
 * The backend's matmul peak in GFLOP/s: median of 5 products of two n x n matrices (after one
 * untimed), timed in process CPU time: the backends it is used on run on one thread in Node, so
 * CPU time is the work done and other processes on a shared machine do not count.
 */
export async function matmulPeakGflops(n: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = cpuMs();
    const c = tf.matMul(a, b);
    await c.data();
    times.push(cpuMs() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (median(times.slice(1)) * 1e6);
}
