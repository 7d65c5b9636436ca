import { describe, expect, it } from 'vitest';
import { computeChannelStats, type ClassificationDataset, type ImageSplit } from '../../engine/dataset';
import { BUILTIN_DATASETS, loadBuiltinDataset } from './index';
import { generateShapes10, SHAPES10_CLASS_NAMES, type Shapes10Difficulty } from './shapes10';

function countLabels(split: ImageSplit): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of split.labels) counts[l]++;
  return counts;
}

/** Byte equality without vitest's element-by-element deep diff, which takes seconds on images. */
function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** FNV-1a over one image's bytes, to compare images across splits cheaply. */
function hashImage(split: ImageSplit, i: number, pixels: number): string {
  let h = 0x811c9dc5;
  for (let k = i * pixels; k < (i + 1) * pixels; k++) h = Math.imul(h ^ split.images[k], 0x01000193);
  return (h >>> 0).toString(16);
}

/**
 * Rotation-, position- and colour-invariant shape descriptors of one image: the radial profile
 * and moments of the bright mass (shapes are lighter than their background), its area and
 * edge density, and the Fourier magnitudes of the gradient-orientation histogram (a k-fold
 * symmetric outline puts its energy at multiples of k whatever the rotation).
 */
function describeShape(ds: ClassificationDataset, split: ImageSplit, i: number): number[] {
  const s = ds.width;
  const lum = new Float64Array(s * s);
  let sum = 0;
  for (let p = 0; p < s * s; p++) {
    const o = (i * s * s + p) * 3;
    lum[p] = (split.images[o] + split.images[o + 1] + split.images[o + 2]) / 765;
    sum += lum[p];
  }
  const mean = sum / (s * s);
  let sq = 0;
  for (const v of lum) sq += (v - mean) ** 2;
  const sd = Math.sqrt(sq / (s * s)) + 1e-6;
  const mass = Array.from(lum, (v) => Math.max(0, (v - mean) / sd));
  let m = 1e-9;
  let cx = 0;
  let cy = 0;
  let area = 0;
  mass.forEach((w, p) => {
    m += w;
    cx += w * ((p % s) + 0.5);
    cy += w * (Math.floor(p / s) + 0.5);
    if (w > 0.5) area++;
  });
  cx /= m;
  cy /= m;
  const central = (pp: number, qq: number): number => {
    let acc = 0;
    mass.forEach((w, p) => {
      acc += w * ((p % s) + 0.5 - cx) ** pp * (Math.floor(p / s) + 0.5 - cy) ** qq;
    });
    return acc / m;
  };
  const mu20 = central(2, 0);
  const mu02 = central(0, 2);
  const mu11 = central(1, 1);
  const scale = Math.sqrt(mu20 + mu02) + 1e-6;
  const nu = (pp: number, qq: number): number => central(pp, qq) / scale ** (pp + qq);
  const elongation = Math.hypot(mu20 - mu02, 2 * mu11) / (mu20 + mu02 + 1e-9);
  const hu3 = (nu(3, 0) - 3 * nu(1, 2)) ** 2 + (3 * nu(2, 1) - nu(0, 3)) ** 2;
  const hu4 = (nu(3, 0) + nu(1, 2)) ** 2 + (nu(2, 1) + nu(0, 3)) ** 2;

  const profile = new Array<number>(6).fill(0);
  const re = new Array<number>(8).fill(0);
  const im = new Array<number>(8).fill(0);
  let edgeWeight = 1e-9;
  let edge = 0;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const p = y * s + x;
      const r = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      profile[Math.min(5, Math.floor(r / scale / 0.5))] += mass[p] / m;
      const gx = (lum[y * s + Math.min(s - 1, x + 1)] - lum[y * s + Math.max(0, x - 1)]) / 2;
      const gy = (lum[Math.min(s - 1, y + 1) * s + x] - lum[Math.max(0, y - 1) * s + x]) / 2;
      const mag = Math.hypot(gx, gy);
      edge += mag;
      const w = mag * Math.exp(-((r / (2.5 * scale)) ** 2));
      const angle = Math.atan2(gy, gx);
      edgeWeight += w;
      for (let k = 0; k < 8; k++) {
        re[k] += w * Math.cos((k + 1) * angle);
        im[k] += w * Math.sin((k + 1) * angle);
      }
    }
  }
  const spectrum = re.map((r, k) => Math.hypot(r, im[k]) / edgeWeight);
  const areaFrac = area / (s * s);
  return [...profile, elongation, hu3, hu4, areaFrac, edge / sd / s / Math.sqrt(areaFrac + 1e-3), ...spectrum];
}

