import { computeChannelStats, type ClassificationDataset, type ImageSplit } from '../engine/dataset';
import { Rng } from '../engine/rng';

/**
 * Tiny generated classification data for engine tests: class k is a noisy image whose
 * brightest channel and quadrant depend on k, so a small model learns it in a few steps.
 */
export function makeTinyClassification(opts: { n?: number; nTest?: number; size?: number; classes?: number; seed?: number } = {}): ClassificationDataset {
  const size = opts.size ?? 8;
  const classes = opts.classes ?? 4;
  const rng = new Rng(opts.seed ?? 7);
  const split = (n: number): ImageSplit => {
    const images = new Uint8Array(n * size * size * 3);
    const labels = new Int32Array(n);
    const half = size / 2;
    for (let i = 0; i < n; i++) {
      const k = i % classes;
      labels[i] = k;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const quadrant = (y < half ? 0 : 2) + (x < half ? 0 : 1);
          for (let c = 0; c < 3; c++) {
            const signal = c === k % 3 ? 120 : 20;
            const bonus = quadrant === k % 4 ? 90 : 0;
            images[((i * size + y) * size + x) * 3 + c] = Math.min(255, signal + bonus + rng.int(40));
          }
        }
      }
    }
    return { images, labels, n };
  };
  const train = split(opts.n ?? 64);
  return {
    kind: 'classify',
    name: 'tiny',
    classNames: Array.from({ length: classes }, (_, k) => `class${k}`),
    height: size,
    width: size,
    channels: 3,
    train,
    test: split(opts.nTest ?? 32),
    ...computeChannelStats(train.images, 3),
  };
}
