/**
 * Segmentation layouts: Pascal VOC 2012 (JPEGImages/, SegmentationClass/ palette PNGs,
 * ImageSets/Segmentation/{train,val}.txt) and a generic images/ + masks/ layout. A mask
 * pixel's value is its class (the palette index of a palette PNG, or the grey level);
 * 255 marks pixels to ignore. Masks are resized with nearest neighbour, never blended.
 */

import { IGNORE_INDEX, computeChannelStats, type SegmentationSplit } from '../../engine/dataset';
import { resizeNearest, resizeRgbaToRgb, type DecodedImage } from '../image';
import { baseName, isImagePath, splitOf, stemOf, type SplitName } from '../paths';
import { splitRandom } from '../split';
import { checkMemory, compact, decodeEach, fileError, gather, readLines, requireSome, skip, type ParseContext, type ParsedDataset } from './common';
import { vocColormap } from '../vocPalette';

/** The 21 Pascal VOC classes, index 0 first. */
export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

export { vocColormap };

const VOC_COLORMAP = vocColormap();
const COLOUR_TO_INDEX = new Map(VOC_COLORMAP.map(([r, g, b], i) => [(r << 16) | (g << 8) | b, i]));

interface Pair {
  image: string;
  mask: string;
  split: 'train' | 'test' | null;
}

interface Classes {
  names: string[] | null;
  palette: [number, number, number][] | null;
}

/** A mask's class per pixel: its indices, or an RGB mask's colours looked up in the VOC colour map. */
function maskValues(ctx: ParseContext, rel: string, m: DecodedImage): Uint8Array {
  if (m.indices) return m.indices;
  const n = m.width * m.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const key = (m.data[i * 4] << 16) | (m.data[i * 4 + 1] << 8) | m.data[i * 4 + 2];
    const v = COLOUR_TO_INDEX.get(key);
    if (v === undefined) {
      throw fileError(
        ctx,
        rel,
        `is a colour mask whose colour (${m.data[i * 4]}, ${m.data[i * 4 + 1]}, ${m.data[i * 4 + 2]}) at x=${i % m.width}, y=${Math.floor(i / m.width)} ` +
          'is not in the VOC palette; masks must be palette or greyscale PNGs whose values are class indices',
      );
    }
    out[i] = v;
  }
  return out;
}

