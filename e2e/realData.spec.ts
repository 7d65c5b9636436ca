import { expect, test } from '@playwright/test';
import { makeCifar10TarGz } from '../src/testing/datasetArchives';
import { LabPage } from './labPage';

/**
 * The real-data path at a CI-friendly size: a CIFAR-10 binary tar.gz of a few thousand generated
 * images through the real file input loads, trains with live evaluation on the fixed subset and a
 * final evaluation on the whole test split, and the status bar shows the training backend's
 * memory, which stays far below the images' float32 size (they stay bytes on the host; only
 * batches go to the backend). The full-size figures are the bench's (docs/benchmarks.md).
 */

test.use({ viewport: { width: 1440, height: 900 } });

const TRAIN_PER_BATCH = 600;
const TEST = 3000;
const SIZE = 16;
const RUN = { inputSize: SIZE, batchSize: 32, steps: 20, evalEvery: 10, seeds: 1 };

test('a CIFAR-10 tar.gz of 6,000 images loads, trains with the live eval subset, ends on the whole split and shows backend memory', async ({ page }) => {
  const archive = makeCifar10TarGz({ perBatch: TRAIN_PER_BATCH, batches: 5, test: TEST });
  const lab = new LabPage(page);
  await lab.open('?backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.configure(RUN);

  await lab.uploadArchive('cifar-10-binary.tar.gz', archive);
  const summary = await lab.datasetState('ready');
  expect(summary).toContain('cifar-10-binary.tar.gz: CIFAR-10 binary (tar.gz)');
  expect(summary).toContain('3,000 train (');
  expect(summary).toContain('3,000 test (cifar-10-batches-bin/test_batch.bin)');
  expect(summary).toContain(`images 32×32, resized to ${SIZE}×${SIZE}×3`);

  await lab.click('start');
  await lab.expectState('done', 180_000);
  expect(await lab.step()).toBe(RUN.steps);

  // Live points on the fixed subset (2,000 of 3,000), the last one on all of the test split.
  await expect(page.getByTestId('chart-note').first()).toHaveText('2,000 test images per point; the last point: all 3,000');
  await expect(page.getByTestId('summary-eval-note')).toContainText('Final values come from the whole test split (3,000 images)');

  // The status bar's backend memory: shown, and with the images kept as bytes on the host it is
  // a fraction of what the 6,000 images would take on the backend as float32.
  const memory = page.getByTestId('device-bytes');
  await expect(memory).toHaveText(/^\d+ MiB on wasm$/);
  const bytes = Number(await memory.getAttribute('data-bytes'));
  const imagesAsFloat32 = (TRAIN_PER_BATCH * 5 + TEST) * SIZE * SIZE * 3 * 4;
  expect(bytes).toBeGreaterThan(0);
  expect(bytes).toBeLessThan(imagesAsFloat32 / 4);
});
