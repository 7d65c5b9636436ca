import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX } from '../../engine/dataset';
import { makeZip } from '../../testing/archives';
import { makeBadMaskValueZip, makeWrongMaskSizeZip } from '../../testing/brokenArchives';
import { loadError, loadFixture } from '../../testing/loadFixture';
import { imagesMasksFiles, makeImagesMasksZip, makeVocZip, vocFiles } from '../../testing/segmentationArchives';
import { VOC_CLASSES, vocColormap } from './segmentation';

describe('Pascal VOC 2012', () => {
  it('has the standard colour map', () => {
    const map = vocColormap(256);
    expect(map.slice(0, 4)).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]]);
    expect(map[15]).toEqual([192, 128, 128]);
    expect(map[255]).toEqual([224, 224, 192]);
  });

  it('loads JPEGImages with palette masks, split by ImageSets/Segmentation lists', async () => {
    const { dataset, summary } = await loadFixture(makeVocZip({ train: 4, val: 2, width: 20, height: 16 }), { fileName: 'voc.zip', inputSize: 16 });
    if (dataset.kind !== 'segment') throw new Error('expected segmentation');
    expect(summary).toMatchObject({
      layout: 'voc',
      task: 'segment',
      counts: { train: 4, test: 2 },
      splitSources: { train: 'VOCdevkit/VOC2012/ImageSets/Segmentation/train.txt', test: 'VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt' },
      imageSizes: [{ width: 20, height: 16, count: 6 }],
      histogramUnit: 'images showing the class',
      skippedCount: 0,
    });
    expect(dataset.classNames).toEqual(VOC_CLASSES);
    expect(dataset.palette[1]).toEqual([128, 0, 0]);
    expect(dataset.train.masks.length).toBe(4 * 16 * 16);
    const values = new Set(dataset.train.masks);
    expect(values.has(IGNORE_INDEX)).toBe(true);
    expect([...values].every((v) => v < 21 || v === IGNORE_INDEX)).toBe(true);
    expect(summary.classHistogram.train[0]).toBe(4);
  });

  it('defaults to 64x64 and makes a seeded split without ImageSets', async () => {
    const { dataset, summary } = await loadFixture(makeVocZip({ lists: false, train: 5, val: 0 }));
    expect([dataset.height, dataset.width]).toEqual([64, 64]);
    expect(summary.counts).toEqual({ train: 4, test: 1 });
    expect(summary.notes).toContain('no train and test/val lists or folders: made a seeded 80/20 split');
  });

  it('skips ids listed without files', async () => {
    const files = vocFiles({ train: 3, val: 2 }).filter(([p]) => !p.endsWith('SegmentationClass/2007_000033.png'));
    const { summary } = await loadFixture(makeZip(files));
    expect(summary.counts).toEqual({ train: 2, test: 2 });
    expect(summary.skipped).toEqual([
      {
        file: 'VOCdevkit/VOC2012/ImageSets/Segmentation/train.txt',
        reason: 'lists 2007_000033, but VOCdevkit/VOC2012/SegmentationClass/2007_000033.png is missing',
      },
    ]);
  });
});

describe('images/ + masks/', () => {
  it('pairs images and greyscale masks by base name, with classes.txt', async () => {
    const { dataset, summary } = await loadFixture(makeImagesMasksZip({ n: 10, classes: 4 }), { inputSize: 12 });
    if (dataset.kind !== 'segment') throw new Error('expected segmentation');
    expect(summary).toMatchObject({ layout: 'images-masks', counts: { train: 8, test: 2 } });
    expect(dataset.classNames).toEqual(['background', 'thing1', 'thing2', 'thing3']);
    expect(dataset.palette).toHaveLength(4);
  });

  it('resizes masks with nearest neighbour: only values that were there', async () => {
    const { dataset } = await loadFixture(makeImagesMasksZip({ n: 5, classes: 3, maskKind: 'palette' }), { inputSize: 33 });
    if (dataset.kind !== 'segment') throw new Error('expected segmentation');
    expect([...new Set(dataset.train.masks)].every((v) => v <= 2 || v === 255)).toBe(true);
  });

  it('uses train/ and val/ folders, counts classes without classes.txt, and skips unpaired files', async () => {
    const files = imagesMasksFiles({ n: 10, classes: 3, split: true, classesTxt: false, format: 'jpg' }).filter(([p]) => !p.endsWith('masks/img001.png'));
    const { dataset, summary } = await loadFixture(makeZip(files));
    expect(summary.counts).toEqual({ train: 6, test: 3 });
    expect(summary.splitSources).toEqual({ train: 'train/', test: 'val/ or test/' });
    expect(summary.skipped).toEqual([{ file: 'seg/train/images/img001.jpg', reason: 'has no mask (expected masks/img001.png beside images/)' }]);
    expect(dataset.kind === 'segment' && dataset.classNames.length).toBeLessThanOrEqual(3);
    expect(summary.notes.some((n) => n.startsWith('no classes.txt: '))).toBe(true);
  });

  it('names a mask whose size differs from its image', async () => {
    const e = await loadError(makeWrongMaskSizeZip(), { fileName: 'seg.zip' });
    expect(e.message).toBe('seg/masks/img001.png in seg.zip: is 11x10 but its image seg/images/img001.png is 12x10; a mask must match its image');
  });

  it('names a mask value at or above the class count (255 is fine)', async () => {
    const e = await loadError(makeBadMaskValueZip(), { fileName: 'seg.zip' });
    expect(e.message).toBe('seg/masks/img002.png in seg.zip: has the value 7 at x=3, y=2, but there are 4 classes (0..3); use 255 for pixels to ignore');
  });
});
