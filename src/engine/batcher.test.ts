import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { ClassificationBatcher, CROP_PADDING } from './batcher';
import type { ClassificationDataset } from './dataset';
import { Rng } from './rng';
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

/** A dataset of random bytes whose mean 0 and std 1/255 make normalisation the identity. */
function randomDataset(n: number, size: number, channels: number): ClassificationDataset {
  const r = new Rng(5);
  const images = Uint8Array.from({ length: n * size * size * channels }, () => Math.floor(r.next() * 256));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  const split = { images, labels, n };
  return { kind: 'classify', name: 'random', classNames: ['a', 'b', 'c', 'd'], height: size, width: size, channels, train: split, test: split, mean: Array(channels).fill(0), std: Array(channels).fill(1 / 255) };
}

/** torchvision's RandomCrop(size, padding) with zero fill and RandomHorizontalFlip, pixel by pixel, from the batch's own draws. */
function referenceBatch(data: ClassificationDataset, idx: Int32Array, rng: Rng): Float32Array {
  const s = data.height;
  const c = data.channels;
  const p = CROP_PADDING;
  const out = new Float32Array(idx.length * s * s * c);
  idx.forEach((image, i) => {
    const oy = rng.int(2 * p + 1);
    const ox = rng.int(2 * p + 1);
    const flip = rng.next() < 0.5;
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const sy = oy + y - p;
        const sx = (flip ? ox + s - 1 - x : ox + x) - p;
        if (sy < 0 || sy >= s || sx < 0 || sx >= s) continue;
        for (let k = 0; k < c; k++) out[((i * s + y) * s + x) * c + k] = data.train.images[((image * s + sy) * s + sx) * c + k];
      }
    }
  });
  return out;
}

describe('ClassificationBatcher crop and flip', () => {
  afterAll(useCpu);

  // The wasm case failed with tf.image.cropAndResize, which on wasm drops the box's x offset when its top is row 0.
  for (const [name, use] of [['cpu', useCpu], ['wasm', useWasm]] as const) {
    it(`gives exact whole-pixel crops of the zero-padded image, flipped or not (${name})`, async () => {
      await use();
      const dataset = randomDataset(40, 8, 3);
      const data = new ClassificationBatcher(dataset, 8, 32, true);
      const sampler = new EpochSampler(40, 32);
      try {
        for (const t of [0, 1, 2, 3]) {
          const b = data.trainBatch(11, t);
          const got = await b.x.data();
          tf.dispose([b.x, b.y]);
          const want = referenceBatch(dataset, sampler.batchIndices(11, t), Rng.stream(11, 'augment', t));
          let worst = 0;
          want.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]))));
          expect(worst).toBeLessThan(1e-3);
        }
      } finally {
        data.dispose();
      }
    });
  }
});
