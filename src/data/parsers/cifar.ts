/**
 * The CIFAR binary formats, as in the official cifar-10-binary.tar.gz and
 * cifar-100-binary.tar.gz. A CIFAR-10 record is 1 label byte then the red, green and blue
 * 32x32 planes (3073 bytes); a CIFAR-100 record has a coarse and a fine label byte (3074).
 */

import { computeChannelStats, type ImageSplit } from '../../engine/dataset';
import { resizeRgbaToRgb } from '../image';
import { baseName, stemOf } from '../paths';
import { splitStratified } from '../split';
import { checkMemory, fileError, gather, readLines, type ParseContext, type ParsedDataset } from './common';

const SIDE = 32;
const PIXELS = SIDE * SIDE;

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

interface Variant {
  name: string;
  labelBytes: number;
  train: string[];
  test: string[];
  classNames: string[];
  /** Which label byte of a record is used. */
  labelOffset: number;
}

function findFile(ctx: ParseContext, name: string): string | null {
  const hits = [...ctx.files.keys()].filter((p) => baseName(p).toLowerCase() === name).sort((a, b) => a.length - b.length);
  return hits[0] ?? null;
}

function classNamesFrom(ctx: ParseContext, file: string | null, count: number, fallback: string[] | null): string[] {
  if (file) {
    const names = readLines(ctx.files.get(file)!);
    if (names.length >= count) return names.slice(0, count);
    throw fileError(ctx, file, `lists ${names.length} class names; ${count} expected`);
  }
  ctx.notes.push(`no class-name file: classes are named by number`);
  return fallback ?? Array.from({ length: count }, (_, i) => String(i));
}

function cifar10Variant(ctx: ParseContext): Variant {
  const bins = [...ctx.files.keys()].filter((p) => /^data_batch_\d+\.bin$/i.test(baseName(p)));
  const num = (p: string): number => Number(/\d+/.exec(stemOf(p))![0]);
  const test = findFile(ctx, 'test_batch.bin');
  const meta = findFile(ctx, 'batches.meta.txt');
  const classNames = meta ? classNamesFrom(ctx, meta, 10, null) : CIFAR10_CLASSES;
  if (!meta) ctx.notes.push('no batches.meta.txt: used the standard CIFAR-10 class names');
  return { name: 'CIFAR-10', labelBytes: 1, labelOffset: 0, train: bins.sort((a, b) => num(a) - num(b)), test: test ? [test] : [], classNames };
}

function cifar100Variant(ctx: ParseContext): Variant {
  const train = findFile(ctx, 'train.bin');
  const test = findFile(ctx, 'test.bin');
  const coarse = ctx.cifarLabels === 'coarse';
  const names = findFile(ctx, coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt');
  return {
    name: `CIFAR-100 (${coarse ? '20 coarse' : '100 fine'} labels)`,
    labelBytes: 2,
    labelOffset: coarse ? 0 : 1,
    train: train ? [train] : [],
    test: test ? [test] : [],
    classNames: classNamesFrom(ctx, names, coarse ? 20 : 100, null),
  };
}

/** Validates every file's length and counts its records. */
function countRecords(ctx: ParseContext, files: string[], recordBytes: number, variant: string): number {
  let n = 0;
  for (const f of files) {
    const len = ctx.files.get(f)!.length;
    if (len === 0) throw fileError(ctx, f, `is empty; a ${variant} file holds ${recordBytes}-byte records`);
    if (len % recordBytes !== 0) {
      throw fileError(
        ctx,
        f,
        `${len} bytes is not a whole number of ${recordBytes}-byte ${variant} records ` +
          `(${len % recordBytes} bytes left over after ${Math.floor(len / recordBytes)} records); the file is truncated or not ${variant}`,
      );
    }
    n += len / recordBytes;
  }
  return n;
}

async function readRecords(ctx: ParseContext, v: Variant, files: string[], n: number): Promise<ImageSplit> {
  const s = ctx.inputSize;
  const itemBytes = s * s * 3;
  const recordBytes = v.labelBytes + 3 * PIXELS;
  const images = new Uint8Array(n * itemBytes);
  const labels = new Int32Array(n);
  const rgb = new Uint8Array(PIXELS * 3);
  let k = 0;
  for (const f of files) {
    const bytes = ctx.files.get(f)!;
    for (let r = 0; r * recordBytes < bytes.length; r++, k++) {
      const at = r * recordBytes;
      const label = bytes[at + v.labelOffset];
      if (label >= v.classNames.length) {
        throw fileError(ctx, f, `record ${r} has label ${label}; ${v.name} labels are 0..${v.classNames.length - 1}`);
      }
      labels[k] = label;
      const px = at + v.labelBytes;
      const dst = s === SIDE ? images : rgb;
      const base = s === SIDE ? k * itemBytes : 0;
      for (let i = 0; i < PIXELS; i++) {
        dst[base + i * 3] = bytes[px + i];
        dst[base + i * 3 + 1] = bytes[px + PIXELS + i];
        dst[base + i * 3 + 2] = bytes[px + 2 * PIXELS + i];
      }
      if (s !== SIDE) resizeRgbaToRgb({ width: SIDE, data: rgb, channels: 3 }, { x: 0, y: 0, width: SIDE, height: SIDE }, s, s, images, k * itemBytes);
      if ((k & 1023) === 0) await ctx.pacer.tick();
    }
    ctx.onProgress?.({ phase: 'decoding', files: k, totalFiles: n, bytes: ctx.archiveBytes, totalBytes: ctx.archiveBytes });
  }
  if (n > 0) ctx.sizes.set(`${SIDE}x${SIDE}`, (ctx.sizes.get(`${SIDE}x${SIDE}`) ?? 0) + n);
  return { images, labels, n };
}

/** Parses CIFAR-10 (`ten`) or CIFAR-100 binary files. */
export async function parseCifar(ctx: ParseContext, ten: boolean): Promise<ParsedDataset> {
  const v = ten ? cifar10Variant(ctx) : cifar100Variant(ctx);
  const recordBytes = v.labelBytes + 3 * PIXELS;
  const short = ten ? 'CIFAR-10' : 'CIFAR-100';
  const nTrain = countRecords(ctx, v.train, recordBytes, short);
  const nTest = countRecords(ctx, v.test, recordBytes, short);
  const s = ctx.inputSize;
  checkMemory(ctx, (nTrain + nTest) * s * s * 3, `${nTrain + nTest} images at ${s}x${s}`);
  let train = await readRecords(ctx, v, v.train, nTrain);
  let test = await readRecords(ctx, v, v.test, nTest);
  const names = (fs: string[]): string => fs.map((f) => ctx.displayPath(f)).join(', ');
  let splitSources = { train: names(v.train), test: names(v.test) };
  if (train.n === 0 || test.n === 0) {
    const missing = train.n === 0 ? 'training' : 'test';
    const only = train.n > 0 ? train : test;
    const files = train.n > 0 ? v.train : v.test;
    const split = splitStratified(only.labels, v.classNames.length, ctx.seed);
    const itemBytes = s * s * 3;
    const pick = (idx: Int32Array): ImageSplit => ({ images: gather(only.images, idx, itemBytes), labels: Int32Array.from(idx, (i) => only.labels[i]), n: idx.length });
    [train, test] = [pick(split.train), pick(split.test)];
    splitSources = { train: `80% of ${names(files)}`, test: `20% of ${names(files)}` };
    ctx.notes.push(`no ${missing} batch: made a seeded stratified 80/20 split of ${files.map(baseName).join(', ')}`);
  }
  return {
    dataset: {
      kind: 'classify',
      name: v.name,
      classNames: v.classNames,
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
