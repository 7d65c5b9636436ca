import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';

/**
 * The sweeps view: a small custom grid runs cell after cell through the lab's worker and fills
 * the table and the heatmap; a paper preset shows what the paper reported beside the lab.
 */

test.use({ viewport: { width: 1440, height: 1000 } });

test('a 2 x 1 learning-rate sweep of plain vs RG runs to a table and a heatmap; Table 1 shows the paper', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await page.getByTestId('nav-sweeps').click();

  await page.getByTestId('sweep-preset').selectOption('table1');
  await expect(page.getByTestId('sweep-preset-text')).toContainText('Table 1');

  await page.getByTestId('sweep-preset').selectOption('custom-classify');
  await page.getByTestId('sweep-model').selectOption('cnn');
  await page.getByTestId('sweep-input-size').fill('16');
  await page.getByTestId('sweep-batch-size').fill('8');
  await page.getByTestId('sweep-budget').fill('10');
  await page.getByTestId('sweep-budget').blur();
  await page.getByTestId('sweep-lrs').fill('0.1, 0.05');
  await page.getByTestId('sweep-momenta').fill('0.5');
  await page.getByTestId('sweep-momenta').blur();
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-total', '2');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-progress')).toHaveAttribute('data-done', '2', { timeout: 180_000 });
  await expect(page.getByTestId('start')).toBeEnabled();

  const rows = page.getByTestId('sweep-table').locator('tbody tr[data-arm]');
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('sweep-table').locator('tbody tr[data-status="done"]')).toHaveCount(4);
  const cells = page.getByTestId('sweep-heatmap').locator('[data-lr][data-value]');
  await expect(cells).toHaveCount(2);
  for (const v of await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  // Every cell was a lab run: it is saved as an experiment.
  await page.getByTestId('nav-lab').click();
  await expect(page.getByTestId('experiment-row')).toHaveCount(2);
});
