import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { CROP_PADDING, DeviceClassificationData } from './batcher';
import type { ClassificationDataset } from './dataset';
import { Rng } from './rng';
import { EpochSampler } from './sampler';

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

describe('DeviceClassificationData crop and flip', () => {
  afterAll(useCpu);

  // The wasm case failed with tf.image.cropAndResize, which on wasm drops the box's x offset when its top is row 0.
  for (const [name, use] of [['cpu', useCpu], ['wasm', useWasm]] as const) {
    it(`gives exact whole-pixel crops of the zero-padded image, flipped or not (${name})`, async () => {
      await use();
      const dataset = randomDataset(40, 8, 3);
      const data = new DeviceClassificationData(dataset, 8, 32, true);
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
