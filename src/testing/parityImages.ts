import { Rng } from '../engine/rng';
import type { FixtureFiles } from './archives';
import { encodeImage } from './datasetArchives';

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
