import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../models';
import { Rng } from '../rng';
import { initBackend } from './setup';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './wasmKernels';

/*
 * Every comparison is wasm against the cpu backend on the same float32 inputs. The two sum the
 * same products in different orders (XNNPACK tiles and vectorises its reductions, the cpu backend
 * loops sequentially; our gradients are also rearranged as other convolutions), and float32
 * addition is not associative: each reordering moves a sum of k terms by up to ~k * 2^-24 of the
 * largest partial sum. So results are compared to within a fraction of the largest magnitude in
 * the reference, not element by element: 1e-5 for single kernels, 1e-4 through a whole network.
 */
const KERNEL_TOLERANCE = 1e-5;
const MODEL_TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

const rng = new Rng(7);

function randomValues(shape: number[]): Float32Array {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  return v;
}

/** Runs `fn` with `name` as the active backend and returns plain arrays; always goes back to cpu. */
async function onBackend<T>(name: string, fn: () => T): Promise<T> {
  await tf.setBackend(name);
  try {
    return fn();
  } finally {
    await tf.setBackend('cpu');
  }
}

/** Largest |a - b| over the largest |a|, treating an all-zero reference as scale 1. */
function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  expect(actual.length).toBe(reference.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]));
    err = Math.max(err, Math.abs(reference[i] - actual[i]));
  }
  return err / (scale || 1);
}

/** One kernel on one backend, from values (so no tensor crosses backends); returns its output values and shape. */
function runKernel(kernel: string, inputs: Record<string, { values: Float32Array | Int32Array; shape: number[] }>, attrs: object) {
  return tf.tidy(() => {
    const tensors: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, v.values instanceof Int32Array ? 'int32' : 'float32');
    const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { values: Array.from(out.dataSync()), shape: out.shape };
  });
}

async function compareKernel(kernel: string, inputs: Record<string, { values: Float32Array | Int32Array; shape: number[] }>, attrs: object): Promise<number> {
  const ref = await onBackend('cpu', () => runKernel(kernel, inputs, attrs));
  const got = await onBackend('wasm', () => runKernel(kernel, inputs, attrs));
  expect(got.shape).toEqual(ref.shape);
  return relativeError(ref.values, got.values);
}

function explicit(t: number, b: number, l: number, r: number): Pad {
  return [[0, 0], [t, b], [l, r], [0, 0]];
}

interface ConvCase {
  label: string;
  x: [number, number, number, number];
  k: number;
  stride: number | [number, number];
  pad: Pad;
}

/** Odd and even sizes, so that 'valid' and stride 2 leave rows the forward conv never read. */
function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const k of [1, 3, 5]) {
    for (const stride of [1, 2]) {
      const p = Math.floor(k / 2);
      const pads: [string, Pad][] = [['same', 'same'], ['valid', 'valid'], ['explicit k/2', explicit(p, p, p, p)]];
      for (const [name, pad] of pads) cases.push({ label: `k${k} s${stride} ${name}`, x: [2, 9, 8, 3], k, stride, pad });
    }
  }
  // pix2pix: 4x4 filters, stride 2 (and 1 in the discriminator's last layers), pad 1 on each side.
  for (const stride of [1, 2]) {
    cases.push({ label: `k4 s${stride} explicit 1 (pix2pix)`, x: [2, 8, 8, 3], k: 4, stride, pad: explicit(1, 1, 1, 1) });
    cases.push({ label: `k4 s${stride} explicit 1, odd sizes`, x: [2, 9, 7, 3], k: 4, stride, pad: explicit(1, 1, 1, 1) });
    cases.push({ label: `k4 s${stride} same`, x: [2, 7, 8, 3], k: 4, stride, pad: 'same' });
    cases.push({ label: `k4 s${stride} valid`, x: [2, 9, 8, 3], k: 4, stride, pad: 'valid' });
  }
  // One input channel, odd sizes, 3 images, stride 2 with the models' symmetric pad.
  cases.push({ label: 'k3 s2 explicit 1, one channel', x: [3, 9, 7, 1], k: 3, stride: 2, pad: explicit(1, 1, 1, 1) });
  // The fallback paths: unequal strides, and explicit pads wider than the filter.
  cases.push({ label: 'k3 s[1,2] same', x: [2, 7, 9, 2], k: 3, stride: [1, 2], pad: 'same' });
  cases.push({ label: 'k1 s2 explicit 1', x: [2, 6, 7, 2], k: 1, stride: 2, pad: explicit(1, 1, 1, 1) });
  cases.push({ label: 'k3 s2 asymmetric', x: [3, 8, 8, 2], k: 3, stride: 2, pad: explicit(2, 0, 0, 1) });
  cases.push({ label: 'k4 s[2,1] explicit 1', x: [2, 8, 7, 3], k: 4, stride: [2, 1], pad: explicit(1, 1, 1, 1) });
  return cases;
}

