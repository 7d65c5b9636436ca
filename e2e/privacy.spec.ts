import { expect, test } from '@playwright/test';
import { makeImageFolderZip } from '../src/testing/datasetArchives';
import { LabPage } from './labPage';

/** Everything stays on the person's machine: a strict CSP, and no request leaves the origin. */

test('the built page carries a same-origin CSP and makes no request off its origin in a whole session: upload, training, exports', async ({ page, baseURL }) => {
  const offOrigin: string[] = [];
  const origin = new URL(baseURL!).origin;
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) offOrigin.push(url);
  });
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=webgl');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toMatch(/https?:/);
  expect(await lab.waitForBackend()).toBe('webgl');
  await lab.uploadArchive('pets.zip', makeImageFolderZip({ classes: ['cat', 'dog'], perClass: 6, size: 16, root: 'pets' }));
  await lab.datasetState('ready');
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 3, evalEvery: 3 });
  await lab.click('start');
  await lab.expectState('done', 120_000);
  await lab.download('export-csv');
  await lab.download('export-manifest');
  await lab.download('export-svg', lab.chart('chart-loss'));
  expect(offOrigin).toEqual([]);
});

test('after the first load the lab opens and trains offline (service worker)', async ({ page, context }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // A second online load goes through the service worker, which keeps every file it serves.
  await page.reload();
  expect(await lab.waitForBackend()).toBe('wasm');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  expect(await lab.waitForBackend()).toBe('wasm');
  await lab.configure({ inputSize: 16, batchSize: 8, steps: 3, evalEvery: 3 });
  await lab.click('start');
  await lab.expectState('done', 120_000);
  await context.setOffline(false);
});