/** Accuracy of a nearest-class-mean classifier on standardised features. */
function nearestClassMeanAccuracy(train: number[][], trainLabels: Int32Array, test: number[][], testLabels: Int32Array): number {
  const d = train[0].length;
  const mu = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const f of train) f.forEach((v, j) => (mu[j] += v / train.length));
  for (const f of train) f.forEach((v, j) => (sd[j] += (v - mu[j]) ** 2 / train.length));
  const z = (f: number[]): number[] => f.map((v, j) => (v - mu[j]) / (Math.sqrt(sd[j]) + 1e-9));
  const centres = Array.from({ length: 10 }, () => new Array<number>(d).fill(0));
  const counts = new Array<number>(10).fill(0);
  train.forEach((f, i) => {
    counts[trainLabels[i]]++;
    z(f).forEach((v, j) => (centres[trainLabels[i]][j] += v));
  });
  centres.forEach((c, k) => c.forEach((_, j) => (c[j] /= counts[k])));
  let correct = 0;
  test.forEach((f, i) => {
    const q = z(f);
    let best = 0;
    let bestDist = Infinity;
    centres.forEach((c, k) => {
      const dist = c.reduce((acc, v, j) => acc + (v - q[j]) ** 2, 0);
      if (dist < bestDist) {
        bestDist = dist;
        best = k;
      }
    });
    if (best === testLabels[i]) correct++;
  });
  return correct / test.length;
}

describe('generateShapes10', () => {
  it('is deterministic in the seed', () => {
    const opts = { size: 16, trainCount: 50, testCount: 20 };
    const a = generateShapes10({ ...opts, seed: 7 });
    const b = generateShapes10({ ...opts, seed: 7 });
    const c = generateShapes10({ ...opts, seed: 8 });
    expect(isSameBytes(b.train.images, a.train.images)).toBe(true);
    expect(isSameBytes(b.test.images, a.test.images)).toBe(true);
    expect(b.train.labels).toEqual(a.train.labels);
    let differing = 0;
    for (let i = 0; i < a.train.images.length; i++) if (a.train.images[i] !== c.train.images[i]) differing++;
    expect(differing / a.train.images.length).toBeGreaterThan(0.5);
    expect(c.train.labels).not.toEqual(a.train.labels);
  });

  it.each([16, 32])('has the documented layout at %i px', (size) => {
    const ds = generateShapes10({ size, trainCount: 40, testCount: 20 });
    expect(ds).toMatchObject({ kind: 'classify', name: 'builtin:shapes10', height: size, width: size, channels: 3 });
    expect(ds.classNames).toEqual([...SHAPES10_CLASS_NAMES]);
    expect(new Set(ds.classNames).size).toBe(10);
    expect(ds.train.n).toBe(40);
    expect(ds.train.images.length).toBe(40 * size * size * 3);
    expect(ds.train.labels.length).toBe(40);
    expect(ds.test.n).toBe(20);
    expect(ds.test.images.length).toBe(20 * size * size * 3);
  });

  it('defaults to 5,000 train and 1,000 test images of 32 px', () => {
    const ds = generateShapes10();
    expect([ds.train.n, ds.test.n, ds.width]).toEqual([5000, 1000, 32]);
    expect(countLabels(ds.train)).toEqual(new Array(10).fill(500));
    expect(countLabels(ds.test)).toEqual(new Array(10).fill(100));
  });

  it('balances classes and shuffles their order', () => {
    const ds = generateShapes10({ size: 8, trainCount: 200, testCount: 100, seed: 3 });
    expect(countLabels(ds.train)).toEqual(new Array(10).fill(20));
    expect(countLabels(ds.test)).toEqual(new Array(10).fill(10));
    let inPlace = 0;
    ds.train.labels.forEach((l, i) => (inPlace += l === i % 10 ? 1 : 0));
    expect(inPlace).toBeLessThan(60);
  });

  it('keeps test images out of the training split', () => {
    const ds = generateShapes10({ size: 16, trainCount: 500, testCount: 200 });
    const pixels = 16 * 16 * 3;
    const trainHashes = new Set(Array.from({ length: ds.train.n }, (_, i) => hashImage(ds.train, i, pixels)));
    expect(trainHashes.size).toBe(ds.train.n);
    for (let i = 0; i < ds.test.n; i++) expect(trainHashes.has(hashImage(ds.test, i, pixels))).toBe(false);
  });

  it('draws the same scenes and labels at every size', () => {
    const small = generateShapes10({ size: 16, trainCount: 30, testCount: 10, seed: 5 });
    const large = generateShapes10({ size: 32, trainCount: 30, testCount: 10, seed: 5 });
    expect(large.train.labels).toEqual(small.train.labels);
    expect(large.test.labels).toEqual(small.test.labels);
  });

  it('reports sane channel statistics and uses the whole intensity range', () => {
    const ds = generateShapes10({ size: 16, trainCount: 300, testCount: 10, seed: 2 });
    expect(computeChannelStats(ds.train.images, 3)).toEqual({ mean: ds.mean, std: ds.std });
    for (let c = 0; c < 3; c++) {
      expect(ds.mean[c]).toBeGreaterThan(0.1);
      expect(ds.mean[c]).toBeLessThan(0.6);
      expect(ds.std[c]).toBeGreaterThan(0.1);
      expect(ds.std[c]).toBeLessThan(0.4);
    }
    expect(ds.train.images.reduce((a, v) => Math.min(a, v), 255)).toBeLessThanOrEqual(5);
    expect(ds.train.images.reduce((a, v) => Math.max(a, v), 0)).toBeGreaterThanOrEqual(250);
    const pixels = 16 * 16 * 3;
    const ranges = Array.from({ length: ds.train.n }, (_, i) => {
      const img = ds.train.images.subarray(i * pixels, (i + 1) * pixels);
      return Math.max(...img) - Math.min(...img);
    }).sort((a, b) => a - b);
    expect(ranges[Math.floor(ranges.length / 2)]).toBeGreaterThan(120);
  });

  it('rejects sizes and counts it cannot honour', () => {
    expect(() => generateShapes10({ size: 7 })).toThrow(/8 to 128/);
    expect(() => generateShapes10({ size: 129 })).toThrow(/8 to 128/);
    expect(() => generateShapes10({ size: 16.5 })).toThrow(/8 to 128/);
    expect(() => generateShapes10({ size: 8, trainCount: 15 })).toThrow(/multiple of 10/);
  });

  // Learnable but not trivial: invariant shape descriptors separate the classes far better than
  // chance yet far from perfectly, while raw pixels and colour statistics stay near chance, so
  // neither position nor colour gives the label away.
  // [difficulty, shape descriptors' accuracy range, raw pixels' ceiling]: 'easy' (upright, solid,
  // no clutter) separates better than 'hard' on the same descriptors; colour stays near chance in both.
  const LEARNABLE: [Shapes10Difficulty, number, number, number][] = [
    ['hard', 0.45, 0.9, 0.3],
    ['easy', 0.8, 1, 0.4],
  ];
  it.each(LEARNABLE)('%s: is learnable from shape, not from colour', (difficulty, shapeLow, shapeHigh, rawHigh) => {
    const ds = generateShapes10({ size: 16, trainCount: 1000, testCount: 500, seed: 11, difficulty });
    const describe = (split: ImageSplit): number[][] => Array.from({ length: split.n }, (_, i) => describeShape(ds, split, i));
    const pixels = 16 * 16 * 3;
    const raw = (split: ImageSplit): number[][] =>
      Array.from({ length: split.n }, (_, i) => Array.from(split.images.subarray(i * pixels, (i + 1) * pixels)));
    const colour = (split: ImageSplit): number[][] =>
      raw(split).map((img) => {
        const out: number[] = [];
        for (let c = 0; c < 3; c++) {
          const ch = img.filter((_, k) => k % 3 === c);
          const mean = ch.reduce((a, v) => a + v, 0) / ch.length;
          out.push(mean, Math.sqrt(ch.reduce((a, v) => a + (v - mean) ** 2, 0) / ch.length));
        }
        return out;
      });

    const shapeAcc = nearestClassMeanAccuracy(describe(ds.train), ds.train.labels, describe(ds.test), ds.test.labels);
    const rawAcc = nearestClassMeanAccuracy(raw(ds.train), ds.train.labels, raw(ds.test), ds.test.labels);
    const colourAcc = nearestClassMeanAccuracy(colour(ds.train), ds.train.labels, colour(ds.test), ds.test.labels);
    expect(shapeAcc).toBeGreaterThan(shapeLow);
    expect(shapeAcc).toBeLessThan(shapeHigh);
    expect(rawAcc).toBeLessThan(rawHigh);
    expect(colourAcc).toBeLessThan(0.25);
  });
});

