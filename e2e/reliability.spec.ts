import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';

/** Faults a person can cause from the page: a diverging arm stops alone, with a marker, a note and a reason. */

test('an arm that diverges stops with a marker and a reason while the other arm trains on', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 30, evalEvery: 10 });
  await lab.arm('rg').getByTestId('lr-input').fill('10');
  await lab.arm('rg').getByTestId('lr-input').blur();
  await lab.click('start');
  await lab.expectState('done', 120_000);
  expect(await lab.step()).toBe(30);
  await expect(page.getByTestId('diverged-note')).toContainText(/rg \(seed 1\) diverged at step \d+: /);
  await expect(page.getByTestId('summary-table').locator('tr[data-arm="rg"]')).toHaveAttribute('data-diverged', 'true');
  await expect(page.getByTestId('summary-table').locator('tr[data-arm="plain"]')).not.toHaveAttribute('data-diverged', 'true');
  await expect(lab.chart('chart-loss').locator('.event-marker')).toHaveCount(1);
  await expect(lab.chart('chart-loss').locator('.event-marker')).toContainText('rg diverged');
  // The plain arm trained and evaluated to the end: its final accuracy is there.
  await expect(page.getByTestId('summary-table').locator('tr[data-arm="plain"] td').nth(2)).toHaveText(/^\d+\.\d%/);
});
