import { describe, expect, it } from 'vitest';
import { encodePngImage } from '../testing/png';
import { decodeImageNode } from './decodeNode';
import { decodePngImage } from './decodePng';
import { resizeNearest, resizeRgbaToRgb } from './image';

describe('resizing', () => {
  it('averages areas when shrinking and interpolates when enlarging', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([i < 8 ? 0 : 200, 100, 50, 255], i * 4);
    const half = new Uint8Array(2 * 2 * 3);
    resizeRgbaToRgb({ width: 4, data: rgba }, { x: 0, y: 0, width: 4, height: 4 }, 2, 2, half, 0);
    expect(Array.from(half)).toEqual([0, 100, 50, 0, 100, 50, 200, 100, 50, 200, 100, 50]);
    const three = new Uint8Array(3 * 3 * 3);
    resizeRgbaToRgb({ width: 4, data: rgba }, { x: 0, y: 0, width: 4, height: 4 }, 3, 3, three, 0);
    expect([three[0], three[3 * 3], three[6 * 3]]).toEqual([0, 100, 200]);
    const big = new Uint8Array(8 * 8 * 3);
    resizeRgbaToRgb({ width: 4, data: rgba }, { x: 0, y: 0, width: 4, height: 4 }, 8, 8, big, 0);
    expect([big[0], big[3 * 8 * 3], big[4 * 8 * 3], big[7 * 8 * 3]]).toEqual([0, 50, 150, 200]);
  });

  it('shrinks by 2, 4 and 8 to the rounded-half-up mean of each block, from any region', () => {
    // A 34x34 RGB image (some sums land on .5: rounding up is checked), the 32x32 region at (1, 1).
    const rgb = Uint8Array.from({ length: 34 * 34 * 3 }, (_, i) => (i * 97 + (i >> 5) * 13) % 256);
    let halves = 0;
    for (const f of [2, 4, 8]) {
      const side = 32 / f;
      const out = new Uint8Array(side * side * 3 + 5);
      resizeRgbaToRgb({ width: 34, data: rgb, channels: 3 }, { x: 1, y: 1, width: 32, height: 32 }, side, side, out, 5);
      const want: number[] = [];
      for (let oy = 0; oy < side; oy++) {
        for (let ox = 0; ox < side; ox++) {
          for (let c = 0; c < 3; c++) {
            let sum = 0;
            for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += rgb[((1 + oy * f + dy) * 34 + 1 + ox * f + dx) * 3 + c];
            want.push(Math.round(sum / (f * f)));
            if ((sum * 2) % (f * f) === 0 && sum % (f * f) !== 0) halves++;
          }
        }
      }
      expect(Array.from(out.subarray(5))).toEqual(want);
    }
    expect(halves).toBeGreaterThan(0);
  });

  it('keeps mask values with nearest neighbour', () => {
    const out = new Uint8Array(16);
    resizeNearest(Uint8Array.from([1, 2, 3, 255]), 2, 2, 4, 4, out, 0);
    expect(Array.from(out)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 255, 255, 3, 3, 255, 255]);
  });
});

describe('PNG and JPEG decoding in Node', () => {
  it('returns palette indices and colours for palette PNGs', () => {
    const png = encodePngImage({ width: 2, height: 1, data: Uint8Array.from([0, 2]), color: 'palette', palette: [[0, 0, 0], [9, 9, 9], [10, 20, 30]] });
    const img = decodePngImage(png, { indexed: true });
    expect(Array.from(img.indices!)).toEqual([0, 2]);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 10, 20, 30, 255]);
    expect(decodePngImage(png).indices).toBeUndefined();
  });

  it('returns grey levels as indices, and RGB PNGs without them', () => {
    const grey = decodePngImage(encodePngImage({ width: 3, height: 1, data: Uint8Array.from([0, 5, 255]), color: 'gray' }), { indexed: true });
    expect(Array.from(grey.indices!)).toEqual([0, 5, 255]);
    const rgb = decodePngImage(encodePngImage({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3]), color: 'rgb' }), { indexed: true });
    expect(rgb.indices).toBeUndefined();
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 255]);
  });

  it('refuses forged sizes and unknown formats with a reason', async () => {
    const png = encodePngImage({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3]), color: 'rgb' });
    const forged = png.slice();
    new DataView(forged.buffer).setUint32(16, 100000);
    new DataView(forged.buffer).setUint32(20, 100000);
    expect(() => decodePngImage(forged)).toThrow('100000x100000 is too large an image');
    await expect(decodeImageNode(Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]), 'a.gif')).rejects.toThrow('the headless runner reads PNG and JPEG only, not GIF');
    await expect(decodeImageNode(Uint8Array.from([0xff, 0xd8, 0xff, 0, 0, 0]), 'a.jpg')).rejects.toThrow(/^corrupt or truncated JPEG/);
  });
});
