import { expect, test } from '@playwright/test';
import { MODELS_BY_TASK, TASKS } from '../src/engine/config';
import { MAX_RELATIVE_ERROR } from '../src/worker/preflight';
import { openHarness } from './conformance/open';
import { LabPage, readDownload } from './labPage';

/**
 * Every model on WebGPU (Chromium's software adapter here): the preflight's gradient check
 * passes for all eight, and fcn trains plain vs RG in the lab with its mIoU recorded. Before the
 * lab's AddN correction (src/engine/backends/webgpuKernels.ts) the segmenters failed the check
 * at a relative error of about 1.
 */

test('the preflight gradient check passes for every model on webgpu', async ({ page }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const errors: Record<string, number> = {};
  for (const model of TASKS.flatMap((t) => MODELS_BY_TASK[t])) errors[model] = await page.evaluate((m) => globalThis.conformance.preflight(m, 'webgpu'), model);
  console.log(`webgpu preflight relative errors: ${JSON.stringify(errors)}`);
  expect(Object.keys(errors)).toHaveLength(8);
  for (const [model, err] of Object.entries(errors)) expect(err, model).toBeLessThan(MAX_RELATIVE_ERROR);
});

test('fcn trains plain vs RG on webgpu, with mIoU recorded', async ({ page }) => {
  test.setTimeout(300_000);
  const lab = new LabPage(page);
  await lab.open('?backend=webgpu');
  expect(await lab.waitForBackend()).toBe('webgpu');
  await lab.configure({ task: 'segment', model: 'fcn', inputSize: 16, batchSize: 4, steps: 4, evalEvery: 2 });
  await lab.click('start');
  await lab.expectState('done', 240_000);
  expect(await lab.step()).toBe(4);
  await lab.waitForCurves('chart-miou', 2);
  await expect(lab.backendBadge).toHaveAttribute('data-backend', 'webgpu');
  const manifest = await lab.manifest();
  expect(manifest.config.model).toBe('fcn');
  expect(manifest.backend).toBe('webgpu');
  // Both arms logged an mIoU at steps 2 and 4, each a fraction.
  const csv = (await readDownload(await lab.download('export-csv'))).trimEnd().split('\n').map((l) => l.split(','));
  const miou = csv.filter((c) => c[5] === 'eval.mIoU');
  for (const arm of ['plain', 'rg']) {
    const rows = miou.filter((c) => c[1] === arm);
    expect(rows.map((c) => Number(c[3]))).toEqual([2, 4]);
    for (const c of rows) expect(Number(c[6])).toBeGreaterThanOrEqual(0);
    for (const c of rows) expect(Number(c[6])).toBeLessThanOrEqual(1);
  }
});