function outShape(c: ConvCase, outChannels: number, depthwise: boolean): number[] {
  return tf.tidy(() => {
    const x = tf.zeros(c.x) as tf.Tensor4D;
    const f = tf.zeros([c.k, c.k, c.x[3], depthwise ? outChannels / c.x[3] : outChannels]) as tf.Tensor4D;
    return (depthwise ? tf.depthwiseConv2d(x, f, c.stride, c.pad) : tf.conv2d(x, f, c.stride, c.pad)).shape;
  });
}

beforeAll(async () => {
  // Checks, after every kernel, that it left no backend buffer behind but its output.
  tf.env().set('IS_TEST', true);
  const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
  expect(await initBackend('wasm', { wasmPath: wasmDir })).toBe('wasm');
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('registerWasmTrainingKernels', () => {
  it('registers every kernel for wasm and is idempotent', () => {
    const before = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    registerWasmTrainingKernels();
    const after = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    expect(before.every((f) => typeof f === 'function')).toBe(true);
    expect(after).toEqual(before);
    expect(WASM_TRAINING_KERNELS).toContain('Conv2DBackpropFilter');
  });
});

describe('conv gradients on wasm match cpu', () => {
  for (const c of convCases()) {
    it(`Conv2DBackpropFilter / Conv2DBackpropInput, ${c.label}`, async () => {
      const co = 4;
      const dyShape = outShape(c, co, false);
      const x = { values: randomValues(c.x), shape: c.x };
      const dy = { values: randomValues(dyShape), shape: dyShape };
      const filterShape = [c.k, c.k, c.x[3], co];
      const filter = { values: randomValues(filterShape), shape: filterShape };
      const common = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
      expect(await compareKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape })).toBeLessThanOrEqual(KERNEL_TOLERANCE);
      expect(await compareKernel('Conv2DBackpropInput', { dy, filter }, { ...common, inputShape: c.x })).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    });

    for (const m of [1, 2]) {
      it(`DepthwiseConv2dNativeBackpropFilter / Input, multiplier ${m}, ${c.label}`, async () => {
        const dyShape = outShape(c, c.x[3] * m, true);
        const x = { values: randomValues(c.x), shape: c.x };
        const dy = { values: randomValues(dyShape), shape: dyShape };
        const filterShape = [c.k, c.k, c.x[3], m];
        const filter = { values: randomValues(filterShape), shape: filterShape };
        const common = { strides: c.stride, pad: c.pad, dilations: 1 };
        expect(await compareKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape })).toBeLessThanOrEqual(KERNEL_TOLERANCE);
        expect(await compareKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...common, inputShape: c.x })).toBeLessThanOrEqual(KERNEL_TOLERANCE);
      });
    }
  }
});

