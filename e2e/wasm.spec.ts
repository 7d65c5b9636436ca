import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';

/**
 * The trainable wasm backend in Chromium's worker: every classifier trains plain vs RG on it
 * (the gradient kernels TF.js lacks are registered by the lab).
 */

for (const model of ['cnn', 'resnet20', 'mobilenetv2', 'densenet']) {
  test(`${model} trains plain vs RG on wasm in the worker`, async ({ page }) => {
    const lab = new LabPage(page);
    await lab.open('?dataset=builtin:shapes10&backend=wasm');
    expect(await lab.waitForBackend()).toBe('wasm');
    await page.getByTestId('model-select').selectOption(model);
    await lab.configure({ inputSize: 16, batchSize: 8, steps: 4, evalEvery: 2 });
    await lab.click('start');
    await lab.expectState('done', 120_000);
    expect(await lab.step()).toBe(4);
    await lab.waitForCurves('chart-loss', 2);
    await lab.waitForCurves('chart-accuracy', 2);
    await expect(lab.backendBadge).toHaveAttribute('data-backend', 'wasm');
    await expect(page.getByTestId('summary-table').locator('[data-arm]')).toHaveCount(2);
  });
}
