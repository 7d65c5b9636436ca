import { expect, test, type Page } from '@playwright/test';
import { makePix2pixZip, makeVocZip } from '../src/testing/segmentationArchives';
import { LabPage } from './labPage';

/**
 * Segmentation and pix2pix archives through `dataset-input`, trained on the trainable wasm
 * backend in the worker: the layout switches the task, and the task's live views fill in.
 */

test.use({ viewport: { width: 1440, height: 900 } });

const TINY = { inputSize: 16, batchSize: 4, steps: 4, evalEvery: 2 };

/** Sets the run's size without touching the task the archive chose (LabPage.configure resets it to classify). */
async function sizeRun(page: Page, run: typeof TINY): Promise<void> {
  await page.getByTestId('input-size-input').fill(String(run.inputSize));
  await page.getByTestId('batch-size-input').fill(String(run.batchSize));
  await page.getByTestId('length-input').fill(String(run.steps));
  await page.getByTestId('eval-every-input').fill(String(run.evalEvery));
  await page.getByTestId('input-size-input').blur();
  await expect(page.getByTestId('dataset-status')).toContainText(`${run.inputSize}×${run.inputSize}`, { timeout: 60_000 });
}

test('a Pascal VOC zip trains fcn plain vs RG on wasm with live mIoU and overlays', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.uploadArchive('voc.zip', makeVocZip({ train: 8, val: 4, width: 24, height: 20, seed: 3 }));
  const summary = await lab.datasetState('ready');
  expect(summary).toContain('voc.zip');
  expect(summary).toMatch(/VOC/);
  await expect(page.getByTestId('task-select')).toHaveValue('segment');
  await sizeRun(page, TINY);
  await lab.datasetState('ready');
  await expect(page.getByTestId('task-select')).toHaveValue('segment');
  await lab.click('start');
  await lab.expectState('done', 120_000);
  expect(await lab.step()).toBe(TINY.steps);
  await lab.waitForCurves('chart-miou', 2);
  const overlays = page.getByTestId('segment-overlays');
  await expect(overlays.locator('canvas[data-kind="prediction"][data-arm="plain"]').first()).toBeVisible();
  await expect(overlays.locator('canvas[data-kind="prediction"][data-arm="rg"]').first()).toBeVisible();
  await expect(page.getByTestId('class-legend')).toContainText('aeroplane');
  await expect(lab.backendBadge).toHaveAttribute('data-backend', 'wasm');
});

test('a pix2pix pair zip trains plain vs RG on wasm with a sample grid', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.uploadArchive('pairs.zip', makePix2pixZip({ train: 8, val: 4, size: 16, seed: 5 }));
  const summary = await lab.datasetState('ready');
  expect(summary).toContain('pairs.zip');
  await expect(page.getByTestId('task-select')).toHaveValue('translate');
  await sizeRun(page, { ...TINY, steps: 2, evalEvery: 1 });
  await lab.datasetState('ready');
  await expect(page.getByTestId('task-select')).toHaveValue('translate');
  await lab.click('start');
  await lab.expectState('done', 120_000);
  const grid = page.getByTestId('translate-grid');
  for (const sel of ['[data-kind="input"]', '[data-kind="output"][data-arm="plain"]', '[data-kind="output"][data-arm="rg"]', '[data-kind="target"]']) {
    await expect(grid.locator(`canvas${sel}`).first()).toBeVisible();
  }
  await lab.waitForCurves('chart-psnr', 2);
  await expect(lab.backendBadge).toHaveAttribute('data-backend', 'wasm');
});
