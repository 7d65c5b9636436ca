import { generateShapes10 } from '../data/builtin/shapes10';
import type { ImageSplit } from '../engine/dataset';
import { textBytes, type FixtureFiles } from './archives';
import { CIFAR10_META } from './datasetArchives';

/** One CIFAR-10 binary record per image: the label byte, then the R, G and B 32 x 32 planes. */
function cifarRecordsOf(split: ImageSplit): Uint8Array {
  const out = new Uint8Array(split.n * 3073);
  for (let i = 0; i < split.n; i++) {
    out[i * 3073] = split.labels[i];
    const img = split.images.subarray(i * 3072, (i + 1) * 3072);
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[i * 3073 + 1 + c * 1024 + p] = img[p * 3 + c];
  }
  return out;
}

/**
 * builtin:shapes10 (easy) rendered at 32 x 32 and written as CIFAR-10 binary batches
 * (cifar-10-batches-bin/data_batch_1.bin, test_batch.bin, batches.meta.txt): a real-image
 * fixture that the lab reads from a zip and the exported train.py from the extracted folder with
 * NumPy alone (no Pillow), at the model's input size so neither side resizes. Ten classes told
 * apart by outline only; the small cnn learns it well above chance within a few epochs.
 */
export function shapes10Cifar10Files(opts: { train: number; test: number; seed?: number }): FixtureFiles {
  const data = generateShapes10({ size: 32, trainCount: opts.train, testCount: opts.test, seed: opts.seed ?? 1, difficulty: 'easy' });
  const dir = 'cifar-10-batches-bin/';
  return [
    [`${dir}data_batch_1.bin`, cifarRecordsOf(data.train)],
    [`${dir}test_batch.bin`, cifarRecordsOf(data.test)],
    [`${dir}batches.meta.txt`, textBytes(CIFAR10_META)],
  ];
}
