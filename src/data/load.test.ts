import { describe, expect, it } from 'vitest';
import { makeNoImagesZip, makeNoLayoutZip } from '../testing/brokenArchives';
import { makeImageFolderZip } from '../testing/datasetArchives';
import { loadError, loadFixture } from '../testing/loadFixture';
import { makeVocZip } from '../testing/segmentationArchives';
import type { LoadProgress } from './pace';
import { describeSummary } from './summary';

describe('loadArchiveDataset', () => {
  it('lists the four layouts with an example path each when none fits', async () => {
    const e = await loadError(makeNoLayoutZip(), { fileName: 'flat.zip' });
    expect(e.message).toMatch(/^flat\.zip: no known dataset layout \(found 6 images such as /);
    for (const example of ['train/cat/0001.png', 'cifar-10-batches-bin/data_batch_1.bin', 'VOC2012/JPEGImages/2007_000032.jpg', 'masks/0001.png', 'train/0001.jpg holding A and B']) {
      expect(e.message).toContain(example);
    }
    expect(e.message).not.toContain('\n');
  });

  it('says when there are no images at all', async () => {
    const e = await loadError(makeNoImagesZip(), { fileName: 'docs.zip' });
    expect(e.message).toBe(
      'docs.zip: no images: found no png, jpg, jpeg, gif, bmp, webp files and no CIFAR .bin files (the archive holds 2 files, e.g. docs/readme.txt, docs/data.csv)',
    );
  });

  it('refuses a dataset that does not suit the chosen task', async () => {
    const e = await loadError(makeVocZip(), { fileName: 'voc.zip', task: 'classify' });
    expect(e.message).toBe(
      'voc.zip: holds a Pascal VOC 2012 segmentation dataset, which is for segmentation, but the task is classification; switch the task to segment or choose another dataset',
    );
  });

  it('reports reading then decoding progress, and takes a Blob', async () => {
    const bytes = makeImageFolderZip({ perClass: 6 });
    const seen: LoadProgress[] = [];
    const { summary } = await loadFixture(new Blob([bytes as Uint8Array<ArrayBuffer>]) as unknown as Uint8Array, { onProgress: (p) => seen.push(p) });
    expect(summary.archiveBytes).toBe(bytes.length);
    expect(seen[0].phase).toBe('reading');
    expect(seen[seen.length - 1]).toMatchObject({ phase: 'decoding', files: 27, totalFiles: 27 });
  });

  it('can be cancelled while decoding', async () => {
    const ctrl = new AbortController();
    const load = loadFixture(makeImageFolderZip({ perClass: 30 }), {
      signal: ctrl.signal,
      onProgress: (p) => {
        if (p.phase === 'decoding') ctrl.abort();
      },
    });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('describes what it loaded on one line', async () => {
    const { summary } = await loadFixture(makeImageFolderZip({ classes: ['cat', 'dog'], perClass: 2, size: 8 }), { fileName: 'pets.zip' });
    const text = describeSummary(summary);
    expect(text).toMatch(/^pets\.zip: ImageFolder \(zip\), 4 train \+ 2 test; 2 classes \(images, train\/test\): cat 2\/1, dog 2\/1; images 8x8, resized to 32x32; /);
    expect(text).not.toContain('\n');
  });
});
