/**
 * Writes a PNG contact sheet of `builtin:labels2scenes` pairs, each label map (a) beside its
 * scene (b), for eyeballing the generator. Usage:
 *   npx tsx src/cli/previewPairs.ts out.png [--size 32] [--seed 0] [--count 16]
 */

import { writeFileSync } from 'node:fs';
import { generateLabels2Scenes } from '../data/builtin/labels2scenes';
import { encode } from 'fast-png';
import { readPreviewArgs } from './previewArgs';

function main(): void {
  const { path, size, seed, count } = readPreviewArgs('tsx src/cli/previewPairs.ts out.png [--size 32] [--seed 0] [--count 16]', { size: 32, count: 16 });
  const ds = generateLabels2Scenes({ size, seed, trainCount: count, testCount: 0 });

  const zoom = Math.max(1, Math.floor(128 / size));
  const pad = 4;
  const side = size * zoom;
  const cols = 4;
  const cellW = 2 * side + 2 * pad;
  const cellH = side + pad;
  const width = cols * cellW + pad;
  const height = Math.ceil(count / cols) * cellH + pad;
  const sheet = new Uint8Array(width * height * 3).fill(255);
  const pixels = size * size * 3;
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * cellW;
    const y0 = pad + Math.floor(n / cols) * cellH;
    [ds.train.a, ds.train.b].forEach((src, k) => {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const from = n * pixels + (Math.floor(y / zoom) * size + Math.floor(x / zoom)) * 3;
          const to = ((y0 + y) * width + x0 + k * side + x) * 3;
          sheet.set(src.subarray(from, from + 3), to);
        }
      }
    });
  }
  writeFileSync(path, encode({ width, height, data: sheet, channels: 3, depth: 8 }));
  console.log(`wrote ${path}: ${count} pairs at ${size} px (seed ${seed}), ${width}x${height}`);
}

main();
