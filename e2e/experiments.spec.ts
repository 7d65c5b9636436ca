import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ExperimentsPanel } from './experimentsPage';
import { LabPage, readDownload } from './labPage';
import { ResultsPanel } from './resultsPanel';
import { saveScreenshot } from './screenshots';
import { SettingsPanel } from './settingsPanel';

/**
 * The experiments issue as a new user meets it: plain vs RG vs a matched-LR control over 3
 * seeds gives bands, a verdict with p-values, survives a reload, and exports CSV, SVG, PNG, the
 * manifest and a train.py that runs. wasm keeps it quick on a machine without a GPU.
 */

test.use({ viewport: { width: 1440, height: 1000 } });

const CSV_HEADER = 'experiment,arm,seed,step,epoch,metric,value';

test('the first screen: plain, RG and the matched-lr control over 3 seeds on shapes10 at 16 px', async ({ page }) => {
  const lab = new LabPage(page);
  const settings = new SettingsPanel(page);
  await lab.open('?backend=wasm');
  await expect(page.locator('[data-testid="arm-card"]')).toHaveCount(3);
  for (const name of ['plain', 'rg', 'rg matched lr']) await expect(settings.arm(name).root).toBeVisible();
  await expect(settings.arm('rg').lr).toHaveValue('0.1');
  await expect(settings.arm('rg matched lr').lr).toHaveValue('0.05');
  await expect(settings.seeds).toHaveValue('3');
  await expect(settings.builtinDataset).toHaveValue('builtin:shapes10');
  await expect(page.getByTestId('input-size-input')).toHaveValue('16');
});

test('3 seeds of plain vs RG vs matched LR: bands, verdict, reload, exports', async ({ page }, info) => {
  const lab = new LabPage(page);
  const settings = new SettingsPanel(page);
  const results = new ResultsPanel(page);
  const experiments = new ExperimentsPanel(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 12, evalEvery: 4 });
  await settings.setSeeds(3);
  await settings.arm('rg').addMatchedLr();
  await expect(settings.arm('rg matched lr').root).toBeVisible();
  await expect(settings.arm('rg matched lr').lr).toHaveValue('0.05');
  await experiments.expectStorage('indexeddb');

  await lab.click('start');
  await lab.expectState('done', 180_000);
  await lab.waitForCurves('chart-loss', 3);
  await lab.waitForCurves('chart-accuracy', 3);
  // Each arm's mean over its 3 seeds has a band; single seeds appear on demand.
  await expect(lab.chart('chart-loss').locator('path.series-band')).toHaveCount(3);
  await results.showSeeds(true);
  await expect(lab.chart('chart-loss').locator('path.series-seed')).toHaveCount(9);
  await lab.waitForCurves('chart-paired-diff', 2);
  await results.showSeeds(false);
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, info, 'seeds.png');

  await expect(results.summaryTable).toHaveAttribute('data-seeds', '3');
  await expect(results.summaryRows).toHaveCount(3);
  await expect(results.verdicts).toHaveCount(2);
  for (const v of await results.verdicts.allInnerTexts()) expect(v).toMatch(/over 3 seeds.*p = \d|same .* in every seed/);

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
  const verdictText = await results.verdictText.innerText();
  await page.reload();
  await expect(experiments.storedRun).toBeVisible();
  await expect(experiments.rows).toHaveCount(1);
  await expect(experiments.rows).toHaveAttribute('data-status', 'done');
  await lab.waitForCurves('chart-loss', 3);
  await expect.poll(() => results.verdictText.innerText()).toBe(verdictText);
  const again = (await readDownload(await lab.download('export-csv'))).trimEnd().split('\n');
  expect(again.length - 1).toBe(records);
  await expect(settings.seeds).toHaveValue('3');
});

test('a link with ?config= opens those settings; a garbage one keeps the defaults and says why', async ({ page }) => {
  const lab = new LabPage(page);
  const settings = new SettingsPanel(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await lab.waitForBackend();
  await settings.setBatchSize(24);
  await settings.setSeeds(2);
  const link = await settings.copyConfigLink();
  expect(new URL(link).searchParams.get('config')).toContain('"batchSize":24');

  await page.goto(link);
  await expect(settings.batchSize).toHaveValue('24');
  await expect(settings.seeds).toHaveValue('2');

  await page.goto('/?config=%7B%22batchSize%22%3A-1%7D');
  await expect(page.getByRole('alert').filter({ hasText: '?config= was ignored' })).toContainText('batchSize');
  await expect(settings.batchSize).not.toHaveValue('-1');
});

test('a reload mid-run keeps every record received, marks the run interrupted and resumes it from its checkpoint', async ({ page }) => {
  const lab = new LabPage(page);
  const experiments = new ExperimentsPanel(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await lab.waitForBackend();
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 40, evalEvery: 5 });
  await lab.click('start');
  await lab.waitForStep(12);
  await lab.waitForCurves('chart-accuracy', 2);
  // Paused, no record arrives any more: wait until IndexedDB holds every one received.
  await lab.click('pause');
  await lab.expectState('paused');
  const received = await experiments.waitUntilStored();
  expect(received).toBeGreaterThan(20);
  await page.reload();
  await expect(experiments.storedRun).toHaveAttribute('data-interrupted', 'true');
  await expect(experiments.rows).toHaveAttribute('data-status', 'interrupted');
  await expect(experiments.recordCount).toHaveAttribute('data-count', String(received));
  await lab.waitForCurves('chart-loss', 2);
  await lab.waitForCurves('chart-accuracy', 2);

  // Resume: from the checkpoint of the last evaluation, under the same experiment, to the end.
  await lab.resumeToEnd(40, ['plain']);
});
