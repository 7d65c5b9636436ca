import { expect, test, type Page } from '@playwright/test';
import { LabPage, readDownload } from './labPage';

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

/** Opens the lab under ?debug on `backend`, starts a small run and waits until it reaches `atStep`. */
async function startDebugRun(page: Page, backend: string, steps: number, evalEvery: number, atStep: number): Promise<LabPage> {
  const lab = new LabPage(page);
  await lab.open(`?dataset=builtin:shapes10&backend=${backend}&debug`);
  expect(await lab.waitForBackend()).toBe(backend);
  await lab.configure({ inputSize: 16, batchSize: 8, steps, evalEvery });
  await lab.click('start');
  await lab.waitForStep(atStep);
  return lab;
}

test('a lost GPU device mid-run: the person is told, training resumes on the next backend from the last checkpoint, nothing is lost', async ({ page }) => {
  const lab = await startDebugRun(page, 'webgl', 24, 4, 9);
  await page.evaluate(() => (window as unknown as { __rgLab: { simulateDeviceLoss: (r: string) => void } }).__rgLab.simulateDeviceLoss('test: device lost'));
  await expect(page.getByTestId('run-notice')).toContainText('webgl backend was lost', { timeout: 60_000 });
  await expect(page.getByTestId('run-notice')).toContainText('Resumed at step', { timeout: 120_000 });
  await expect(lab.backendBadge).toHaveAttribute('data-backend', 'wasm');
  await lab.waitForStep(24);
  await lab.expectState('done', 120_000);
  // Every step once: the steps after the checkpoint were trained again and their first copies dropped.
  const csv = (await readDownload(await lab.download('export-csv'))).trimEnd().split('\n');
  for (const arm of ['plain', 'rg']) {
    const steps = csv.filter((l) => l.split(',')[1] === arm && l.split(',')[5] === 'loss').map((l) => Number(l.split(',')[3]));
    expect(steps).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  }
  await expect(page.getByTestId('experiment-row')).toHaveAttribute('data-status', 'done');
});

test('a crashed training worker: the error shows, every record stays, and a new worker resumes the run from its checkpoint', async ({ page }) => {
  const lab = await startDebugRun(page, 'wasm', 80, 5, 12);
  // An evaluation happened, so a checkpoint was saved.
  await lab.waitForCurves('chart-accuracy', 2);
  const received = await page.evaluate(() => {
    const count = Number(document.querySelector('[data-testid="record-count"]')?.getAttribute('data-count'));
    (window as unknown as { __rgLab: { crashWorker: () => void } }).__rgLab.crashWorker();
    return count;
  });
  expect(received).toBeGreaterThan(20);
  await lab.expectState('error');
  await expect(page.getByRole('alert').filter({ hasText: 'WorkerCrashedError' })).toContainText('simulated crash');
  await expect(page.getByTestId('stored-run')).toHaveAttribute('data-crashed', 'true');
  const kept = Number(await page.getByTestId('record-count').getAttribute('data-count'));
  expect(kept).toBeGreaterThanOrEqual(received);
  await expect(page.getByTestId('experiment-row')).toHaveAttribute('data-status', 'error');

  // A new worker on the same forced backend, with the dataset loaded again, and nothing lost meanwhile.
  await expect(page.getByTestId('resume-checkpoint')).toBeEnabled({ timeout: 120_000 });
  expect(await lab.waitForBackend()).toBe('wasm');
  await expect(page.getByTestId('record-count')).toHaveAttribute('data-count', String(kept));
  await lab.resumeToEnd(80, ['plain', 'rg']);
  // IndexedDB holds the same records, each once: the reloaded page shows as many.
  const total = await page.getByTestId('record-count').getAttribute('data-count');
  await page.reload();
  await expect(page.getByTestId('stored-run')).toBeVisible();
  await expect(page.getByTestId('record-count')).toHaveAttribute('data-count', total!);
});

test('a value out of range is refused where it is typed, with the allowed range', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await lab.waitForBackend();
  await page.getByTestId('batch-size-input').fill('5000');
  await expect(page.getByTestId('batch-size-input-error')).toHaveText(/batch size: a whole number from 1 to 1024/);
  await page.getByTestId('batch-size-input').blur();
  await expect(page.getByTestId('batch-size-input')).not.toHaveValue('5000');
});
