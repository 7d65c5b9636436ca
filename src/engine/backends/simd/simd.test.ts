import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../platform/node';
import { setSimdKernelsEnabled, simdKernels } from './simd';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** The filter gradient on the current backend, by the kernel the engine's conv gradient calls. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number, pad: Pad): Float32Array {
  return tf.tidy(() => (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: [stride, stride], pad, filterShape, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array);
}

/** The input gradient likewise. */
function inputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], stride: number, pad: Pad): Float32Array {
  return tf.tidy(() => (tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, { strides: [stride, stride], pad, inputShape, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array);
}

/** Runs `grad` with the SIMD kernels, without them (XNNPACK), and on the cpu backend. */
async function threeWays(inputs: { values: Float32Array; shape: number[] }[], grad: (...t: tf.Tensor4D[]) => Float32Array) {
  const on = (simd: boolean) => {
    setSimdKernelsEnabled(simd);
    const ts = inputs.map((i) => tf.tensor4d(i.values, i.shape as [number, number, number, number]));
    const out = grad(...ts);
    tf.dispose(ts);
    return out;
  };
  const simd = on(true);
  const xnnpack = on(false);
  setSimdKernelsEnabled(true);
  await tf.setBackend('cpu');
  const reference = on(true);
  await tf.setBackend('wasm');
  const scale = Math.max(...reference.map(Math.abs));
  const maxDiff = (a: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - reference[i])));
  return { simd, xnnpack, reference, scale, maxDiff };
}

const random = (shape: number[], seed: number) => ({ values: tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array), shape });
const convOutShape = (xs: number[], f: number[], s: number, pad: Pad): number[] =>
  tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], f as [number, number, number, number], s, 1, pad).outShape;

const CASES: { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 8], s: 1, pad: 'same' }, // ci padded to 4, odd sizes
  { x: [3, 8, 8, 5], f: [3, 2, 5, 16], s: 2, pad: 'valid' }, // non-square filter, ci 5 -> 8
  { x: [2, 9, 9, 4], f: [5, 5, 4, 8], s: 3, pad: 'same' },
  { x: [4, 16, 16, 16], f: [3, 3, 16, 32], s: 2, pad: 'same' }, // the cnn's second layer, small batch
  { x: [1, 5, 5, 1], f: [1, 1, 1, 8], s: 1, pad: 'valid' },
  { x: [2, 6, 6, 8], f: [3, 3, 8, 24], s: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] }, // explicit, uneven pads
  { x: [2, 7, 7, 4], f: [3, 3, 4, 8], s: 2, pad: 'valid' }, // the last row and column never read
  { x: [2, 16, 16, 16], f: [5, 5, 16, 20], s: 1, pad: 'same' }, // ConvNetJS's second layer: co 20 -> 24
  { x: [2, 5, 6, 2], f: [2, 3, 2, 3], s: 1, pad: 'valid' }, // co 3 -> 8
];

describe('the SIMD conv filter gradient on wasm', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it('instantiates on the wasm backend\'s heap in Node', () => {
    expect(simdKernels(tf.backend())).not.toBeNull();
  });

  it.each(CASES)('matches the cpu backend and the XNNPACK path: x $x, filter $f, stride $s, pad $pad', async ({ x, f, s, pad }) => {
    const r = await threeWays([random(x, 3), random(convOutShape(x, f, s, pad), 4)], (xt, dy) => filterGrad(xt, dy, f, s, pad));
    expect(r.simd.length).toBe(r.reference.length);
    expect(r.maxDiff(r.simd)).toBeLessThan(1e-5 * r.scale);
    expect(r.maxDiff(r.xnnpack)).toBeLessThan(1e-5 * r.scale);
  });

  it('leaves no tensor or heap buffer behind', () => {
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 8, 8, 16]) as tf.Tensor4D;
    const x2 = tf.randomNormal([2, 9, 9, 8]) as tf.Tensor4D;
    const dy2 = tf.randomNormal([2, 5, 5, 12]) as tf.Tensor4D;
    const w2 = tf.randomNormal([3, 3, 8, 12]) as tf.Tensor4D;
    const both = () => {
      filterGrad(x, dy, [3, 3, 3, 16], 1, 'same');
      inputGrad(dy2, w2, x2.shape, 2, 'same');
    };
    both();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    both();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, dy, x2, dy2, w2]);
  });
});

/** Input gradients the SIMD kernel takes (stride above 1, ci a multiple of 8, co of 4), and one it leaves to XNNPACK. */
const INPUT_CASES: { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }[] = [
  { x: [3, 8, 8, 16], f: [3, 2, 16, 8], s: 2, pad: 'valid' },
  { x: [2, 9, 9, 8], f: [5, 5, 8, 12], s: 3, pad: 'same' }, // 9 / 3 phases, padded to tiles of 4 and cropped
  { x: [4, 32, 32, 16], f: [3, 3, 16, 32], s: 2, pad: 'same' }, // the cnn's second layer, small batch
  { x: [2, 6, 6, 8], f: [3, 3, 8, 24], s: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 7, 7, 8], f: [3, 3, 8, 8], s: 2, pad: 'valid' },
  { x: [2, 8, 8, 8], f: [2, 2, 8, 4], s: 3, pad: 'valid' }, // a phase that meets no tap stays zero
  { x: [2, 7, 9, 8], f: [3, 3, 8, 4], s: 1, pad: 'same' }, // stride 1: XNNPACK
];

describe('the SIMD conv input gradient on wasm', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it.each(INPUT_CASES)('matches the cpu backend and the XNNPACK path: x $x, filter $f, stride $s, pad $pad', async ({ x, f, s, pad }) => {
    const r = await threeWays([random(convOutShape(x, f, s, pad), 4), random(f, 5)], (dy, w) => inputGrad(dy, w, x, s, pad));
    expect(r.simd.length).toBe(x.reduce((a, b) => a * b, 1));
    expect(r.maxDiff(r.simd)).toBeLessThan(1e-5 * r.scale);
    expect(r.maxDiff(r.xnnpack)).toBeLessThan(1e-5 * r.scale);
  });
});
