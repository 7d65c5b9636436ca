import { expect, test } from '@playwright/test';
import { makeTruncatedZip } from '../src/testing/brokenArchives';
import { makeCifar10TarGz, makeImageFolderZip } from '../src/testing/datasetArchives';
import { LabPage } from './labPage';

/**
 * Archives through `dataset-input`, built here from generated images: an ImageFolder zip and a
 * CIFAR-10 binary tar.gz load, are summarised and train; a truncated zip names itself and the
 * dataset loaded before it stays in use. WebGL: the quicker backend on this machine's software GPU.
 */

test.use({ viewport: { width: 1440, height: 900 } });

const TINY = { inputSize: 16, batchSize: 8, steps: 4, evalEvery: 2 };

test('archives: ImageFolder zip and CIFAR-10 tar.gz load and train; a broken zip keeps the earlier dataset', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  await lab.configure(TINY);

  async function trainBriefly(): Promise<void> {
    await expect(page.getByTestId('start')).toBeEnabled();
    await lab.click('start');
    await lab.expectState('done', 120_000);
    expect(await lab.step()).toBe(TINY.steps);
  }

  await lab.uploadArchive('pets.zip', makeImageFolderZip({ classes: ['cat', 'dog', 'fox'], perClass: 8, size: 20, root: 'pets' }));
  const pets = await lab.datasetState('ready');
  expect(pets).toContain('pets.zip: ImageFolder (zip), classification');
  expect(pets).toContain('24 train (train/) + 12 test (test/)');
  expect(pets).toContain('3 classes (images, train/test)');
  expect(pets).toMatch(/cat\s+8\/4/);
  expect(pets).toContain('images 20×20, resized to 16×16×3');
  expect(pets).toContain('looked through the wrapping folder pets/');
  await expect(page.getByTestId('dataset-preview').locator('figure')).toHaveCount(16);
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('archive:pets.zip');
  await trainBriefly();

  await lab.uploadArchive('cifar-10-binary.tar.gz', makeCifar10TarGz({ perBatch: 10, test: 20 }));
  await expect(lab.datasetStatus).toContainText('cifar-10-binary.tar.gz: CIFAR-10 binary (tar.gz)');
  const cifar = await lab.datasetState('ready');
  expect(cifar).toContain('50 train (');
  expect(cifar).toContain('20 test (cifar-10-batches-bin/test_batch.bin)');
  expect(cifar).toContain('10 classes');
  expect(cifar).toMatch(/airplane\s+5\/2/);
  expect(cifar).toContain('images 32×32, resized to 16×16×3');
  await trainBriefly();

  await lab.uploadArchive('broken.zip', makeTruncatedZip());
  const broken = await lab.datasetState('error');
  expect(broken).toMatch(/DatasetError: broken\.zip: corrupt or truncated zip/);
  expect(broken).toContain('Still in use:');
  expect(broken).toContain('cifar-10-binary.tar.gz: CIFAR-10 binary (tar.gz)');
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('archive:cifar-10-binary.tar.gz');
  await trainBriefly();

  // After the broken one, a good archive loads as if nothing had happened.
  await lab.uploadArchive('birds.zip', makeImageFolderZip({ classes: ['owl', 'wren'], perClass: 6, size: 16, root: 'birds' }));
  expect(await lab.datasetState('ready')).toContain('birds.zip: ImageFolder (zip), classification');
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('archive:birds.zip');
});

test('dropping an archive anywhere on the page loads it', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?backend=webgl');
  expect(await lab.waitForBackend()).toBe('webgl');
  const bytes = Array.from(makeImageFolderZip({ classes: ['cat', 'dog'], perClass: 5, size: 16 }));
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.zip', { type: 'application/zip' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  await page.dispatchEvent('main', 'dragover', { dataTransfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  const summary = await lab.datasetState('ready');
  expect(summary).toContain('dropped.zip: ImageFolder (zip), classification');
  await expect(page.getByTestId('dataset-builtin')).toHaveValue('archive:dropped.zip');
});
