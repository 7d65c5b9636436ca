/**
 * Segmentation and pix2pix archives for tests: Pascal VOC 2012 in miniature (palette masks,
 * ImageSets lists), the generic images/ + masks/ layout, and side-by-side pix2pix pairs.
 */

import { vocColormap } from '../data/parsers/segmentation';
import { Rng } from '../engine/rng';
import { makeZip, textBytes, type FixtureFiles } from './archives';
import { encodeImage, junkFiles, type ImageFormat } from './datasetArchives';
import { encodePngImage } from './png';

const VOC_PALETTE = vocColormap(256);

/** A scene and its mask: background 0, rectangles of classes 1..classes-1, a 255 (ignore) outline. */
export function makeScene(rng: Rng, width: number, height: number, classes: number): { rgb: Uint8Array; mask: Uint8Array } {
  const mask = new Uint8Array(width * height);
  for (let r = 0; r < 2; r++) {
    const k = 1 + rng.int(classes - 1);
    const w = 2 + rng.int(Math.max(1, width >> 1));
    const h = 2 + rng.int(Math.max(1, height >> 1));
    const x0 = rng.int(Math.max(1, width - w));
    const y0 = rng.int(Math.max(1, height - h));
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) {
        const edge = y === y0 || x === x0 || y === Math.min(height, y0 + h) - 1 || x === Math.min(width, x0 + w) - 1;
        mask[y * width + x] = edge ? 255 : k;
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const c = VOC_PALETTE[mask[i] === 255 ? 0 : mask[i]];
    for (let j = 0; j < 3; j++) rgb[i * 3 + j] = Math.min(255, c[j] + rng.int(32));
  }
  return { rgb, mask };
}

/** A mask as a palette PNG with the VOC colours (as VOC stores them) or as greyscale. */
export function encodeMask(mask: Uint8Array, width: number, height: number, kind: 'palette' | 'gray'): Uint8Array {
  return kind === 'palette'
    ? encodePngImage({ width, height, data: mask, color: 'palette', palette: VOC_PALETTE })
    : encodePngImage({ width, height, data: mask, color: 'gray' });
}

export interface VocOptions {
  train?: number;
  val?: number;
  width?: number;
  height?: number;
  seed?: number;
  /** Write ImageSets/Segmentation/train.txt and val.txt (default true). */
  lists?: boolean;
}

/** VOCdevkit/VOC2012 in miniature: JPEG images, palette masks, split lists, and files VOC has that are not used. */
export function vocFiles(opts: VocOptions = {}): FixtureFiles {
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 201);
  const w = opts.width ?? 20;
  const h = opts.height ?? 16;
  const root = 'VOCdevkit/VOC2012/';
  const nTrain = opts.train ?? 4;
  const n = nTrain + (opts.val ?? 2);
  const ids = Array.from({ length: n }, (_, i) => `2007_${String(i + 32).padStart(6, '0')}`);
  const files: FixtureFiles = [...junkFiles()];
  ids.forEach((id) => {
    const { rgb, mask } = makeScene(rng, w, h, 21);
    files.push([`${root}JPEGImages/${id}.jpg`, encodeImage(rgb, w, h, 'jpg')]);
    files.push([`${root}SegmentationClass/${id}.png`, encodeMask(mask, w, h, 'palette')]);
    files.push([`${root}Annotations/${id}.xml`, textBytes('<annotation/>')]);
  });
  files.push([`${root}JPEGImages/2008_000001.jpg`, encodeImage(makeScene(rng, w, h, 21).rgb, w, h, 'jpg')]);
  if (opts.lists !== false) {
    files.push([`${root}ImageSets/Segmentation/train.txt`, textBytes(ids.slice(0, nTrain).join('\n') + '\n')]);
    files.push([`${root}ImageSets/Segmentation/val.txt`, textBytes(ids.slice(nTrain).join('\n') + '\n')]);
  }
  return files;
}

/** Pascal VOC 2012 in miniature, as a zip. */
export function makeVocZip(opts: VocOptions = {}): Uint8Array {
  return makeZip(vocFiles(opts));
}

export interface ImagesMasksOptions {
  n?: number;
  classes?: number;
  width?: number;
  height?: number;
  seed?: number;
  /** Write classes.txt (default true). */
  classesTxt?: boolean;
  /** train/images, train/masks, val/images, val/masks instead of images/ and masks/ (default false). */
  split?: boolean;
  format?: ImageFormat;
  maskKind?: 'palette' | 'gray';
}

/** images/ + masks/ with matching base names. */
export function imagesMasksFiles(opts: ImagesMasksOptions = {}): FixtureFiles {
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 202);
  const w = opts.width ?? 12;
  const h = opts.height ?? 10;
  const classes = opts.classes ?? 4;
  const n = opts.n ?? 6;
  const files: FixtureFiles = [];
  if (opts.classesTxt !== false) files.push(['seg/classes.txt', textBytes(Array.from({ length: classes }, (_, i) => (i === 0 ? 'background' : `thing${i}`)).join('\n'))]);
  for (let i = 0; i < n; i++) {
    const { rgb, mask } = makeScene(rng, w, h, classes);
    const split = opts.split ? (i < Math.ceil(n * 0.7) ? 'train/' : 'val/') : '';
    const stem = `img${String(i).padStart(3, '0')}`;
    files.push([`seg/${split}images/${stem}.${opts.format ?? 'png'}`, encodeImage(rgb, w, h, opts.format ?? 'png')]);
    files.push([`seg/${split}masks/${stem}.png`, encodeMask(mask, w, h, opts.maskKind ?? 'gray')]);
  }
  return files;
}

/** The images/ + masks/ layout, as a zip. */
export function makeImagesMasksZip(opts: ImagesMasksOptions = {}): Uint8Array {
  return makeZip(imagesMasksFiles(opts));
}

export interface Pix2pixOptions {
  train?: number;
  val?: number;
  /** Side of each half. */
  size?: number;
  seed?: number;
  format?: ImageFormat;
}

/** pix2pix pairs: left half A (a label map), right half B (a noisy photo of it), in train/ and val/. */
export function pix2pixFiles(opts: Pix2pixOptions = {}): FixtureFiles {
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 203);
  const s = opts.size ?? 8;
  const files: FixtureFiles = [];
  const splits: [string, number][] = [['train', opts.train ?? 4], ['val', opts.val ?? 2]];
  for (const [split, n] of splits) {
    for (let i = 0; i < n; i++) {
      const { rgb, mask } = makeScene(rng, s, s, 5);
      const pair = new Uint8Array(2 * s * s * 3);
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const c = VOC_PALETTE[mask[y * s + x]];
          pair.set(c, (y * 2 * s + x) * 3);
          pair.set(rgb.subarray((y * s + x) * 3, (y * s + x) * 3 + 3), (y * 2 * s + s + x) * 3);
        }
      }
      files.push([`facades/${split}/${i + 1}.${opts.format ?? 'png'}`, encodeImage(pair, 2 * s, s, opts.format ?? 'png')]);
    }
  }
  return files;
}

/** pix2pix pairs (facades/train, facades/val), as a zip. */
export function makePix2pixZip(opts: Pix2pixOptions = {}): Uint8Array {
  return makeZip(pix2pixFiles(opts));
}
