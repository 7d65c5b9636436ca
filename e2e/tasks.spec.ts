import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';
import { ResultsPanel } from './resultsPanel';
import { saveScreenshot } from './screenshots';
import { SettingsPanel } from './settingsPanel';

/**
 * Segmentation and pix2pix in the lab on WebGL: switching the task, the mIoU chart and the mask
 * overlays for plain vs RG, then the pix2pix sample grid, PSNR/SSIM and G/D loss charts.
 */

test.use({ viewport: { width: 1440, height: 900 } });

test('segmentation: fcn on builtin:scenes, mIoU for two arms, overlays of image, truth and both predictions', async ({ page }, info) => {
  const lab = new LabPage(page);
  const settings = new SettingsPanel(page);
  const results = new ResultsPanel(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  await settings.configureTask('segment', 'fcn', { inputSize: 16, batchSize: 4, steps: 4, evalEvery: 2 });
  await expect(settings.builtinDataset).toHaveValue('builtin:scenes');
  await expect(settings.arm('plain').momentum).toHaveValue('0.9');

  await lab.click('start');
  await lab.waitForCurves('chart-miou', 2);
  await expect(results.segmentCanvas('prediction', 'rg').first()).toBeVisible();
  await expect(results.segmentCanvas('image').first()).toBeVisible();
  await expect(results.segmentCanvas('truth').first()).toBeVisible();
  await expect(results.segmentCanvas('prediction', 'plain').first()).toBeVisible();
  expect(await results.segmentCanvas('prediction', 'plain').count()).toBe(await results.segmentCanvas('image').count());
  await expect(results.classLegend).toContainText('background');
  await expect(results.perClassIou('rg').first()).toBeVisible();
  await saveScreenshot(page, info, 'segment.png', { fullPage: true });

  await lab.expectState('done', 120_000);
  await expect(results.summaryTable).toHaveAttribute('data-metric', 'mIoU');
  await expect(results.summaryRows).toHaveCount(2);
});

test('pix2pix: builtin:labels2scenes, a sample grid of input, two arm outputs and target', async ({ page }, info) => {
  const lab = new LabPage(page);
  const settings = new SettingsPanel(page);
  const results = new ResultsPanel(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  await settings.configureTask('translate', 'pix2pix', { inputSize: 16, batchSize: 4, steps: 2, evalEvery: 1 });
  await expect(settings.builtinDataset).toHaveValue('builtin:labels2scenes');
  await expect(settings.arm('rg').optimizer).toHaveValue('adam');

  await lab.click('start');
  for (const canvas of [results.translateCanvas('input'), results.translateCanvas('output', 'plain'), results.translateCanvas('output', 'rg'), results.translateCanvas('target')]) {
    await expect(canvas.first()).toBeVisible({ timeout: 120_000 });
  }
  await lab.waitForCurves('chart-psnr', 2);
  await lab.waitForCurves('chart-d-fake', 2);
  await saveScreenshot(page, info, 'translate.png', { fullPage: true });

  await lab.expectState('done', 120_000);
  await lab.waitForCurves('chart-ssim', 2);
  await expect(results.summaryTable).toHaveAttribute('data-metric', 'psnr');
});