async function buildSegmentation(ctx: ParseContext, pairs: Pair[], classes: Classes, name: string): Promise<ParsedDataset> {
  const s = ctx.inputSize;
  const imgBytes = s * s * 3;
  const maskBytes = s * s;
  checkMemory(ctx, pairs.length * (imgBytes + maskBytes), `${pairs.length} images and masks at ${s}x${s}`);
  const images = new Uint8Array(pairs.length * imgBytes);
  const masks = new Uint8Array(pairs.length * maskBytes);
  const sizes: { width: number; height: number }[] = [];
  const okImg = await decodeEach(
    ctx,
    pairs.map((p) => p.image),
    (img, i) => {
      sizes[i] = { width: img.width, height: img.height };
      resizeRgbaToRgb(img, { x: 0, y: 0, width: img.width, height: img.height }, s, s, images, i * imgBytes);
    },
  );
  const limit = classes.names?.length ?? IGNORE_INDEX;
  let maxValue = -1;
  let maskPalette: [number, number, number][] | null = null;
  const okMask = await decodeEach(
    ctx,
    pairs.map((p) => p.mask),
    (m, i) => {
      const rel = pairs[i].mask;
      const im = sizes[i];
      if (!okImg[i]) return;
      if (m.width !== im.width || m.height !== im.height) {
        throw fileError(ctx, rel, `is ${m.width}x${m.height} but its image ${ctx.displayPath(pairs[i].image)} is ${im.width}x${im.height}; a mask must match its image`);
      }
      const values = maskValues(ctx, rel, m);
      for (let p = 0; p < values.length; p++) {
        const v = values[p];
        if (v === IGNORE_INDEX) continue;
        if (v >= limit) {
          throw fileError(
            ctx,
            rel,
            `has the value ${v} at x=${p % m.width}, y=${Math.floor(p / m.width)}, but there are ${limit} classes (0..${limit - 1}); ` +
              'use 255 for pixels to ignore',
          );
        }
        if (v > maxValue) maxValue = v;
      }
      if (!maskPalette && m.palette) maskPalette = m.palette;
      resizeNearest(values, m.width, m.height, s, s, masks, i * maskBytes);
    },
    { indexed: true },
  );
  const ok = pairs.map((_, i) => okImg[i] && okMask[i]);
  pairs.forEach((p, i) => {
    if (okImg[i] && !okMask[i]) skip(ctx, p.image, 'its mask is unreadable');
    if (!okImg[i] && okMask[i]) skip(ctx, p.mask, 'its image is unreadable');
  });
  ctx.sizes.clear();
  for (let i = 0; i < pairs.length; i++) {
    if (ok[i]) ctx.sizes.set(`${sizes[i].width}x${sizes[i].height}`, (ctx.sizes.get(`${sizes[i].width}x${sizes[i].height}`) ?? 0) + 1);
  }
  const kept = pairs.filter((_, i) => ok[i]);
  requireSome(ctx, kept.length, pairs.length, 'image and mask pairs');
  const imgs = compact(images, ok, imgBytes);
  const msks = compact(masks, ok, maskBytes);

  const classNames = classes.names ?? Array.from({ length: Math.max(maxValue + 1, 2) }, (_, i) => `class ${i}`);
  if (!classes.names) ctx.notes.push(`no classes.txt: ${classNames.length} classes, from the largest mask value`);
  const fromPng = maskPalette as [number, number, number][] | null;
  const palette = classNames.map((_, i) => classes.palette?.[i] ?? fromPng?.[i] ?? VOC_COLORMAP[i]);

  let trainIdx: number[] | Int32Array = kept.flatMap((p, i) => (p.split === 'train' ? [i] : []));
  let testIdx: number[] | Int32Array = kept.flatMap((p, i) => (p.split === 'test' ? [i] : []));
  let splitSources = { train: 'train/', test: 'val/ or test/' };
  if (trainIdx.length === 0 || testIdx.length === 0) {
    const split = splitRandom(kept.length, ctx.seed);
    trainIdx = split.train;
    testIdx = split.test;
    splitSources = { train: '80% of the pairs', test: '20% of the pairs' };
    ctx.notes.push('no train and test/val lists or folders: made a seeded 80/20 split');
  }
  const makeSplit = (idx: ArrayLike<number>): SegmentationSplit => ({ images: gather(imgs, idx, imgBytes), masks: gather(msks, idx, maskBytes), n: idx.length });
  const train = makeSplit(trainIdx);
  return {
    dataset: {
      kind: 'segment',
      name,
      classNames,
      palette,
      height: s,
      width: s,
      channels: 3,
      train,
      test: makeSplit(testIdx),
      ...computeChannelStats(train.images, 3),
    },
    splitSources,
  };
}

function segmentIndex(path: string, name: string): number {
  return path.split('/').findIndex((seg) => seg.toLowerCase() === name);
}

