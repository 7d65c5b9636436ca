import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ClassificationBatcher } from '../engine/batcher';
import { gzip, makeTar } from '../testing/archives';
import { cifar10Files, makeImageFolderZip } from '../testing/datasetArchives';
import { loadFixture } from '../testing/loadFixture';
import { initNodeBackend } from './nodeBackend';

/**
 * The data part of `npm run bench`: a CIFAR-10 binary tar.gz of the real size (50,000 + 10,000
 * generated 32x32 images, 3073-byte records) read, parsed and put on the wasm backend as tensors,
 * in a child process of its own so that its peak resident memory is that of the load alone; and
 * ImageFolder zip decoding (PNG) in images per second.
 */

export interface DataBench {
  cifar10: { archiveMB: number; images: number; loadMs: number; toTensorsMs: number; totalMs: number; peakRssMB: number; baseRssMB: number; deviceMB: number };
  imageFolder: { images: number; size: number; imagesPerSec: number };
}

/** Runs in the child: loads the archive at `file`, uploads it, prints one JSON line. */
export async function runCifarChild(file: string): Promise<void> {
  await initNodeBackend('wasm', { threads: false });
  const baseRss = process.memoryUsage().rss;
  const bytes = new Uint8Array(readFileSync(file));
  const t0 = performance.now();
  const loaded = await loadFixture(bytes, { fileName: 'cifar-10-binary.tar.gz', memoryBudgetBytes: 1024 * 1024 * 1024 });
  const t1 = performance.now();
  if (loaded.dataset.kind !== 'classify') throw new Error('the CIFAR-10 archive did not load as a classification dataset');
  const data = new ClassificationBatcher(loaded.dataset, 32, 64, false);
  const deviceBytes = tf.memory().numBytes;
  const t2 = performance.now();
  const out = {
    images: loaded.dataset.train.n + loaded.dataset.test.n,
    loadMs: t1 - t0,
    toTensorsMs: t2 - t1,
    totalMs: t2 - t0,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    baseRssMB: baseRss / 2 ** 20,
    deviceMB: deviceBytes / 2 ** 20,
  };
  data.dispose();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Builds the archive, measures its load in a child process, then times ImageFolder decoding here. */
export async function benchData(quick: boolean): Promise<DataBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rg-bench-'));
  try {
    const file = path.join(dir, 'cifar-10-binary.tar.gz');
    const archive = gzip(makeTar(cifar10Files({ perBatch: 10_000, batches: 5, test: 10_000 })));
    writeFileSync(file, archive);
    const here = fileURLToPath(new URL('./bench.ts', import.meta.url));
    const child = spawnSync(process.execPath, [...process.execArgv, here, '--data-child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`the CIFAR-10 load child failed: ${child.stderr.slice(-2000)}`);
    const line = child.stdout.trim().split('\n').pop() ?? '';
    const cifar = { archiveMB: archive.length / 2 ** 20, ...(JSON.parse(line) as Omit<DataBench['cifar10'], 'archiveMB'>) };

    const perClass = quick ? 40 : 200;
    const size = 32;
    const zip = makeImageFolderZip({ classes: 10, perClass, testPerClass: perClass / 4, size, junk: false });
    const images = 10 * (perClass + perClass / 4);
    await loadFixture(zip, { fileName: 'images.zip' });
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await loadFixture(zip, { fileName: 'images.zip' });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { cifar10: cifar, imageFolder: { images, size, imagesPerSec: (images * 1000) / times[1] } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
