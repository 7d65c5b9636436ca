import { describe, expect, it } from 'vitest';
import { makeZip } from '../../testing/archives';
import { makeAllCorruptImagesZip, makeCorruptImageZip, makeEmptyClassFolderZip } from '../../testing/brokenArchives';
import { encodeImage, imageFolderFiles, makeClassImage, makeImageFolderZip } from '../../testing/datasetArchives';
import { loadError, loadFixture } from '../../testing/loadFixture';
import { Rng } from '../../engine/rng';

describe('ImageFolder', () => {
  it('loads train/ and test/ class folders, ignoring junk, at the input size', async () => {
    const { dataset, summary } = await loadFixture(makeImageFolderZip({ classes: ['dog', 'cat', 'bird'], perClass: 4, testPerClass: 2, size: 10 }), {
      inputSize: 8,
    });
    if (dataset.kind !== 'classify') throw new Error('expected classification');
    expect(dataset.classNames).toEqual(['bird', 'cat', 'dog']);
    expect([dataset.train.n, dataset.test.n]).toEqual([12, 6]);
    expect(dataset.train.images.length).toBe(12 * 8 * 8 * 3);
    expect([dataset.height, dataset.width, dataset.channels]).toEqual([8, 8, 3]);
    expect(summary).toMatchObject({
      layout: 'imagefolder',
      layoutName: 'ImageFolder',
      format: 'zip',
      task: 'classify',
      counts: { train: 12, test: 6 },
      splitSources: { train: 'train/', test: 'test/' },
      classHistogram: { train: [4, 4, 4], test: [2, 2, 2] },
      imageSizes: [{ width: 10, height: 10, count: 18 }],
      skippedCount: 0,
      notes: [],
    });
    expect(dataset.mean.every((m) => m > 0 && m < 1)).toBe(true);
  });

  it('keeps pixels exact at the native size (PNG) and close to them from JPEG', async () => {
    const rgb = makeClassImage(Rng.stream(3, 'dataset'), 1, 8, 8);
    const zip = (fmt: 'png' | 'jpg'): Uint8Array =>
      makeZip([
        ['train/a/0.' + fmt, encodeImage(rgb, 8, 8, fmt)],
        ['train/b/0.' + fmt, encodeImage(rgb, 8, 8, fmt)],
        ['test/a/0.' + fmt, encodeImage(rgb, 8, 8, fmt)],
      ]);
    const png = await loadFixture(zip('png'), { inputSize: 8 });
    expect(png.dataset.kind === 'classify' && Array.from(png.dataset.train.images.subarray(0, 192))).toEqual(Array.from(rgb));
    const jpg = await loadFixture(zip('jpg'), { inputSize: 8 });
    if (jpg.dataset.kind !== 'classify') throw new Error('expected classification');
    const diff = jpg.dataset.train.images.subarray(0, 192).reduce((s, v, i) => s + Math.abs(v - rgb[i]), 0) / 192;
    expect(diff).toBeLessThan(12);
  });

  it('makes a seeded stratified 80/20 split without split folders, and says so', async () => {
    const bytes = makeImageFolderZip({ classes: 2, perClass: 10, split: false, root: 'mydata', format: 'jpg' });
    const a = await loadFixture(bytes, { seed: 5 });
    const b = await loadFixture(bytes, { seed: 5 });
    const c = await loadFixture(bytes, { seed: 6 });
    expect(a.summary.counts).toEqual({ train: 16, test: 4 });
    expect(a.summary.classHistogram).toEqual({ train: [8, 8], test: [2, 2] });
    expect(a.summary.notes).toContain('no split folders: made a seeded stratified 80/20 split');
    expect(a.summary.notes).toContain('looked through the wrapping folder mydata/');
    expect(a.summary.splitSources.train).toBe('80% of the class folders');
    if (a.dataset.kind !== 'classify' || b.dataset.kind !== 'classify' || c.dataset.kind !== 'classify') throw new Error('expected classification');
    expect(b.dataset.test.images).toEqual(a.dataset.test.images);
    expect(c.dataset.test.images).not.toEqual(a.dataset.test.images);
  });

  it('splits train/ 80/20 when there is no test/ or val/, and uses val/ when there is no test/', async () => {
    const onlyTrain = imageFolderFiles({ perClass: 5 }).filter(([p]) => !p.startsWith('test/'));
    const a = await loadFixture(makeZip(onlyTrain));
    expect(a.summary.counts).toEqual({ train: 12, test: 3 });
    expect(a.summary.notes).toContain('no test/ or val/ folder: made a seeded stratified 80/20 split of train/');
    const withVal = imageFolderFiles({ perClass: 2 }).map(([p, d]): [string, Uint8Array] => [p.replace(/^test\//, 'Val/'), d]);
    const b = await loadFixture(makeZip(withVal));
    expect(b.summary.splitSources).toEqual({ train: 'train/', test: 'val/' });
    expect(b.summary.counts).toEqual({ train: 6, test: 3 });
  });

  it('reads upper-case extensions and skips stray files outside the class folders', async () => {
    const files = imageFolderFiles({ perClass: 2 }).map(([p, d]): [string, Uint8Array] => [p.replace('.png', '.PNG'), d]);
    const { summary } = await loadFixture(makeZip([...files, ['train/stray.png', files[5][1]]]));
    expect(summary.counts.train).toBe(6);
    expect(summary.skipped).toEqual([{ file: 'train/stray.png', reason: 'sits in a split folder but not in a class folder' }]);
  });

  it('names a class folder with no images', async () => {
    const e = await loadError(makeEmptyClassFolderZip(), { fileName: 'pets.zip' });
    expect(e.message).toBe('train/empty/ in pets.zip: is a class folder with no images (png, jpg, jpeg, gif, bmp or webp)');
    expect(e.file).toBe('train/empty/');
  });

  it('skips and counts unreadable images, and fails only when none is readable', async () => {
    const { summary } = await loadFixture(makeCorruptImageZip());
    expect(summary.counts.train).toBe(9);
    expect(summary.skippedCount).toBe(2);
    expect(summary.skipped.map((s) => s.file).sort()).toEqual(['train/class1/broken.png', 'train/class2/fake.jpg']);
    expect(summary.skipped.every((s) => s.reason.startsWith('unreadable image: '))).toBe(true);
    const e = await loadError(makeAllCorruptImagesZip(), { fileName: 'bad.zip' });
    expect(e.message).toMatch(/^bad\.zip: no readable images: all 9 failed to load; the first: test\/class0\/0000\.png: unreadable image: corrupt or truncated PNG/);
  });
});
