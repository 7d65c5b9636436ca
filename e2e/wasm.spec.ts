import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';

/**
 * The trainable wasm backend in Chromium's worker: every classifier trains plain vs RG on it
 * (the gradient kernels TF.js lacks are registered by the lab), and the run's manifest names
 * the model that was asked for.
 */

for (const model of ['cnn', 'resnet20', 'mobilenetv2', 'densenet']) {
  test(`${model} trains plain vs RG on wasm in the worker`, async ({ page }) => {
    const lab = new LabPage(page);
    await lab.open('?dataset=builtin:shapes10&backend=wasm');
    expect(await lab.waitForBackend()).toBe('wasm');
    await lab.configure({ model, inputSize: 16, batchSize: 8, steps: 4, evalEvery: 2 });
    await expect(page.getByTestId('model-select')).toHaveValue(model);
    await lab.click('start');
    await lab.expectState('done', 120_000);
    expect(await lab.step()).toBe(4);
    await lab.waitForCurves('chart-loss', 2);
    await lab.waitForCurves('chart-accuracy', 2);
    await expect(lab.backendBadge).toHaveAttribute('data-backend', 'wasm');
    await expect(page.getByTestId('summary-table').locator('[data-arm]')).toHaveCount(2);
    const manifest = await lab.manifest();
    expect(manifest.config.model).toBe(model);
    expect(manifest.backend).toBe('wasm');
  });
}
