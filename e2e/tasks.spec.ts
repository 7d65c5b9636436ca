import { expect, test, type Page } from '@playwright/test';
import { LabPage, type SmallRun } from './labPage';

/**
 * Segmentation and pix2pix in the lab on WebGL: switching the task, the mIoU chart and the mask
 * overlays for plain vs RG, then the pix2pix sample grid, PSNR/SSIM and G/D loss charts.
 */

test.use({ viewport: { width: 1440, height: 900 } });

/** Switches task and model and sets a small run; waits for the task's dataset at the new size. */
async function configureTask(lab: LabPage, page: Page, task: 'segment' | 'translate', model: string, run: SmallRun): Promise<void> {
  await page.getByTestId('task-select').selectOption(task);
  await page.getByTestId('model-select').selectOption(model);
  await page.getByTestId('input-size-input').fill(String(run.inputSize));
  await page.getByTestId('batch-size-input').fill(String(run.batchSize));
  await page.getByTestId('length-input').fill(String(run.steps));
  await page.getByTestId('eval-every-input').fill(String(run.evalEvery));
  await page.getByTestId('input-size-input').blur();
  await expect(lab.datasetStatus).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(lab.datasetStatus).toContainText(`${run.inputSize}×${run.inputSize}`, { timeout: 60_000 });
}

test('segmentation: fcn on builtin:scenes, mIoU for two arms, overlays of image, truth and both predictions', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  await configureTask(lab, page, 'segment', 'fcn', { inputSize: 16, batchSize: 4, steps: 4, evalEvery: 2 });
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('builtin:scenes');
  await expect(lab.arm('plain').getByTestId('momentum-input')).toHaveValue('0.9');

  await lab.click('start');
  await lab.waitForCurves('chart-miou', 2);
  const overlays = page.getByTestId('segment-overlays');
  const canvas = (kind: string, arm?: string) => overlays.locator(`canvas[data-kind="${kind}"]${arm ? `[data-arm="${arm}"]` : ''}`);
  await expect(canvas('prediction', 'rg').first()).toBeVisible();
  await expect(canvas('image').first()).toBeVisible();
  await expect(canvas('truth').first()).toBeVisible();
  await expect(canvas('prediction', 'plain').first()).toBeVisible();
  expect(await canvas('prediction', 'plain').count()).toBe(await canvas('image').count());
  await expect(page.getByTestId('class-legend')).toContainText('background');
  await expect(page.getByTestId('per-class-iou').locator('[data-arm="rg"]').first()).toBeVisible();
  await page.screenshot({ path: 'docs/segment.png', fullPage: true });

  await lab.expectState('done', 120_000);
  await expect(page.getByTestId('summary-table')).toHaveAttribute('data-metric', 'mIoU');
  await expect(page.getByTestId('summary-table').locator('tbody tr[data-arm]')).toHaveCount(2);
});

test('pix2pix: builtin:labels2scenes, a sample grid of input, two arm outputs and target', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  await configureTask(lab, page, 'translate', 'pix2pix', { inputSize: 16, batchSize: 4, steps: 2, evalEvery: 1 });
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('builtin:labels2scenes');
  await expect(lab.arm('rg').getByTestId('optimizer-select')).toHaveValue('adam');

  await lab.click('start');
  const grid = page.getByTestId('translate-grid');
  for (const sel of ['[data-kind="input"]', '[data-kind="output"][data-arm="plain"]', '[data-kind="output"][data-arm="rg"]', '[data-kind="target"]']) {
    await expect(grid.locator(`canvas${sel}`).first()).toBeVisible({ timeout: 120_000 });
  }
  await lab.waitForCurves('chart-psnr', 2);
  await lab.waitForCurves('chart-d-fake', 2);
  await page.screenshot({ path: 'docs/translate.png', fullPage: true });

  await lab.expectState('done', 120_000);
  await lab.waitForCurves('chart-ssim', 2);
  await expect(page.getByTestId('summary-table')).toHaveAttribute('data-metric', 'psnr');
});
