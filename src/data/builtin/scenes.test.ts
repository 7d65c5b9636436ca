import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX, type SegmentationDataset } from '../../engine/dataset';
import { BUILTIN_DATASETS, loadBuiltinDataset } from './index';
import { vocColor, vocColormap } from '../vocPalette';
import { generateScenes, scenesClassNames } from './scenes';

/** Byte equality without vitest's element-by-element deep diff, which takes seconds on images. */
function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function labelFractions(ds: SegmentationDataset): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of ds.train.masks) counts.set(m, (counts.get(m) ?? 0) + 1);
  return new Map([...counts].map(([k, v]) => [k, v / ds.train.masks.length]));
}

describe('builtin:scenes', () => {
  it('has the declared shapes, VOC palette, class names and channel statistics', () => {
    const ds = generateScenes({ size: 32, trainCount: 20, testCount: 5, seed: 1 });
    expect(ds.kind).toBe('segment');
    expect(ds.train.images).toHaveLength(20 * 32 * 32 * 3);
    expect(ds.train.masks).toHaveLength(20 * 32 * 32);
    expect(ds.test.masks).toHaveLength(5 * 32 * 32);
    expect(ds.classNames).toEqual(['background', 'disc', 'square', 'triangle', 'ring', 'star']);
    expect(ds.palette).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128], [128, 0, 128]]);
    expect(vocColor(255)).toEqual([224, 224, 192]);
    expect(vocColormap(21)[20]).toEqual([0, 64, 128]);
    expect(ds.mean.every((m) => m > 0.1 && m < 0.9)).toBe(true);
    expect(ds.std.every((s) => s > 0.05)).toBe(true);
  });

  it('is the same for the same seed, differs across seeds, and draws each scene independently of the counts', () => {
    const a = generateScenes({ size: 24, trainCount: 6, testCount: 2, seed: 5 });
    const b = generateScenes({ size: 24, trainCount: 6, testCount: 2, seed: 5 });
    const c = generateScenes({ size: 24, trainCount: 6, testCount: 2, seed: 6 });
    const more = generateScenes({ size: 24, trainCount: 9, testCount: 3, seed: 5 });
    expect(isSameBytes(a.train.images, b.train.images) && isSameBytes(a.train.masks, b.train.masks)).toBe(true);
    expect(isSameBytes(a.train.images, c.train.images)).toBe(false);
    expect(isSameBytes(a.train.images, more.train.images.subarray(0, a.train.images.length))).toBe(true);
    expect(isSameBytes(a.test.masks, more.test.masks.subarray(0, a.test.masks.length))).toBe(true);
    expect(isSameBytes(a.train.images.subarray(0, 24 * 24 * 3), a.test.images.subarray(0, 24 * 24 * 3))).toBe(false);
  });

  it('labels every class, mostly background, with a void band that widens from 1 px to 2 px at 64 px', () => {
    const small = generateScenes({ size: 32, trainCount: 200, testCount: 0, seed: 0 });
    const large = generateScenes({ size: 64, trainCount: 200, testCount: 0, seed: 0 });
    for (const ds of [small, large]) {
      const f = labelFractions(ds);
      for (const k of f.keys()) expect(k === IGNORE_INDEX || k < 6).toBe(true);
      for (let k = 1; k < 6; k++) expect(f.get(k)).toBeGreaterThan(0.01);
      expect(f.get(0)).toBeGreaterThan(0.55);
      expect(f.get(0)).toBeLessThan(0.9);
    }
    // The same scenes at twice the size: a band twice as wide in pixels covers about the same fraction.
    const voidSmall = labelFractions(small).get(IGNORE_INDEX) as number;
    const voidLarge = labelFractions(large).get(IGNORE_INDEX) as number;
    expect(voidSmall).toBeGreaterThan(0.03);
    expect(voidSmall).toBeLessThan(0.15);
    expect(voidLarge / voidSmall).toBeGreaterThan(0.7);
    expect(voidLarge / voidSmall).toBeLessThan(1.3);
  });

  it('separates two different labels by void: no class pixel touches another class', () => {
    for (const s of [32, 64]) expect(countTouchingLabels(generateScenes({ size: s, trainCount: 20, testCount: 0, seed: 3 }), 20)).toBe(0);
  });

  it('validates its options and renders 1,000 images at 64 px quickly', () => {
    expect(() => generateScenes({ size: 200 })).toThrow(/8 to 128/);
    expect(() => generateScenes({ numClasses: 12 })).toThrow(/2 to 9/);
    expect(generateScenes({ size: 16, numClasses: 9, trainCount: 2, testCount: 1 }).classNames).toEqual(scenesClassNames(9));
    const t0 = performance.now();
    generateScenes({ size: 64, trainCount: 1000, testCount: 0 });
    // About 2 s on one free core; the bound leaves room for a busy machine.
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it('is listed for the segment task and loads at the input size', () => {
    expect(BUILTIN_DATASETS.find((d) => d.id === 'builtin:scenes')?.task).toBe('segment');
    const ds = loadBuiltinDataset('builtin:scenes', { inputSize: 16, seed: 2 });
    expect(ds.kind).toBe('segment');
    expect(ds.height).toBe(16);
  });
});

/** Pairs of 4-adjacent pixels with two different class labels (neither void). */
function countTouchingLabels(ds: SegmentationDataset, n: number): number {
  const s = ds.width;
  let touching = 0;
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const i = k * s * s + y * s + x;
        const a = ds.train.masks[i];
        if (a === IGNORE_INDEX) continue;
        const right = x + 1 < s ? ds.train.masks[i + 1] : IGNORE_INDEX;
        const below = y + 1 < s ? ds.train.masks[i + s] : IGNORE_INDEX;
        for (const other of [right, below]) if (other !== IGNORE_INDEX && other !== a) touching++;
      }
    }
  }
  return touching;
}