/** Pascal VOC 2012: ids from ImageSets/Segmentation/train.txt and val.txt, or all masks with a seeded split. */
export async function parseVoc(ctx: ParseContext): Promise<ParsedDataset> {
  const paths = [...ctx.files.keys()];
  const anyImage = paths.find((p) => isImagePath(p) && segmentIndex(p, 'jpegimages') >= 0)!;
  const root = anyImage.split('/').slice(0, segmentIndex(anyImage, 'jpegimages')).join('/');
  const prefix = root ? `${root}/` : '';
  const under = (dir: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const p of paths) {
      const rest = p.slice(prefix.length);
      if (p.startsWith(prefix) && rest.split('/').length === 2 && rest.split('/')[0].toLowerCase() === dir && isImagePath(p)) m.set(stemOf(p), p);
    }
    return m;
  };
  const images = under('jpegimages');
  const masks = under('segmentationclass');
  const listFile = (name: string): string | undefined => paths.find((p) => p.toLowerCase() === `${prefix}imagesets/segmentation/${name}`.toLowerCase());
  const trainList = listFile('train.txt');
  const valList = listFile('val.txt');
  const pairs: Pair[] = [];
  if (trainList && valList) {
    for (const [list, split] of [[trainList, 'train'], [valList, 'test']] as const) {
      for (const line of readLines(ctx.files.get(list)!)) {
        const id = line.split(/\s+/)[0];
        const image = images.get(id);
        const mask = masks.get(id);
        if (!image || !mask) {
          const missing = !image ? `${prefix}JPEGImages/${id}.jpg` : `${prefix}SegmentationClass/${id}.png`;
          skip(ctx, list, `lists ${id}, but ${ctx.displayPath(missing)} is missing`);
          continue;
        }
        pairs.push({ image, mask, split });
      }
    }
  } else {
    for (const [id, mask] of [...masks].sort()) {
      const image = images.get(id);
      if (image) pairs.push({ image, mask, split: null });
      else skip(ctx, mask, `has no image ${ctx.displayPath(`${prefix}JPEGImages/${id}.jpg`)}`);
    }
  }
  if (pairs.length === 0) throw fileError(ctx, `${prefix}SegmentationClass/`, 'has no masks that match images in JPEGImages/');
  const parsed = await buildSegmentation(ctx, pairs, { names: VOC_CLASSES, palette: VOC_COLORMAP.slice(0, VOC_CLASSES.length) }, 'Pascal VOC 2012');
  if (trainList && valList) parsed.splitSources = { train: ctx.displayPath(trainList), test: ctx.displayPath(valList) };
  return parsed;
}

/** The split a path's folders name (train, or test/val/validation as test), or null. */
function splitFromFolders(path: string): 'train' | 'test' | null {
  const parts = path.split('/').slice(0, -1);
  const found = parts.map(splitOf).find((s): s is SplitName => s !== null);
  return found === undefined ? null : found === 'train' ? 'train' : 'test';
}

/** images/ + masks/ with matching relative paths and base names; optional classes.txt, one name a line. */
export async function parseImagesMasks(ctx: ParseContext): Promise<ParsedDataset> {
  const paths = [...ctx.files.keys()].filter(isImagePath).sort();
  const keyOf = (p: string, dir: string): string | null => {
    const parts = p.split('/');
    const i = parts.findIndex((seg) => seg.toLowerCase() === dir);
    if (i < 0) return null;
    parts[i] = '';
    return `${parts.slice(0, -1).join('/')}/${stemOf(p)}`.toLowerCase();
  };
  const masks = new Map<string, string>();
  for (const p of paths) {
    const k = keyOf(p, 'masks');
    if (k !== null) masks.set(k, p);
  }
  const pairs: Pair[] = [];
  const matched = new Set<string>();
  for (const p of paths) {
    const k = keyOf(p, 'images');
    if (k === null || keyOf(p, 'masks') !== null) continue;
    const mask = masks.get(k);
    if (!mask) {
      skip(ctx, p, `has no mask (expected masks/${stemOf(p)}.png beside images/)`);
      continue;
    }
    matched.add(mask);
    pairs.push({ image: p, mask, split: splitFromFolders(p) });
  }
  for (const m of masks.values()) if (!matched.has(m)) skip(ctx, m, 'is a mask with no image');
  if (pairs.length === 0) throw fileError(ctx, 'images/', 'has no images with a matching mask in masks/ (same base name)');
  const classesFile = [...ctx.files.keys()].filter((p) => baseName(p).toLowerCase() === 'classes.txt').sort((a, b) => a.length - b.length)[0];
  const names = classesFile ? readLines(ctx.files.get(classesFile)!) : null;
  if (names && names.length === 0) throw fileError(ctx, classesFile, 'is empty; list one class name a line, class 0 first');
  return buildSegmentation(ctx, pairs, { names, palette: null }, ctx.fileName);
}
