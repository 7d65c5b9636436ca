import { describe, expect, it } from 'vitest';
import { findWrapperPrefix, isCandidatePath, isJunkPath } from './paths';
import { splitRandom, splitStratified } from './split';

describe('splits', () => {
  it('holds out 20% of each class, seeded, at least one of a class with two or more', () => {
    const labels = Int32Array.from([...new Array(10).fill(0), ...new Array(5).fill(1), 2, 3, 3]);
    const a = splitStratified(labels, 4, 1);
    const count = (idx: Int32Array, k: number): number => Array.from(idx).filter((i) => labels[i] === k).length;
    expect([0, 1, 2, 3].map((k) => count(a.test, k))).toEqual([2, 1, 0, 1]);
    expect(a.train.length + a.test.length).toBe(labels.length);
    expect(splitStratified(labels, 4, 1)).toEqual(a);
    expect(splitStratified(labels, 4, 2)).not.toEqual(a);
    expect(splitRandom(10, 3).test).toHaveLength(2);
  });
});

describe('paths', () => {
  it('ignores macOS and Windows leftovers and dotfiles', () => {
    for (const p of ['__MACOSX/train/._a.png', 'train/.DS_Store', 'a/Thumbs.db', '.hidden/x.png', 'train/cat/.x.png']) expect(isJunkPath(p)).toBe(true);
    expect(isJunkPath('train/cat/a.png')).toBe(false);
    expect(isCandidatePath('train/cat/A.JPEG')).toBe(true);
    expect(isCandidatePath('VOC/Annotations/a.xml')).toBe(false);
  });

  it('looks through a single wrapping folder but never through a split or a layout folder', () => {
    expect(findWrapperPrefix(['data/v1/cat/a.png', 'data/v1/dog/b.png'])).toBe('data/v1/');
    expect(findWrapperPrefix(['data/train/cat/a.png', 'data/test/cat/b.png'])).toBe('data/');
    expect(findWrapperPrefix(['train/cat/a.png', 'train/dog/a.png'])).toBe('');
    expect(findWrapperPrefix(['cifar-10-batches-bin/data_batch_1.bin'])).toBe('');
    expect(findWrapperPrefix(['VOCdevkit/VOC2012/JPEGImages/a.jpg', 'VOCdevkit/VOC2012/SegmentationClass/a.png'])).toBe('VOCdevkit/VOC2012/');
  });
});
