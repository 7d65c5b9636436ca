import { describe, expect, it } from 'vitest';
import type { EvalRecord } from '../../engine/records';
import { latestPerClassIoU, renderImage, renderMaskOverlay, type Rgb } from './pixels';

describe('sample pixels', () => {
  it('copies one sample of a batch as opaque RGBA, grey for one channel', () => {
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(Array.from(renderImage(rgb, 1, 2, 3))).toEqual([20, 21, 22, 255, 23, 24, 25, 255, 26, 27, 28, 255, 29, 30, 31, 255]);
    expect(Array.from(renderImage(Uint8Array.from([9, 8, 7, 6]), 0, 2, 1))).toEqual([9, 9, 9, 255, 8, 8, 8, 255, 7, 7, 7, 255, 6, 6, 6, 255]);
  });

  it('blends class colours over the image (black background at half strength) and hatches void pixels', () => {
    const image = new Uint8Array(2 * 2 * 3).fill(100);
    const palette: Rgb[] = [
      [0, 0, 0],
      [200, 0, 100],
    ];
    const out = renderMaskOverlay(image, Uint8Array.from([0, 1, 255, 7]), 0, 2, 3, palette, 0.5);
    expect(Array.from(out.slice(0, 4))).toEqual([75, 75, 75, 255]);
    expect(Array.from(out.slice(4, 8))).toEqual([150, 50, 100, 255]);
    // (x, y) = (0, 1): void, on a black stripe.
    expect(Array.from(out.slice(8, 12))).toEqual([0, 0, 0, 255]);
    // Class 7 is beyond the palette: magenta, so it shows.
    expect(Array.from(out.slice(12, 16))).toEqual([178, 50, 178, 255]);
  });

  it('finds the latest per-class IoU of an arm', () => {
    const ev = (step: number, perClassIoU?: number[]): EvalRecord => ({ type: 'eval', arm: 'a', seed: 1, step, epoch: 0, metrics: perClassIoU ? { mIoU: 0.5, perClassIoU } : { mIoU: 0.5 } });
    expect(latestPerClassIoU(undefined)).toBeNull();
    expect(latestPerClassIoU([ev(1, [0.1, -1]), ev(2, [0.3, 0.2]), ev(3)])).toEqual([0.3, 0.2]);
  });
});
