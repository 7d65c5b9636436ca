import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { registerCpuTrainingKernels } from './backends/cpuKernels';
import { createClassifyArms, createDefaultConfig, DEFAULT_SGD } from './config';
import { Trainer } from './trainer';

/** The performance principles that can be checked without timing: no leaks, no synchronous read-back. */

const dataset = makeTinyClassification({ n: 48, nTest: 16, size: 8 });

beforeAll(async () => {
  await tf.setBackend('cpu');
  // As initBackend('cpu') does: the package's filter gradient is ~50x slower in Node.
  registerCpuTrainingKernels();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Trainer over 1,000 steps (cpu backend, tiny cnn)', () => {
  it('keeps the tensor count flat and never reads a tensor back synchronously', async () => {
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const arraySync = vi.spyOn(tf.Tensor.prototype, 'arraySync');
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const trainer = new Trainer({
      config: { ...createDefaultConfig(), seeds: [1], arms: createClassifyArms().map((a) => ({ ...a, optimizer: { ...DEFAULT_SGD } })), model: 'cnn', inputSize: 8, batchSize: 4, steps: 1000, evalEvery: 250, augment: true },
      dataset,
      onRecord: () => {},
      // Every step's losses are read (asynchronously) before the next, so the count is exact.
      flushIntervalMs: 0,
      onProgress: () => counts.push(tf.memory().numTensors),
      yieldToHost: async () => {},
    });
    await trainer.run();
    trainer.dispose();
    expect(counts).toHaveLength(1000);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(dataSync).not.toHaveBeenCalled();
    expect(arraySync).not.toHaveBeenCalled();
  }, 120_000);
});
