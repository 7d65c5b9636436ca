import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { ClassificationBatcher } from './batcher';
import { EpochSampler } from './sampler';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ClassificationBatcher keeps the images as bytes on the host', () => {
  it('holds the same few backend bytes for 40 images as for 800: no dataset on the backend', () => {
    const held = (n: number): number => {
      const before = tf.memory().numBytes;
      const b = new ClassificationBatcher(makeTinyClassification({ n, nTest: n / 2, size: 8 }), 8, 8, true);
      const bytes = tf.memory().numBytes - before;
      b.dispose();
      return bytes;
    };
    const small = held(40);
    expect(held(800)).toBe(small);
    // Mean, std and two batch-shaped normalisation rows: far below one float32 copy of 40 images.
    expect(small).toBeLessThan(40 * 8 * 8 * 3 * 4);
  });

  it("gathers a step's batch from the bytes and normalises it with the training split's statistics", async () => {
    const data = makeTinyClassification({ n: 40, nTest: 8, size: 8 });
    const batcher = new ClassificationBatcher(data, 8, 8, false);
    const idx = new EpochSampler(40, 8).batchIndices(3, 6);
    const { x, y } = batcher.trainBatch(3, 6);
    const per = 8 * 8 * 3;
    const expected = [...idx].flatMap((i) => Array.from(data.train.images.subarray(i * per, (i + 1) * per), (v, j) => (v / 255 - data.mean[j % 3]) / data.std[j % 3]));
    const got = await x.data();
    expect(got).toHaveLength(expected.length);
    got.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 4));
    const oneHot = await y.array();
    expect(oneHot.map((row) => row.indexOf(1))).toEqual([...idx].map((i) => data.train.labels[i]));
    tf.dispose([x, y]);
    batcher.dispose();
  });

  it('resizes per batch to the model size and yields test batches with their labels', () => {
    const data = makeTinyClassification({ n: 16, nTest: 10, size: 8 });
    const batcher = new ClassificationBatcher(data, 16, 4, true);
    const { x, y } = batcher.trainBatch(1, 0);
    expect(x.shape).toEqual([4, 16, 16, 3]);
    expect(y.shape).toEqual([4, 4]);
    const picked = Int32Array.from([1, 4, 9]);
    const batches = [...batcher.testBatches(2, picked)];
    expect(batches.map((b) => b.x.shape[0])).toEqual([2, 1]);
    expect(batches.flatMap((b) => [...b.labels])).toEqual([...picked].map((i) => data.test.labels[i]));
    tf.dispose([x, y, ...batches.flatMap((b) => [b.x, b.y])]);
    batcher.dispose();
  });
});