describe('Conv2DBackpropInput moves filter weights exactly', () => {
  // With a single non-zero dy, every dx value is one weight times that dy plus exact zeros, so
  // any misplaced, dropped or rounded weight in the filter rearrangement shows as a difference.
  const cases: [string, ConvCase][] = [
    ['k4 s2 explicit 1 (pix2pix)', { label: '', x: [1, 8, 8, 5], k: 4, stride: 2, pad: explicit(1, 1, 1, 1) }],
    ['k4 s1 explicit 1', { label: '', x: [1, 6, 6, 5], k: 4, stride: 1, pad: explicit(1, 1, 1, 1) }],
    ['k3 s1 same', { label: '', x: [1, 5, 5, 5], k: 3, stride: 1, pad: 'same' }],
    ['k3 s2 same', { label: '', x: [1, 7, 6, 5], k: 3, stride: 2, pad: 'same' }],
    ['k5 s[1,2] valid (fallback)', { label: '', x: [1, 9, 9, 5], k: 5, stride: [1, 2], pad: 'valid' }],
  ];
  for (const [label, c] of cases) {
    it(label, async () => {
      const co = 6;
      const dyShape = outShape(c, co, false);
      const filterShape = [c.k, c.k, c.x[3], co];
      const filter = { values: randomValues(filterShape), shape: filterShape };
      for (const at of [0, Math.floor(dyShape[1] / 2) * dyShape[2] * co + co + 3]) {
        const values = new Float32Array(dyShape.reduce((a, b) => a * b, 1));
        values[at] = 1.5;
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
        expect(await compareKernel('Conv2DBackpropInput', { dy: { values, shape: dyShape }, filter }, attrs)).toBe(0);
      }
    });
  }
});

describe('tf.conv2dTranspose on wasm matches cpu', () => {
  // pix2pix's decoder: ConvTranspose2d(k=4, stride=2, padding=1) doubling height and width. Its
  // forward pass is Conv2DBackpropInput; its gradients are Conv2D (x) and Conv2DBackpropFilter.
  const shapes: [number[], number][] = [
    [[2, 4, 4, 8], 6],
    [[1, 2, 2, 32], 16],
    [[3, 5, 3, 4], 4],
  ];
  for (const [xShape, cout] of shapes) {
    it(`x ${JSON.stringify(xShape)} -> ${cout} channels: output and gradients, nothing leaks`, async () => {
      const [n, h, w, cin] = xShape;
      const xValues = randomValues(xShape);
      const filterShape = [4, 4, cout, cin];
      const fValues = randomValues(filterShape);
      const dyValues = randomValues([n, 2 * h, 2 * w, cout]);
      const run = () => {
        const before = tf.memory().numTensors;
        const buffersBefore = tf.backend().numDataIds();
        const out = tf.tidy(() => {
          const x = tf.tensor4d(xValues, xShape as [number, number, number, number]);
          const f = tf.tensor4d(fValues, filterShape as [number, number, number, number]);
          const dy = tf.tensor4d(dyValues, [n, 2 * h, 2 * w, cout]);
          const pad = explicit(1, 1, 1, 1) as [[0, 0], [number, number], [number, number], [0, 0]];
          const y = tf.conv2dTranspose(x, f, [n, 2 * h, 2 * w, cout], 2, pad);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [n, 2 * h, 2 * w, cout], 2, pad))([x, f], dy);
          return [y, dx, df].map((t) => Array.from(t.dataSync()));
        });
        return { out, leakedTensors: tf.memory().numTensors - before, leakedBuffers: tf.backend().numDataIds() - buffersBefore };
      };
      const ref = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      expect(got.leakedTensors).toBe(0);
      expect(got.leakedBuffers).toBe(0);
      ref.out.forEach((r, i) => expect(relativeError(r, got.out[i]), ['y', 'dx', 'dfilter'][i]).toBeLessThanOrEqual(KERNEL_TOLERANCE));
    });
  }
});

