import { describe, expect, it } from 'vitest';
import { loadBuiltinDataset } from '.';
import { generateLabels2Scenes, LABELS2SCENES_CLASSES, LABELS2SCENES_PALETTE } from './labels2scenes';

const SIZE = 32;
const PIXELS = SIZE * SIZE * 3;

/** Class index per pixel of label map `n`, from its palette colours (-1 if a colour is off-palette). */
function classesOf(a: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let p = n * PIXELS; p < (n + 1) * PIXELS; p += 3) {
    out.push(LABELS2SCENES_PALETTE.findIndex((c) => c[0] === a[p] && c[1] === a[p + 1] && c[2] === a[p + 2]));
  }
  return out;
}

describe('builtin:labels2scenes', () => {
  const ds = generateLabels2Scenes({ size: SIZE, trainCount: 24, testCount: 8, seed: 3 });

  it('pairs label maps with scenes of the same size, and is registered for the translate task', () => {
    expect(ds).toMatchObject({ kind: 'translate', name: 'labels2scenes', height: SIZE, width: SIZE, channels: 3 });
    expect([ds.train.n, ds.test.n]).toEqual([24, 8]);
    expect(ds.train.a).toHaveLength(24 * PIXELS);
    expect(ds.train.b).toHaveLength(24 * PIXELS);
    expect(LABELS2SCENES_PALETTE).toHaveLength(LABELS2SCENES_CLASSES.length);
    const builtin = loadBuiltinDataset('builtin:labels2scenes', { inputSize: 16, seed: 1 });
    expect(builtin.kind).toBe('translate');
    expect(builtin.height).toBe(16);
  });

  it('label maps use only palette colours: sky on top, ground at the bottom, several classes per scene', () => {
    const seen = new Set<number>();
    for (let n = 0; n < ds.train.n; n++) {
      const classes = classesOf(ds.train.a, n);
      expect(classes.includes(-1)).toBe(false);
      classes.forEach((c) => seen.add(c));
      expect(new Set(classes).size).toBeGreaterThanOrEqual(4);
      const bottomRow = classes.slice(-SIZE);
      expect(bottomRow.every((c) => c >= 3)).toBe(true);
      expect(['sky', 'building', 'vegetation']).toContain(LABELS2SCENES_CLASSES[classes[0]]);
    }
    expect(seen.size).toBe(LABELS2SCENES_CLASSES.length);
  });

  it('scenes follow their labels: sky pixels are bluer and brighter than road pixels', () => {
    let skyBlue = 0;
    let roadBlue = 0;
    let skyN = 0;
    let roadN = 0;
    for (let n = 0; n < ds.train.n; n++) {
      classesOf(ds.train.a, n).forEach((c, p) => {
        const i = n * PIXELS + p * 3;
        const blue = ds.train.b[i + 2];
        if (c === 0) {
          skyBlue += blue;
          skyN++;
        } else if (c === 4) {
          roadBlue += blue;
          roadN++;
        }
      });
    }
    expect(skyBlue / skyN).toBeGreaterThan(roadBlue / roadN + 60);
  });

  it('is a pure function of the seed, and each image does not depend on the counts', () => {
    const again = generateLabels2Scenes({ size: SIZE, trainCount: 4, testCount: 2, seed: 3 });
    expect(again.train.a).toEqual(ds.train.a.subarray(0, 4 * PIXELS));
    expect(again.train.b).toEqual(ds.train.b.subarray(0, 4 * PIXELS));
    expect(again.test.b).toEqual(ds.test.b.subarray(0, 2 * PIXELS));
    const other = generateLabels2Scenes({ size: SIZE, trainCount: 4, testCount: 0, seed: 4 });
    expect(other.train.b).not.toEqual(again.train.b);
    expect(() => generateLabels2Scenes({ size: 8 })).toThrow(/16 to 128/);
  });
});
