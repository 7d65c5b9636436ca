import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createClassifyArms, createDefaultConfig } from '../src/engine/config';
import { makeJsonlRun } from '../src/testing/jsonlRuns';
import { LabPage, observeLongTasks } from './labPage';

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
  const since = await lab.now();
  await page.getByTestId('experiment-import').setInputFiles(path);
  await expect(page.getByTestId('experiment-import-progress')).toContainText('MB');
  // While the file is read and stored, the page answers: no task holds it for long.
  await expect(page.getByTestId('experiment-row')).toHaveCount(1, { timeout: 500_000 });
  const longest = Math.max(0, ...(await lab.longTasks(since)).map(([, d]) => d));
  expect(longest).toBeLessThan(300);
  await expectSummary(page, ['plain', 'rg'], 10);
});
