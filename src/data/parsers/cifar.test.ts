import { describe, expect, it } from 'vitest';
import { gzip, makeTar, makeZip } from '../../testing/archives';
import { makeBadCifarLengthTarGz, makeTruncatedTarGz } from '../../testing/brokenArchives';
import { cifar100Files, cifar10Files, makeCifar100Tar, makeCifar10TarGz } from '../../testing/datasetArchives';
import { loadError, loadFixture } from '../../testing/loadFixture';
import { CIFAR10_CLASSES } from './cifar';

describe('CIFAR binary', () => {
  it('loads cifar-10-binary.tar.gz as the official archive lays it out', async () => {
    const { dataset, summary } = await loadFixture(makeCifar10TarGz({ perBatch: 20, test: 30 }), { fileName: 'cifar-10-binary.tar.gz' });
    if (dataset.kind !== 'classify') throw new Error('expected classification');
    expect(summary).toMatchObject({
      layout: 'cifar10',
      format: 'tar.gz',
      counts: { train: 100, test: 30 },
      imageSizes: [{ width: 32, height: 32, count: 130 }],
      inputSize: 32,
    });
    expect(summary.splitSources.train).toBe(
      [1, 2, 3, 4, 5].map((b) => `cifar-10-batches-bin/data_batch_${b}.bin`).join(', '),
    );
    expect(dataset.classNames).toEqual(CIFAR10_CLASSES);
    expect(Array.from(dataset.train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(summary.classHistogram.train).toEqual(new Array(10).fill(10));
  });

  it('turns the R, G and B planes into NHWC pixels, and resizes on request', async () => {
    const files = cifar10Files({ perBatch: 2, batches: 1, test: 2 });
    const batch = files.find(([p]) => p.endsWith('data_batch_1.bin'))![1];
    const { dataset } = await loadFixture(makeZip(files));
    if (dataset.kind !== 'classify') throw new Error('expected classification');
    const px = (y: number, x: number): number[] => Array.from(dataset.train.images.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([batch[1], batch[1 + 1024], batch[1 + 2048]]);
    expect(px(5, 7)).toEqual([batch[1 + 167], batch[1 + 1024 + 167], batch[1 + 2048 + 167]]);
    const small = await loadFixture(makeZip(files), { inputSize: 16 });
    expect(small.dataset.kind === 'classify' && small.dataset.train.images.length).toBe(2 * 16 * 16 * 3);
  });

  it('loads CIFAR-100 with fine labels by default and coarse on request', async () => {
    const fine = await loadFixture(makeCifar100Tar({ train: 200, test: 100 }), { fileName: 'cifar-100-binary.tar' });
    expect(fine.summary).toMatchObject({ layout: 'cifar100', format: 'tar', counts: { train: 200, test: 100 } });
    expect(fine.summary.classNames).toHaveLength(100);
    expect(fine.summary.classNames[42]).toBe('fine42');
    const coarse = await loadFixture(gzip(makeTar(cifar100Files())), { cifarLabels: 'coarse' });
    expect(coarse.summary.classNames).toHaveLength(20);
    expect(coarse.summary.classHistogram.train).toEqual(new Array(20).fill(10));
    if (coarse.dataset.kind !== 'classify') throw new Error('expected classification');
    expect(coarse.dataset.name).toBe('CIFAR-100 (20 coarse labels)');
  });

  it('splits the training batches 80/20 when test_batch.bin is missing', async () => {
    const files = cifar10Files({ perBatch: 25, batches: 2 }).filter(([p]) => !p.endsWith('test_batch.bin'));
    const { summary } = await loadFixture(makeZip(files));
    expect(summary.counts).toEqual({ train: 40, test: 10 });
    expect(summary.classHistogram.test).toEqual(new Array(10).fill(1));
    expect(summary.notes).toContain('no test batch: made a seeded stratified 80/20 split of data_batch_1.bin, data_batch_2.bin');
  });

  it('names a file that is not a whole number of records', async () => {
    const e = await loadError(makeBadCifarLengthTarGz(), { fileName: 'cifar-10-binary.tar.gz' });
    expect(e.message).toBe(
      'cifar-10-batches-bin/data_batch_2.bin in cifar-10-binary.tar.gz: 12297 bytes is not a whole number of 3073-byte CIFAR-10 records ' +
        '(5 bytes left over after 4 records); the file is truncated or not CIFAR-10',
    );
    const files = cifar100Files({ train: 3, test: 2 }).map(([p, d]): [string, Uint8Array] => [p, p.endsWith('test.bin') ? d.slice(0, 3073 * 2) : d]);
    expect((await loadError(makeTar(files), { fileName: 'c100.tar' })).message).toMatch(
      /^cifar-100-binary\/test\.bin in c100\.tar: 6146 bytes is not a whole number of 3074-byte CIFAR-100 records/,
    );
  });

  it('names a truncated download and a record with an impossible label', async () => {
    expect((await loadError(makeTruncatedTarGz(), { fileName: 'cifar-10-binary.tar.gz' })).message).toMatch(
      /^cifar-10-binary\.tar\.gz: corrupt or truncated gzip: unexpected (EOF|end of file)/,
    );
    const files = cifar10Files({ perBatch: 3, batches: 1, test: 2 });
    files.find(([p]) => p.endsWith('data_batch_1.bin'))![1][3073] = 12;
    expect((await loadError(makeZip(files))).message).toBe(
      'cifar-10-batches-bin/data_batch_1.bin in fixture.zip: record 1 has label 12; CIFAR-10 labels are 0..9',
    );
  });

  it('refuses a dataset over the memory budget with a clear message', async () => {
    const e = await loadError(makeCifar10TarGz({ perBatch: 10 }), { memoryBudgetBytes: 100_000 });
    expect(e.message).toBe(
      'fixture.zip: 60 images at 32x32 need 180 KB of memory, over the 97.7 KB budget; choose a smaller input size or a smaller archive',
    );
  });
});
