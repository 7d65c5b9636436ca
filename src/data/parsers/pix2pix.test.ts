import { describe, expect, it } from 'vitest';
import { makeZip } from '../../testing/archives';
import { loadFixture } from '../../testing/loadFixture';
import { makePix2pixZip, pix2pixFiles } from '../../testing/segmentationArchives';
import { vocColormap } from './segmentation';

describe('pix2pix pairs', () => {
  it('splits each image into A (left) and B (right), in train/ and val/', async () => {
    const { dataset, summary } = await loadFixture(makePix2pixZip({ train: 4, val: 2, size: 8 }), { inputSize: 8 });
    if (dataset.kind !== 'translate') throw new Error('expected pairs');
    expect(summary).toMatchObject({ layout: 'pix2pix', task: 'translate', counts: { train: 4, test: 2 }, imageSizes: [{ width: 16, height: 8, count: 6 }] });
    expect(summary.histogramUnit).toBe('none');
    // A is the label map: every pixel is a VOC palette colour.
    const palette = new Set(vocColormap(256).map((c) => c.join(',')));
    for (let i = 0; i < 64; i++) expect(palette.has(Array.from(dataset.train.a.subarray(i * 3, i * 3 + 3)).join(','))).toBe(true);
  });

  it('swaps the halves for B to A', async () => {
    const bytes = makePix2pixZip({ size: 8 });
    const ab = await loadFixture(bytes, { inputSize: 8 });
    const ba = await loadFixture(bytes, { inputSize: 8, pairDirection: 'BtoA' });
    if (ab.dataset.kind !== 'translate' || ba.dataset.kind !== 'translate') throw new Error('expected pairs');
    expect(ba.dataset.train.a).toEqual(ab.dataset.train.b);
    expect(ba.dataset.test.b).toEqual(ab.dataset.test.a);
    expect(ba.summary.notes).toContain('direction B to A: the right half is the input');
  });

  it('defaults to 64x64 and takes test/ when there is no val/', async () => {
    const files = pix2pixFiles({ format: 'jpg' }).map(([p, d]): [string, Uint8Array] => [p.replace('/val/', '/test/'), d]);
    const { dataset, summary } = await loadFixture(makeZip(files));
    expect([dataset.height, dataset.width]).toEqual([64, 64]);
    expect(summary.splitSources).toEqual({ train: 'train/', test: 'test/' });
  });
});