describe('batch-norm helpers on wasm match cpu', () => {
  const tiles: [number[], number[]][] = [[[1, 1, 1, 5], [2, 3, 4, 1]], [[2, 3], [2, 2]], [[3, 1, 2], [1, 4, 1]], [[2, 2], [1, 1]]];
  for (const [shape, reps] of tiles) {
    it(`Tile ${JSON.stringify(shape)} x ${JSON.stringify(reps)} is exact`, async () => {
      expect(await compareKernel('Tile', { x: { values: randomValues(shape), shape } }, { reps })).toBe(0);
    });
  }

  const reductions: [number[], number[], boolean][] = [
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [0, 1, 2], true],
    [[4, 5, 6, 7], [1, 2], false],
    [[4, 5, 6, 7], [0], true],
    [[8, 10], [0], false],
    // Not a leading run: these take wasm's own kernel.
    [[4, 5, 6, 7], [3], false],
    [[4, 5, 6, 7], [0, 2], true],
    [[8, 10], [0, 1], false],
  ];
  for (const [shape, axis, keepDims] of reductions) {
    for (const kernel of ['Sum', 'Mean']) {
      it(`${kernel} ${JSON.stringify(shape)} over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}`, async () => {
        expect(await compareKernel(kernel, { x: { values: randomValues(shape), shape } }, { axis, keepDims })).toBeLessThanOrEqual(KERNEL_TOLERANCE);
      });
    }
  }

  it('Sum of int32 keeps working (native fallback)', async () => {
    const values = Int32Array.from({ length: 24 }, (_, i) => i - 7);
    expect(await compareKernel('Sum', { x: { values, shape: [2, 3, 4] } }, { axis: [0, 1], keepDims: false })).toBe(0);
  });

  it('Identity aliases without leaking or sharing fate', async () => {
    await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      const a = tf.tensor([1, 2, 3]);
      const b = tf.clone(a);
      a.dispose();
      expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
      b.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('Cast to the same dtype aliases; casts between dtypes still convert', async () => {
    await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      const a = tf.tensor([1.5, -2.25, 3]);
      const b = tf.cast(a, 'float32');
      a.dispose();
      expect(Array.from(b.dataSync())).toEqual([1.5, -2.25, 3]);
      const i = tf.cast(b, 'int32');
      expect(i.dtype).toBe('int32');
      expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
      const back = tf.cast(i, 'float32');
      expect(Array.from(back.dataSync())).toEqual([1, -2, 3]);
      tf.dispose([b, i, back]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe("wasm's own pooling gradients and data ops agree with cpu", () => {
  // 3 channels take MaxPoolGrad's JavaScript loop, 8 the SIMD kernel (channels in fours); values
  // rounded to halves make ties, which go to the first position of the window.
  const pools: [string, object, number[]][] = [
    ['2x2 /2 valid', { filterSize: 2, strides: 2, pad: 'valid' }, [2, 4, 4]],
    ['3x3 /2 same (overlapping)', { filterSize: 3, strides: 2, pad: 'same' }, [2, 4, 4]],
    ['3x3 /1 same', { filterSize: 3, strides: 1, pad: 'same' }, [2, 8, 8]],
  ];
  const variants = [
    { channels: 3, values: randomValues },
    { channels: 8, values: randomValues },
    { channels: 8, values: (s: number[]) => randomValues(s).map((v) => Math.round(v * 2) / 2), ties: true },
  ];
  for (const [label, attrs, dyHw] of pools) for (const v of variants) {
    it(`AvgPoolGrad, MaxPool and MaxPoolGrad, ${label}, ${v.channels} channels${v.ties ? ', with ties' : ''}`, async () => {
      const shape = [2, 8, 8, v.channels];
      const dyShape = [...dyHw, v.channels];
      const input = { values: v.values(shape), shape };
      const dy = { values: randomValues(dyShape), shape: dyShape };
      expect(await compareKernel('AvgPoolGrad', { dy, input }, attrs)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
      expect(await compareKernel('MaxPool', { x: input }, attrs)).toBe(0);
      // About half the windows of standard-normal data hold only negatives: the case wasm's own
      // MaxPoolGrad gets wrong.
      const output = await onBackend('cpu', () => runKernel('MaxPool', { x: input }, attrs));
      const maxOut = { values: Float32Array.from(output.values), shape: output.shape };
      expect(await compareKernel('MaxPoolGrad', { dy, input, output: maxOut }, attrs)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    });
  }

  it('gather, cropAndResize, oneHot and reverse', async () => {
    const images = randomValues([3, 8, 8, 2]);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(images, [3, 8, 8, 2]);
        const picked = tf.gather(x, tf.tensor1d([2, 0], 'int32'));
        const boxes = tf.tensor2d([[0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9]]);
        const crops = tf.image.cropAndResize(picked, boxes, tf.tensor1d([0, 1], 'int32'), [5, 5]);
        const flipped = tf.reverse(crops, 2);
        const labels = tf.oneHot(tf.tensor1d([3, 1], 'int32'), 4);
        return [flipped, labels].map((t) => Array.from(t.dataSync()));
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relativeError(ref[0], got[0])).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    expect(got[1]).toEqual(ref[1]);
  });
});

const SPEC = { inputSize: 16, channels: 3, numClasses: 10 };
const BATCH = 4;

/** One training step's gradients, in parameter order, plus the tensors and backend buffers it left behind. */
function trainingStepGradients(name: string, images: Float32Array, labels: Int32Array) {
  const model = createModel(name, SPEC, new Rng(1));
  const x = tf.tensor4d(images, [BATCH, SPEC.inputSize, SPEC.inputSize, SPEC.channels]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), SPEC.numClasses);
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = tf.backend().numDataIds();
  const { value, grads } = tf.variableGrads(() => {
    const logp = tf.logSoftmax(model.apply(x, true));
    return tf.neg(tf.mean(tf.sum(tf.mul(y, logp), 1))) as tf.Scalar;
  }, model.params);
  const gradients = model.params.map((p) => Array.from(grads[p.name].dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  const leakedBuffers = tf.backend().numDataIds() - buffersBefore;
  tf.dispose([x, y, ...model.params, ...model.buffers]);
  return { gradients, leakedTensors, leakedBuffers };
}

describe('a training step of every model on wasm', () => {
  const images = randomValues([BATCH, SPEC.inputSize, SPEC.inputSize, SPEC.channels]);
  const labels = Int32Array.from([1, 4, 7, 9]);

  for (const name of ['cnn', 'resnet20', 'mobilenetv2', 'densenet']) {
    it(`${name}: gradients match cpu, nothing leaks`, async () => {
      const ref = await onBackend('cpu', () => trainingStepGradients(name, images, labels));
      const got = await onBackend('wasm', () => trainingStepGradients(name, images, labels));
      expect(got.leakedTensors).toBe(0);
      expect(got.leakedBuffers).toBe(0);
      // Some gradients are zero up to rounding (a batch-norm shift feeding another batch norm
      // cancels exactly), so each tensor is judged against at least 1% of the largest gradient
      // in the network rather than against its own noise.
      const globalMax = Math.max(...ref.gradients.map((g) => Math.max(...g.map(Math.abs))));
      ref.gradients.forEach((g, i) => {
        const scale = Math.max(Math.max(...g.map(Math.abs)), 0.01 * globalMax);
        const err = Math.max(...g.map((v, j) => Math.abs(v - got.gradients[i][j])));
        expect(err / scale, `${name} parameter ${i}`).toBeLessThanOrEqual(MODEL_TOLERANCE);
      });
    });
  }

  it('is deterministic: the same step twice gives identical gradients', async () => {
    const a = await onBackend('wasm', () => trainingStepGradients('cnn', images, labels));
    const b = await onBackend('wasm', () => trainingStepGradients('cnn', images, labels));
    expect(b.gradients).toEqual(a.gradients);
  });
});
