import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../../platform/node';
import { setSimdKernelsEnabled, simdKernels } from './simd';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** The filter gradient on the current backend, by the kernel the engine's conv gradient calls. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number, pad: Pad): Float32Array {
  return tf.tidy(() => (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: [stride, stride], pad, filterShape, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array);
}

const CASES: { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 8], s: 1, pad: 'same' }, // ci padded to 4, odd sizes
  { x: [3, 8, 8, 5], f: [3, 2, 5, 16], s: 2, pad: 'valid' }, // non-square filter, ci 5 -> 8
  { x: [2, 9, 9, 4], f: [5, 5, 4, 8], s: 3, pad: 'same' },
  { x: [4, 16, 16, 16], f: [3, 3, 16, 32], s: 2, pad: 'same' }, // the cnn's second layer, small batch
  { x: [1, 5, 5, 1], f: [1, 1, 1, 8], s: 1, pad: 'valid' },
  { x: [2, 6, 6, 8], f: [3, 3, 8, 24], s: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] }, // explicit, uneven pads
  { x: [2, 7, 7, 4], f: [3, 3, 4, 8], s: 2, pad: 'valid' }, // the last row and column never read
];

describe('the SIMD conv filter gradient on wasm', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it('instantiates on the wasm backend\'s heap in Node', () => {
    expect(simdKernels(tf.backend())).not.toBeNull();
  });

  it.each(CASES)('matches the cpu backend and the XNNPACK path: x $x, filter $f, stride $s, pad $pad', async ({ x: xs, f, s, pad }) => {
    const xv = tf.randomNormal(xs, 0, 1, 'float32', 3).dataSync();
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(f) as tf.Tensor4D, s, pad).shape) as [number, number, number, number];
    const dyv = tf.randomNormal(outShape, 0, 1, 'float32', 4).dataSync();
    const x = tf.tensor4d(xv, xs);
    const dy = tf.tensor4d(dyv, outShape);
    setSimdKernelsEnabled(true);
    const simd = filterGrad(x, dy, f, s, pad);
    setSimdKernelsEnabled(false);
    const xnnpack = filterGrad(x, dy, f, s, pad);
    setSimdKernelsEnabled(true);
    tf.dispose([x, dy]);

    await tf.setBackend('cpu');
    const [xc, dyc] = [tf.tensor4d(xv, xs), tf.tensor4d(dyv, outShape)];
    const reference = filterGrad(xc, dyc, f, s, pad);
    tf.dispose([xc, dyc]);
    await tf.setBackend('wasm');

    const scale = Math.max(...reference.map(Math.abs));
    const maxDiff = (a: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - reference[i])));
    expect(simd.length).toBe(reference.length);
    expect(maxDiff(simd)).toBeLessThan(1e-5 * scale);
    expect(maxDiff(xnnpack)).toBeLessThan(1e-5 * scale);
  });

  it('leaves no tensor or heap buffer behind', () => {
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 8, 8, 16]) as tf.Tensor4D;
    filterGrad(x, dy, [3, 3, 3, 16], 1, 'same');
    const before = tf.memory();
    const buffers = tf.engine().backend.numDataIds();
    filterGrad(x, dy, [3, 3, 3, 16], 1, 'same');
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, dy]);
  });
});
