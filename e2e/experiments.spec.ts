import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LabPage, readDownload } from './labPage';

/**
 * The experiments issue as a new user meets it: plain vs RG vs a matched-LR control over 3
 * seeds gives bands, a verdict with p-values, survives a reload, and exports CSV, SVG, PNG, the
 * manifest and a train.py that runs. wasm keeps it quick on a machine without a GPU.
 */

test.use({ viewport: { width: 1440, height: 1000 } });

const CSV_HEADER = 'experiment,arm,seed,step,epoch,metric,value';

test('3 seeds of plain vs RG vs matched LR: bands, verdict, reload, exports', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 12, evalEvery: 4 });
  await page.getByTestId('seeds-input').fill('3');
  await page.getByTestId('seeds-input').blur();
  await lab.arm('rg').getByTestId('matched-lr').click();
  await expect(lab.arm('rg matched lr')).toBeVisible();
  await expect(lab.arm('rg matched lr').getByTestId('lr-input')).toHaveValue('0.05');
  await expect(page.getByTestId('experiments-panel')).toHaveAttribute('data-storage', 'indexeddb');

  await lab.click('start');
  await lab.expectState('done', 180_000);
  await lab.waitForCurves('chart-loss', 3);
  await lab.waitForCurves('chart-accuracy', 3);
  // Each arm's mean over its 3 seeds has a band; single seeds appear on demand.
  await expect(lab.chart('chart-loss').locator('path.series-band')).toHaveCount(3);
  await page.getByTestId('show-seeds-toggle').check();
  await expect(lab.chart('chart-loss').locator('path.series-seed')).toHaveCount(9);
  await lab.waitForCurves('chart-paired-diff', 2);
  await page.getByTestId('show-seeds-toggle').uncheck();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/seeds.png' });

  const table = page.getByTestId('summary-table');
  await expect(table).toHaveAttribute('data-seeds', '3');
  await expect(table.locator('tbody tr[data-arm]')).toHaveCount(3);
  const verdicts = page.getByTestId('summary-verdict').locator('li');
  await expect(verdicts).toHaveCount(2);
  for (const v of await verdicts.allInnerTexts()) expect(v).toMatch(/over 3 seeds.*p = \d|same .* in every seed/);

  // Exports: CSV in the contract's long format, chart SVG and PNG, the manifest, train.py.
  const csv = (await readDownload(await lab.download('export-csv'))).trimEnd().split('\n');
  expect(csv[0]).toBe(CSV_HEADER);
  expect(new Set(csv.slice(1).map((l) => l.split(',')[2]))).toEqual(new Set(['1', '2', '3']));
  const svg = await readDownload(await lab.download('export-svg', lab.chart('chart-loss')));
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  // Three bands (fill-opacity 0.16) and a caption with the config under the chart.
  expect(svg.match(/fill-opacity="0.16"/g)?.length).toBeGreaterThanOrEqual(3);
  const caption = [...svg.matchAll(/font-size="10" font-family="sans-serif" fill="#52606d">([^<]*)</g)].map((m) => m[1]).join(' ');
  expect(caption).toContain('seeds 1, 2, 3');
  expect(caption).toContain('rg matched lr: SGD lr 0.05');
  const png = await lab.download('export-png', lab.chart('chart-accuracy'));
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  const manifest = JSON.parse(await readDownload(await lab.download('export-manifest')));
  expect(manifest).toMatchObject({ format: 'rg-lab-manifest', backend: 'wasm', seeds: [1, 2, 3], dataset: { name: 'builtin:shapes10', contentHash: 'builtin:shapes10@16px/seed1' } });
  expect(manifest.tfjs).toMatch(/^\d+\.\d+\.\d+$/);
  expect(manifest.config.arms.map((a: { name: string }) => a.name)).toEqual(['plain', 'rg', 'rg matched lr']);
  const trainPy = await readDownload(await lab.download('export-pytorch'));
  const dir = mkdtempSync(join(tmpdir(), 'rglab-e2e-'));
  writeFileSync(join(dir, 'train.py'), trainPy);
  const out = execFileSync('/usr/bin/python3', [join(dir, 'train.py'), '--smoke'], { encoding: 'utf8', timeout: 120_000 });
  const summaries = out.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).type === 'summary');
  expect(summaries).toHaveLength(9);

  // A reload keeps the experiment: its charts, summary and verdict come back from IndexedDB.
  const records = csv.length - 1;
  const verdictText = await page.getByTestId('summary-verdict').innerText();
  await page.reload();
  await expect(page.getByTestId('stored-run')).toBeVisible();
  await expect(page.getByTestId('experiment-row')).toHaveCount(1);
  await expect(page.getByTestId('experiment-row')).toHaveAttribute('data-status', 'done');
  await lab.waitForCurves('chart-loss', 3);
  await expect.poll(() => page.getByTestId('summary-verdict').innerText()).toBe(verdictText);
  const again = (await readDownload(await lab.download('export-csv'))).trimEnd().split('\n');
  expect(again.length - 1).toBe(records);
  await expect(page.getByTestId('seeds-input')).toHaveValue('3');
});

test('a link with ?config= opens those settings; a garbage one keeps the defaults and says why', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await lab.waitForBackend();
  await page.getByTestId('batch-size-input').fill('24');
  await page.getByTestId('seeds-input').fill('2');
  await page.getByTestId('seeds-input').blur();
  await page.getByTestId('copy-config-link').click();
  const link = await page.getByTestId('config-link').inputValue();
  expect(new URL(link).searchParams.get('config')).toContain('"batchSize":24');

  await page.goto(link);
  await expect(page.getByTestId('batch-size-input')).toHaveValue('24');
  await expect(page.getByTestId('seeds-input')).toHaveValue('2');

  await page.goto('/?config=%7B%22batchSize%22%3A-1%7D');
  await expect(page.getByRole('alert').filter({ hasText: '?config= was ignored' })).toContainText('batchSize');
  await expect(page.getByTestId('batch-size-input')).not.toHaveValue('-1');
});

test('a reload mid-run keeps every record received, marks the run interrupted and resumes it from its checkpoint', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await lab.waitForBackend();
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 40, evalEvery: 5 });
  await lab.click('start');
  await lab.waitForStep(12);
  await lab.waitForCurves('chart-accuracy', 2);
  // Paused, no record arrives any more; a second later every one received must be stored.
  await lab.click('pause');
  await lab.expectState('paused');
  await page.waitForTimeout(1200);
  const received = await page.getByTestId('record-count').getAttribute('data-count');
  expect(Number(received)).toBeGreaterThan(20);
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveAttribute('data-interrupted', 'true');
  await expect(page.getByTestId('experiment-row')).toHaveAttribute('data-status', 'interrupted');
  await expect(page.getByTestId('record-count')).toHaveAttribute('data-count', received!);
  await lab.waitForCurves('chart-loss', 2);
  await lab.waitForCurves('chart-accuracy', 2);

  // Resume: from the checkpoint of the last evaluation, under the same experiment, to the end.
  await lab.resumeToEnd(40, ['plain']);
});
