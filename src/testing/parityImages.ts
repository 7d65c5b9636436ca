import { Rng } from '../engine/rng';
import { textBytes, type FixtureFiles } from './archives';
import { CIFAR10_META, encodeImage } from './datasetArchives';

/**
 * A small ImageFolder of photo-like PNGs that a small CNN learns only partly in a few epochs, so
 * that two trainers' accuracies can be told apart (a fixture every model gets right cannot).
 * Class k is a grating at angle k * 180 / classes degrees with a random frequency, phase,
 * contrast and two random colours, under heavy pixel noise: orientation is the only cue.
 */
export function orientedGratingImage(rng: Rng, k: number, classes: number, size: number): Uint8Array {
  const angle = (Math.PI * k) / classes + (rng.next() - 0.5) * (Math.PI / classes) * 0.6;
  const freq = 0.12 + rng.next() * 0.18;
  const phase = rng.next() * 2 * Math.PI;
  const contrast = 0.25 + rng.next() * 0.5;
  const a = [0, 1, 2].map(() => 40 + rng.int(176));
  const b = [0, 1, 2].map(() => 40 + rng.int(176));
  const [cx, cy] = [Math.cos(angle), Math.sin(angle)];
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const w = 0.5 + 0.5 * contrast * Math.sin(2 * Math.PI * freq * (x * cx + y * cy) + phase);
      for (let c = 0; c < 3; c++) {
        const noise = (rng.next() + rng.next() + rng.next() - 1.5) * 90;
        out[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(a[c] * w + b[c] * (1 - w) + noise)));
      }
    }
  }
  return out;
}

/** ImageFolder entries `train/<class>/<n>.png` and `test/<class>/<n>.png` of orientedGratingImage. */
export function gratingImageFolderFiles(opts: { classes?: number; perClass?: number; testPerClass?: number; size?: number; seed?: number } = {}): FixtureFiles {
  const classes = opts.classes ?? 4;
  const size = opts.size ?? 16;
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 103);
  const files: FixtureFiles = [];
  for (const [split, n] of [['train', opts.perClass ?? 64], ['test', opts.testPerClass ?? 32]] as const) {
    for (let k = 0; k < classes; k++) {
      for (let i = 0; i < n; i++) files.push([`${split}/angle${k}/${String(i).padStart(4, '0')}.png`, encodeImage(orientedGratingImage(rng, k, classes, size), size, size, 'png')]);
    }
  }
  return files;
}

/**
 * The gratings as CIFAR-10 binary batches (32 x 32; classes 0..classes-1 of CIFAR-10's ten), which
 * the lab reads from a zip and train.py from the extracted folder with NumPy alone (no Pillow).
 */
export function gratingCifar10Files(opts: { classes?: number; perClass?: number; testPerClass?: number; seed?: number } = {}): FixtureFiles {
  const classes = opts.classes ?? 4;
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 104);
  const records = (perClass: number): Uint8Array => {
    const n = perClass * classes;
    const out = new Uint8Array(n * 3073);
    for (let i = 0; i < n; i++) {
      const k = i % classes;
      const rgb = orientedGratingImage(rng, k, classes, 32);
      out[i * 3073] = k;
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[i * 3073 + 1 + c * 1024 + p] = rgb[p * 3 + c];
    }
    return out;
  };
  const dir = 'cifar-10-batches-bin/';
  return [
    [`${dir}data_batch_1.bin`, records(opts.perClass ?? 64)],
    [`${dir}test_batch.bin`, records(opts.testPerClass ?? 32)],
    [`${dir}batches.meta.txt`, textBytes(CIFAR10_META)],
  ];
}
