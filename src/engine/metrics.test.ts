import { describe, expect, it } from 'vitest';
import { ABSENT_CLASS_IOU, confusionMatrix, segmentationScores } from './metrics';
import { Rng } from './rng';

describe('confusionMatrix', () => {
  it('counts (truth, prediction) pairs row-major and skips ignored labels', () => {
    const labels = [0, 0, 1, 1, 2, 255, 255];
    const preds = [0, 1, 1, 1, 0, 2, 1];
    expect(Array.from(confusionMatrix(labels, preds, 3))).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 0]);
  });

  it('adds into a given matrix and rejects mismatched lengths and out-of-range predictions', () => {
    const m = confusionMatrix([0, 1], [0, 1], 2);
    confusionMatrix([1], [0], 2, 255, m);
    expect(Array.from(m)).toEqual([1, 0, 1, 1]);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/1 labels but 2 predictions/);
    expect(() => confusionMatrix([0], [5], 2)).toThrow(/outside 0..1/);
  });
});

describe('segmentationScores (FCN / VOC definitions)', () => {
  it('matches a hand-computed 3-class case', () => {
    // n = [[1,1,0],[0,2,0],[1,0,0]]: t = [2,2,1], p = [2,3,0].
    const s = segmentationScores([1, 1, 0, 0, 2, 0, 1, 0, 0], 3);
    expect(s.pixelAccuracy).toBeCloseTo(3 / 5, 12);
    expect(s.meanAccuracy).toBeCloseTo((1 / 2 + 2 / 2 + 0) / 3, 12);
    expect(s.perClassIoU[0]).toBeCloseTo(1 / 3, 12);
    expect(s.perClassIoU[1]).toBeCloseTo(2 / 3, 12);
    expect(s.perClassIoU[2]).toBe(0);
    expect(s.mIoU).toBeCloseTo(1 / 3, 12);
    expect(s.fwIoU).toBeCloseTo((2 * (1 / 3) + 2 * (2 / 3) + 1 * 0) / 5, 12);
  });

  it('leaves a class absent from truth and prediction out of mIoU and marks it -1', () => {
    const s3 = segmentationScores([1, 1, 0, 0, 2, 0, 1, 0, 0], 3);
    // The same pixels with a fourth class that never occurs.
    const s4 = segmentationScores([1, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], 4);
    expect(s4.perClassIoU[3]).toBe(ABSENT_CLASS_IOU);
    expect(s4.mIoU).toBeCloseTo(s3.mIoU, 12);
    expect(s4.meanAccuracy).toBeCloseTo(s3.meanAccuracy, 12);
    expect(s4.fwIoU).toBeCloseTo(s3.fwIoU, 12);
    expect(s4.pixelAccuracy).toBeCloseTo(s3.pixelAccuracy, 12);
  });

  it('counts a class that is only predicted (IoU 0) in mIoU but not in mean accuracy', () => {
    // Truth: two pixels of class 0; predictions 0 and 2; class 1 appears nowhere.
    const s = segmentationScores(confusionMatrix([0, 0, 255], [0, 2, 1], 3), 3);
    expect(s.perClassIoU).toEqual([0.5, ABSENT_CLASS_IOU, 0]);
    expect(s.mIoU).toBeCloseTo(0.25, 12);
    expect(s.meanAccuracy).toBeCloseTo(0.5, 12);
    expect(s.pixelAccuracy).toBeCloseTo(0.5, 12);
    expect(s.fwIoU).toBeCloseTo(0.5, 12);
  });

  it('scores a perfect prediction 1 and an empty matrix 0, with every class absent', () => {
    const perfect = segmentationScores(confusionMatrix([0, 1, 2, 2], [0, 1, 2, 2], 3), 3);
    expect(perfect).toEqual({ pixelAccuracy: 1, meanAccuracy: 1, mIoU: 1, fwIoU: 1, perClassIoU: [1, 1, 1] });
    const empty = segmentationScores(new Float64Array(4), 2);
    expect(empty).toEqual({ pixelAccuracy: 0, meanAccuracy: 0, mIoU: 0, fwIoU: 0, perClassIoU: [-1, -1] });
    expect(() => segmentationScores([1, 2, 3], 2)).toThrow(/has 4 cells, got 3/);
  });

  it('agrees with per-class set counting on random labels, and survives a JSON round trip', () => {
    const rng = new Rng(7);
    const k = 5;
    const n = 2000;
    const labels = Array.from({ length: n }, () => (rng.next() < 0.1 ? 255 : rng.int(k - 1)));
    const preds = Array.from({ length: n }, () => rng.int(k));
    const s = segmentationScores(confusionMatrix(labels, preds, k), k);
    for (let c = 0; c < k; c++) {
      let inter = 0;
      let union = 0;
      labels.forEach((t, i) => {
        if (t === 255) return;
        if (t === c && preds[i] === c) inter++;
        if (t === c || preds[i] === c) union++;
      });
      expect(s.perClassIoU[c]).toBeCloseTo(inter / union, 12);
    }
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
