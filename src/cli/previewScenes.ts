/**
 * Writes a PNG contact sheet of `builtin:scenes` samples, each image beside its mask in the VOC
 * palette (void in cream), for eyeballing the generator. Usage:
 *   npx tsx src/cli/previewScenes.ts out.png [--size 64] [--seed 0] [--count 16] [--classes 6]
 */

import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { IGNORE_INDEX } from '../engine/dataset';
import { generateScenes, vocColor } from '../data/builtin/scenes';
import { readPreviewArgs } from './previewArgs';

function main(): void {
  const { path, size, seed, count, flag } = readPreviewArgs('tsx src/cli/previewScenes.ts out.png [--size 64] [--seed 0] [--count 16] [--classes 6]', { size: 64, count: 16 });
  const ds = generateScenes({ size, seed, trainCount: count, testCount: 0, numClasses: flag('--classes', 6) });

  const zoom = Math.max(1, Math.floor(128 / size));
  const pad = 4;
  const cols = 4;
  const cellW = 2 * size * zoom + 2 * pad;
  const cellH = size * zoom + pad;
  const width = cols * cellW + pad;
  const height = Math.ceil(count / cols) * cellH + pad;
  const sheet = new Uint8Array(width * height * 3).fill(255);
  const put = (x: number, y: number, rgb: ArrayLike<number>): void => {
    const i = (y * width + x) * 3;
    sheet[i] = rgb[0];
    sheet[i + 1] = rgb[1];
    sheet[i + 2] = rgb[2];
  };
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * cellW;
    const y0 = pad + Math.floor(n / cols) * cellH;
    for (let y = 0; y < size * zoom; y++) {
      for (let x = 0; x < size * zoom; x++) {
        const p = n * size * size + Math.floor(y / zoom) * size + Math.floor(x / zoom);
        put(x0 + x, y0 + y, ds.train.images.subarray(p * 3, p * 3 + 3));
        const label = ds.train.masks[p];
        put(x0 + size * zoom + pad / 2 + x, y0 + y, label === IGNORE_INDEX ? vocColor(IGNORE_INDEX) : ds.palette[label]);
      }
    }
  }
  writeFileSync(path, encode({ width, height, data: sheet, channels: 3, depth: 8 }));
  console.log(`wrote ${path}: ${count} scenes at ${size} px (seed ${seed}), classes ${ds.classNames.join(', ')}`);
}

main();
