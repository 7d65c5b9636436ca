/**
 * ImageFolder (torchvision's layout): `<split>/<class>/<image>` with split folders train and
 * test, val or validation, or `<class>/<image>` alone, which gets a seeded stratified 80/20
 * split. Class names are the folder names, sorted as torchvision sorts them.
 */

import { computeChannelStats, type ImageSplit } from '../../engine/dataset';
import { resizeRgbaToRgb } from '../image';
import { isImagePath, splitOf, type SplitName } from '../paths';
import { splitStratified } from '../split';
import { checkMemory, compact, decodeEach, fileError, gather, recordSize, requireSome, skip, type ParseContext, type ParsedDataset } from './common';

interface Item {
  path: string;
  split: SplitName | null;
  className: string;
}

const EVAL_ORDER: SplitName[] = ['test', 'val', 'validation'];

/** Finds class folders (under a split, or at the root) that hold no image. */
function findEmptyClassFolder(ctx: ParseContext, withSplits: boolean, items: Item[]): string | null {
  const full = new Set(items.map((it) => (it.split ? `${it.path.split('/')[0]}/${it.className}/` : `${it.className}/`)));
  for (const p of ctx.allPaths) {
    const parts = p.split('/');
    const depth = withSplits ? 2 : 1;
    if (parts.length <= depth) continue;
    if (withSplits && splitOf(parts[0]) === null) continue;
    const folder = `${parts.slice(0, depth).join('/')}/`;
    if (!full.has(folder)) return folder;
  }
  return null;
}

/** Parses the ImageFolder layout; throws naming an empty class folder, or when nothing is readable. */
export async function parseImageFolder(ctx: ParseContext): Promise<ParsedDataset> {
  const images = [...ctx.files.keys()].filter(isImagePath).sort();
  const withSplits = images.some((p) => p.split('/').length >= 3 && splitOf(p.split('/')[0]) !== null);
  const items: Item[] = [];
  for (const path of images) {
    const parts = path.split('/');
    if (withSplits) {
      const split = splitOf(parts[0]);
      if (split && parts.length >= 3) items.push({ path, split, className: parts[1] });
      else skip(ctx, path, split ? 'sits in a split folder but not in a class folder' : 'sits outside the split folders (train/, test/, val/)');
    } else if (parts.length >= 2) {
      items.push({ path, split: null, className: parts[0] });
    } else {
      skip(ctx, path, 'sits at the top, not in a class folder');
    }
  }
  const empty = findEmptyClassFolder(ctx, withSplits, items);
  if (empty) throw fileError(ctx, empty, 'is a class folder with no images (png, jpg, jpeg, gif, bmp or webp)');

  const classNames = [...new Set(items.map((it) => it.className))].sort();
  const classIndex = new Map(classNames.map((c, i) => [c, i]));
  const present = new Set(items.map((it) => it.split));
  const trainSplit: SplitName | null = present.has('train') ? 'train' : null;
  const evalSplit = EVAL_ORDER.find((s) => present.has(s)) ?? null;
  for (const s of EVAL_ORDER) {
    if (present.has(s) && s !== evalSplit) ctx.notes.push(`${s}/ is not used: ${evalSplit}/ is the test split`);
  }
  // The one folder to split 80/20 when train/ or the evaluation split is missing (or no splits at all).
  const source: SplitName | null = withSplits ? (trainSplit && evalSplit ? null : (trainSplit ?? evalSplit)) : null;
  const used = items.filter((it) => !withSplits || it.split === source || (source === null && (it.split === trainSplit || it.split === evalSplit)));

  const s = ctx.inputSize;
  const itemBytes = s * s * 3;
  checkMemory(ctx, used.length * itemBytes, `${used.length} images at ${s}x${s}`);
  const all = new Uint8Array(used.length * itemBytes);
  const ok = await decodeEach(
    ctx,
    used.map((it) => it.path),
    (img, i) => {
      recordSize(ctx, img.width, img.height);
      resizeRgbaToRgb(img, { x: 0, y: 0, width: img.width, height: img.height }, s, s, all, i * itemBytes);
    },
  );
  const kept = used.filter((_, i) => ok[i]);
  requireSome(ctx, kept.length, used.length, 'images');
  const images8 = compact(all, ok, itemBytes);
  const labels = Int32Array.from(kept, (it) => classIndex.get(it.className)!);

  let trainIdx: ArrayLike<number>;
  let testIdx: ArrayLike<number>;
  let splitSources: ParsedDataset['splitSources'];
  if (!withSplits || source !== null) {
    const split = splitStratified(labels, classNames.length, ctx.seed);
    trainIdx = split.train;
    testIdx = split.test;
    const from = source ? `${source}/` : 'the class folders';
    splitSources = { train: `80% of ${from}`, test: `20% of ${from}` };
    ctx.notes.push(
      source
        ? `no ${source === 'train' ? 'test/ or val/' : 'train/'} folder: made a seeded stratified 80/20 split of ${source}/`
        : 'no split folders: made a seeded stratified 80/20 split',
    );
  } else {
    trainIdx = kept.flatMap((it, i) => (it.split === trainSplit ? [i] : []));
    testIdx = kept.flatMap((it, i) => (it.split === evalSplit ? [i] : []));
    splitSources = { train: `${trainSplit}/`, test: `${evalSplit}/` };
  }
  const makeSplit = (idx: ArrayLike<number>): ImageSplit => ({
    images: gather(images8, idx, itemBytes),
    labels: Int32Array.from(idx, (i) => labels[i]),
    n: idx.length,
  });
  const train = makeSplit(trainIdx);
  const test = makeSplit(testIdx);
  if (train.n === 0) throw fileError(ctx, `${splitSources.train}`, 'has no readable images for training');
  return {
    dataset: {
      kind: 'classify',
      name: ctx.fileName,
      classNames,
      height: s,
      width: s,
      channels: 3,
      train,
      test,
      ...computeChannelStats(train.images, 3),
    },
    splitSources,
  };
}
