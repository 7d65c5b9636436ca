import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createClassifyArms, createDefaultConfig } from '../src/engine/config';
import { cifar10Files } from '../src/testing/datasetArchives';
import { makeJsonlRun } from '../src/testing/jsonlRuns';
import { LabPage, observeLongTasks, readDownload } from './labPage';

/** Imports of records written elsewhere: the runner's and train.py's JSONL, into the experiments panel. */

const dir = mkdtempSync(join(tmpdir(), 'rglab-import-'));

async function openLab(page: Page): Promise<LabPage> {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  await expect(page.getByTestId('experiments-panel')).toHaveAttribute('data-storage', 'indexeddb');
  return lab;
}

/** Checks the summary table and verdict of the run shown: these arms, `seeds` seeds, a verdict per non-baseline arm. */
async function expectSummary(page: Page, arms: string[], seeds: number): Promise<void> {
  const table = page.getByTestId('summary-table');
  await expect(table).toHaveAttribute('data-seeds', String(seeds));
  await expect(table.locator('tbody tr[data-arm]')).toHaveCount(arms.length);
  for (const arm of arms) await expect(table.locator(`tr[data-arm="${arm}"]`)).toBeVisible();
  await expect(page.getByTestId('summary-verdict').locator('li')).toHaveCount(arms.length - 1);
  await expect(page.getByTestId('summary-verdict')).not.toBeEmpty();
}

test("the runner's JSONL (2 arms x 3 seeds) imports with its summary table, seeds and verdict; a bad line is named and nothing stored is lost", async ({ page }) => {
  const config = { ...createDefaultConfig(), inputSize: 8, batchSize: 8, steps: 6, evalEvery: 3, seeds: [1, 2, 3], arms: createClassifyArms() };
  writeFileSync(join(dir, 'runner.json'), JSON.stringify(config));
  const out = join(dir, 'runner-metrics.jsonl');
  execFileSync('npx', ['tsx', 'src/cli/train.ts', '--config', join(dir, 'runner.json'), '--out', out, '--backend', 'cpu'], { timeout: 180_000, stdio: 'pipe' });
  expect(JSON.parse(readFileSync(out, 'utf8').split('\n')[0])).toMatchObject({ type: 'manifest', source: 'runner' });

  const lab = await openLab(page);
  await page.getByTestId('experiment-import').setInputFiles(out);
  const row = page.getByTestId('experiment-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(row.getByTestId('experiment-source')).toHaveText('runner');
  await expectSummary(page, ['plain', 'rg'], 3);
  await lab.waitForCurves('chart-loss', 2);
  await expect(page.getByTestId('seeds-input')).toHaveValue('3');

  // A file with a bad line: its file and line are named, the stored experiment stays.
  const lines = readFileSync(out, 'utf8').split('\n');
  lines[4] = lines[4].replace(/"loss":[^,]+,/, '"loss":"low",');
  await page.getByTestId('experiment-import').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('experiment-import-error')).toHaveText('broken.jsonl, line 5: record.loss: must be a number, is "low"');
  await expect(row).toHaveCount(1);
  await expectSummary(page, ['plain', 'rg'], 3);

  // Bundles still import through the same input: the imported run exported and imported again.
  const bundle = await readDownload(await lab.download('experiment-export', row));
  expect(JSON.parse(bundle).experiment.manifest).toMatchObject({ source: 'runner', files: ['runner-metrics.jsonl'] });
  await page.getByTestId('experiment-import').setInputFiles({ name: 'again.rglab.json', mimeType: 'application/json', buffer: Buffer.from(bundle) });
  await expect(row).toHaveCount(2);
  await expect(row.getByTestId('experiment-source')).toHaveText(['runner', 'runner']);
});

test("train.py's records (PyTorch on the CPU, real images, 2 seeds) import with both arms, both seeds and a verdict", async ({ page }) => {
  // A small CIFAR-10 binary dataset of generated class images, as an extracted archive (Debian's
  // PyTorch has no Pillow to read image files; CIFAR's batches are raw pixels).
  const data = join(dir, 'cifar');
  for (const [name, bytes] of cifar10Files({ perBatch: 8, batches: 2, test: 10 })) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(data, name)), { recursive: true });
    writeFileSync(join(data, name), bytes);
  }
  const config = { ...createDefaultConfig(), dataset: 'cifar-10-binary.tar.gz', inputSize: 8, batchSize: 4, steps: 4, evalEvery: 2, seeds: [1, 2], arms: createClassifyArms() };
  writeFileSync(join(dir, 'torch.json'), JSON.stringify(config));
  execFileSync('npx', ['tsx', 'src/cli/exportPytorch.ts', '--config', join(dir, 'torch.json'), '--out', join(dir, 'train.py')], { timeout: 120_000, stdio: 'pipe' });
  const out = join(dir, 'torch-metrics.jsonl');
  execFileSync('/usr/bin/python3', [join(dir, 'train.py'), '--data-root', data, '--out', out, '--device', 'cpu'], { timeout: 180_000, stdio: 'pipe', env: { ...process.env, OMP_NUM_THREADS: '1' } });

  await openLab(page);
  await page.getByTestId('experiment-import').setInputFiles(out);
  const row = page.getByTestId('experiment-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(row.getByTestId('experiment-source')).toHaveText('PyTorch');
  await expectSummary(page, ['plain', 'rg'], 2);
});