describe('loadBuiltinDataset', () => {
  it('lists shapes10 as a classification dataset', () => {
    expect(BUILTIN_DATASETS.map((d) => d.id)).toContain('builtin:shapes10');
    expect(BUILTIN_DATASETS.find((d) => d.id === 'builtin:shapes10')?.task).toBe('classify');
  });

  it('renders shapes10 at the input size, from the seed', () => {
    const a = loadBuiltinDataset('builtin:shapes10', { inputSize: 16, seed: 4 });
    const b = generateShapes10({ size: 16, seed: 4 });
    expect(a.width).toBe(16);
    if (a.kind !== 'classify') throw new Error(`expected a classification dataset, got ${a.kind}`);
    expect(isSameBytes(a.train.images, b.train.images)).toBe(true);
  });

  it('keeps the old difficulty as builtin:shapes10-hard: same labels, other pixels', () => {
    const hard = loadBuiltinDataset('builtin:shapes10-hard', { inputSize: 16, seed: 4 });
    const easy = loadBuiltinDataset('builtin:shapes10', { inputSize: 16, seed: 4 });
    const ref = generateShapes10({ size: 16, seed: 4, difficulty: 'hard' });
    if (hard.kind !== 'classify' || easy.kind !== 'classify') throw new Error('expected classification datasets');
    expect(hard.name).toBe('builtin:shapes10-hard');
    expect(BUILTIN_DATASETS.find((d) => d.id === 'builtin:shapes10-hard')?.task).toBe('classify');
    expect(isSameBytes(hard.train.images, ref.train.images)).toBe(true);
    expect(hard.train.labels).toEqual(easy.train.labels);
    expect(isSameBytes(hard.train.images, easy.train.images)).toBe(false);
  });

  it('names the unknown id and the allowed ones', () => {
    expect(() => loadBuiltinDataset('builtin:nope', { inputSize: 32 })).toThrow(/"builtin:nope".*builtin:shapes10/);
  });
});
