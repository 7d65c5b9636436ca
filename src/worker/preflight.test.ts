import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_BY_TASK } from '../engine/config';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { compareProbes, computeProbeGradients, findMissingKernels, findTaskOfModel, MAX_RELATIVE_ERROR, recordTrainingKernels } from './preflight';

beforeAll(useCpu);
afterAll(useCpu);

describe('preflight for every task', () => {
  it('finds the task of each model', () => {
    expect(findTaskOfModel('cnn')).toBe('classify');
    expect(findTaskOfModel('psp')).toBe('segment');
    expect(findTaskOfModel('pix2pix')).toBe('translate');
  });

  it.each([
    ['fcn', ['ArgMax', 'Abs', 'ResizeBilinearGrad']],
    ['psp', ['ArgMax', 'ResizeBilinear']],
    ['pix2pix', ['Conv2DBackpropInput', 'Tanh']],
  ])('records the kernels of a tiny %s training run without leaking tensors', async (model, some) => {
    const before = tf.memory().numTensors;
    const kernels = await recordTrainingKernels(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(kernels).toEqual(expect.arrayContaining(some));
    expect(findMissingKernels(kernels, 'cpu')).toEqual([]);
  }, 60_000);

  it.each([...MODELS_BY_TASK.segment, ...MODELS_BY_TASK.translate, 'cnn'])(
    'computes %s probe gradients on wasm within the allowed distance of cpu',
    async (model) => {
      await useCpu();
      const before = tf.memory().numTensors;
      const reference = await computeProbeGradients(model);
      expect(tf.memory().numTensors).toBe(before);
      expect(reference.length).toBeGreaterThan(2);
      expect(compareProbes(reference, await computeProbeGradients(model))).toBe(0);
      await useWasm();
      const err = compareProbes(reference, await computeProbeGradients(model));
      await useCpu();
      expect(err).toBeLessThan(MAX_RELATIVE_ERROR);
    },
    60_000,
  );
});

describe('compareProbes', () => {
  it('measures a tensor against its own scale, or a floor of the largest over all tensors', () => {
    const big = Float32Array.from([1, -2]);
    // A gradient that is zero in exact arithmetic: each backend returns its own rounding noise.
    expect(compareProbes([big, Float32Array.from([1e-9, -2e-9])], [big, Float32Array.from([-3e-9, 1e-9])])).toBeLessThan(1e-5);
    // A small but real gradient that one backend gets wrong still fails.
    expect(compareProbes([big, Float32Array.from([0.05, 0.01])], [big, Float32Array.from([0, 0])])).toBe(1);
    expect(compareProbes([big], [Float32Array.from([1, NaN])])).toBe(Infinity);
    expect(compareProbes([big], [Float32Array.from([1])])).toBe(Infinity);
  });
});