test('one file per seed dropped on the page makes one experiment; compare overlays it with a lab run and notes the config difference', async ({ page }) => {
  const lab = await openLab(page);
  // Records written elsewhere, one file per seed, dropped on the page together.
  const texts = [1, 2, 3].map((s) => makeJsonlRun({ seeds: [s], steps: 20, evalEvery: 10, rgAhead: 0.05 }));
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const [name, text] of files) dt.items.add(new File([text], name));
    return dt;
  }, texts.map((t, i): [string, string] => [`seed${i + 1}.jsonl`, t]));
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  const imported = page.getByTestId('experiment-row');
  await expect(imported).toHaveCount(1);
  await expect(imported).toContainText('seed1 +2 (runner)');
  await expectSummary(page, ['plain', 'rg'], 3);
  // RG is 5 points ahead on every seed: the lab's own paired test finds it.
  await expect(page.getByTestId('summary-verdict').locator('li[data-arm="rg"]')).toContainText('points higher than plain in final test accuracy');
  await expect(page.getByTestId('summary-verdict').locator('li[data-arm="rg"]')).not.toContainText('no significant difference between');

  // A short run in the lab, then both ticked for comparison.
  await lab.waitForBackend();
  await lab.configure({ inputSize: 8, batchSize: 8, steps: 4, evalEvery: 2 });
  await lab.click('start');
  await lab.expectState('done', 120_000);
  await expect(page.getByTestId('experiment-row')).toHaveCount(2);
  const labRow = page.locator('[data-testid="experiment-row"]').filter({ has: page.getByTestId('experiment-source').getByText('lab', { exact: true }) });
  await expect(labRow).toHaveCount(1);
  for (const box of await page.getByTestId('experiment-compare').all()) await box.check();
  await expect(page.getByTestId('experiments-compare-table')).toBeVisible();
  await expect(page.getByTestId('compare-metric')).toHaveAttribute('data-arms', '4');
  await expect(page.getByTestId('compare-loss')).toHaveAttribute('data-arms', '4');
  await expect(page.getByTestId('compare-config-note')).toContainText('have different configs: batchSize differs');
});

test('a large JSONL file streams in without freezing the page', async ({ page }) => {
  test.setTimeout(600_000);
  await observeLongTasks(page);
  // About 100 MB: 2 arms x 10 seeds x 30,000 steps.
  const path = join(dir, 'large.jsonl');
  writeFileSync(path, makeJsonlRun({ seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], steps: 30_000, evalEvery: 1000 }));
  const lab = await openLab(page);
  // When the imported experiment's row appears: the import is done, its opening starts.
  await page.evaluate(() => {
    const w = window as unknown as { __rowAt: number | null };
    w.__rowAt = null;
    new MutationObserver(() => {
      if (w.__rowAt === null && document.querySelector('[data-testid="experiment-row"]')) w.__rowAt = performance.now();
    }).observe(document.body, { childList: true, subtree: true });
  });
  const since = await lab.now();
  await page.getByTestId('experiment-import').setInputFiles(path);
  await expect(page.getByTestId('experiment-import-progress')).toContainText('MB');
  await expect(page.getByTestId('experiment-row')).toHaveCount(1, { timeout: 500_000 });
  const rowAt = await page.evaluate(() => (window as unknown as { __rowAt: number }).__rowAt);
  await expectSummary(page, ['plain', 'rg'], 10);
  const tasks = await lab.longTasks(since);
  console.log(`import ${((rowAt - since) / 1000).toFixed(1)} s; long tasks [start after import began, ms]: ${JSON.stringify(tasks.map(([t, d]) => [Math.round(t - since), Math.round(d)]))}; row at ${Math.round(rowAt - since)}`);
  // While the file is read, checked and stored, and then while the run is opened, no task holds
  // the page for long (read in one go, it would be one task of several seconds). The bound leaves
  // room for garbage collection on a loaded 2-core machine (up to ~370 ms seen; 200 ms typical).
  const longest = (from: number, to: number) => Math.max(0, ...tasks.filter(([t]) => t >= from && t < to).map(([, d]) => d));
  expect(longest(0, rowAt)).toBeLessThan(500);
  expect(longest(rowAt, Infinity)).toBeLessThan(500);
});
