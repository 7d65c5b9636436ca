/**
 * pix2pix pairs: each image holds A (left half) and B (right half) side by side, in train/
 * and val/ (or test/). The direction says which half is the input.
 */

import type { PairSplit } from '../../engine/dataset';
import { resizeRgbaToRgb } from '../image';
import { isImagePath, splitOf, type SplitName } from '../paths';
import { splitRandom } from '../split';
import { checkMemory, compact, decodeEach, gather, recordSize, requireSome, skip, type ParseContext, type ParsedDataset } from './common';

const EVAL_ORDER: SplitName[] = ['val', 'test', 'validation'];

/** Parses side-by-side pairs; images outside the split folders are skipped and counted. */
export async function parsePix2pix(ctx: ParseContext): Promise<ParsedDataset> {
  const all = [...ctx.files.keys()].filter((p) => isImagePath(p) && p.split('/').length === 2 && splitOf(p.split('/')[0]) !== null).sort();
  const inPairs = new Set(all);
  for (const p of ctx.files.keys()) if (isImagePath(p) && !inPairs.has(p)) skip(ctx, p, 'sits outside train/, val/ and test/');
  const present = new Set(all.map((p) => splitOf(p.split('/')[0])));
  const evalSplit = EVAL_ORDER.find((sp) => present.has(sp)) ?? null;
  for (const sp of EVAL_ORDER) if (present.has(sp) && sp !== evalSplit) ctx.notes.push(`${sp}/ is not used: ${evalSplit}/ is the test split`);
  const paths = all.filter((p) => {
    const sp = splitOf(p.split('/')[0]);
    return sp === 'train' || sp === evalSplit;
  });

  const s = ctx.inputSize;
  const itemBytes = s * s * 3;
  checkMemory(ctx, paths.length * 2 * itemBytes, `${paths.length} pairs at ${s}x${s}`);
  const a = new Uint8Array(paths.length * itemBytes);
  const b = new Uint8Array(paths.length * itemBytes);
  const aToB = ctx.pairDirection === 'AtoB';
  const tooNarrow = new Set<number>();
  const ok = await decodeEach(ctx, paths, (img, i) => {
    if (img.width < 2) {
      tooNarrow.add(i);
      return;
    }
    recordSize(ctx, img.width, img.height);
    const half = Math.floor(img.width / 2);
    const left = { x: 0, y: 0, width: half, height: img.height };
    const right = { x: half, y: 0, width: img.width - half, height: img.height };
    resizeRgbaToRgb(img, aToB ? left : right, s, s, a, i * itemBytes);
    resizeRgbaToRgb(img, aToB ? right : left, s, s, b, i * itemBytes);
  });
  for (const i of tooNarrow) {
    ok[i] = false;
    skip(ctx, paths[i], 'is too narrow to hold two images side by side');
  }
  const kept = paths.filter((_, i) => ok[i]);
  requireSome(ctx, kept.length, paths.length, 'pair images');
  const as = compact(a, ok, itemBytes);
  const bs = compact(b, ok, itemBytes);
  let trainIdx: ArrayLike<number> = kept.flatMap((p, i) => (splitOf(p.split('/')[0]) === 'train' ? [i] : []));
  let testIdx: ArrayLike<number> = kept.flatMap((p, i) => (splitOf(p.split('/')[0]) !== 'train' ? [i] : []));
  let splitSources = { train: 'train/', test: `${evalSplit}/` };
  if (trainIdx.length === 0 || testIdx.length === 0) {
    const split = splitRandom(kept.length, ctx.seed);
    const from = trainIdx.length > 0 ? 'train/' : `${evalSplit}/`;
    trainIdx = split.train;
    testIdx = split.test;
    splitSources = { train: `80% of ${from}`, test: `20% of ${from}` };
    ctx.notes.push(`only ${from}: made a seeded 80/20 split`);
  }
  const makeSplit = (idx: ArrayLike<number>): PairSplit => ({ a: gather(as, idx, itemBytes), b: gather(bs, idx, itemBytes), n: idx.length });
  ctx.notes.push(`direction ${aToB ? 'A to B: the left half is the input' : 'B to A: the right half is the input'}`);
  return {
    dataset: { kind: 'translate', name: ctx.fileName, height: s, width: s, channels: 3, train: makeSplit(trainIdx), test: makeSplit(testIdx) },
    splitSources,
  };
}
