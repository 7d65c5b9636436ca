/**
 * What every layout parser shares: the files, the options, the running lists of skipped files
 * and notes, the memory budget, and a decode loop that skips unreadable images and counts them.
 */

import type { Dataset } from '../../engine/dataset';
import { DatasetError, formatBytes } from '../errors';
import type { DecodedImage, DecodeOptions, ImageDecoder } from '../image';
import type { Pacer, ProgressCallback } from '../pace';
import { errorMessage } from '../../engine/errors';

export interface SkippedFile {
  /** The path as stored in the archive. */
  file: string;
  reason: string;
}

export interface ParseContext {
  /** The archive's name, for messages. */
  fileName: string;
  /** Kept files, by path relative to the dataset root. */
  files: Map<string, Uint8Array>;
  /** Every path relative to the dataset root, files and folders (folders end in '/'). */
  allPaths: string[];
  /** The path as stored in the archive, for messages. */
  displayPath: (rel: string) => string;
  inputSize: number;
  seed: number;
  decoder: ImageDecoder;
  /** Largest decoded dataset, in bytes. */
  memoryBudget: number;
  cifarLabels: 'fine' | 'coarse';
  pairDirection: 'AtoB' | 'BtoA';
  pacer: Pacer;
  onProgress?: ProgressCallback;
  archiveBytes: number;
  skipped: SkippedFile[];
  notes: string[];
  /** Original image sizes seen, "WxH" -> count. */
  sizes: Map<string, number>;
}

export interface ParsedDataset {
  dataset: Dataset;
  /** Where each split came from, e.g. "train/" or "80% of train/ (seeded, stratified)". */
  splitSources: { train: string; test: string };
}

/** A DatasetError about a file inside the archive. */
export function fileError(ctx: ParseContext, rel: string, problem: string): DatasetError {
  return new DatasetError(ctx.displayPath(rel), problem, ctx.fileName);
}

/** Leaves a file out and records why, for the summary. */
export function skip(ctx: ParseContext, rel: string, reason: string): void {
  ctx.skipped.push({ file: ctx.displayPath(rel), reason });
}

/** Counts one original image size for the summary. */
export function recordSize(ctx: ParseContext, width: number, height: number): void {
  const key = `${width}x${height}`;
  ctx.sizes.set(key, (ctx.sizes.get(key) ?? 0) + 1);
}

/** Throws before allocating when the decoded dataset would pass the memory budget. */
export function checkMemory(ctx: ParseContext, bytes: number, what: string): void {
  if (bytes <= ctx.memoryBudget) return;
  throw new DatasetError(
    ctx.fileName,
    `${what} need ${formatBytes(bytes)} of memory, over the ${formatBytes(ctx.memoryBudget)} budget; ` +
      'choose a smaller input size or a smaller archive',
  );
}

/** Throws when nothing readable is left. */
export function requireSome(ctx: ParseContext, n: number, total: number, what: string): void {
  if (n > 0) return;
  const first = ctx.skipped[0];
  const why = first ? `; the first: ${first.file}: ${first.reason}` : '';
  throw new DatasetError(ctx.fileName, `no readable ${what}: all ${total} failed to load${why}`);
}

const CONCURRENCY = 4;

/**
 * Decodes each path and hands the image to `consume`; an unreadable one is skipped with its
 * reason and left out of the returned flags. Errors thrown by `consume` (bad masks) stop the load.
 */
export async function decodeEach(
  ctx: ParseContext,
  paths: string[],
  consume: (img: DecodedImage, index: number) => void,
  opts?: DecodeOptions,
): Promise<boolean[]> {
  const ok = new Array<boolean>(paths.length).fill(false);
  let next = 0;
  let done = 0;
  let failure: unknown = null;
  const report = (): void =>
    ctx.onProgress?.({ phase: 'decoding', files: done, totalFiles: paths.length, bytes: ctx.archiveBytes, totalBytes: ctx.archiveBytes });
  const work = async (): Promise<void> => {
    while (next < paths.length && failure === null) {
      const i = next++;
      const rel = paths[i];
      let img: DecodedImage | null = null;
      try {
        img = await ctx.decoder(ctx.files.get(rel)!, rel, opts);
      } catch (e) {
        if (ctx.pacer.aborted) throw e;
        skip(ctx, rel, `unreadable image: ${errorMessage(e)}`);
      }
      if (img && (img.width < 1 || img.height < 1)) {
        skip(ctx, rel, 'unreadable image: it has no pixels');
        img = null;
      }
      if (img) {
        try {
          consume(img, i);
        } catch (e) {
          failure = e;
          throw e;
        }
        ok[i] = true;
      }
      done++;
      if (await ctx.pacer.tick()) report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, work));
  report();
  ctx.pacer.check();
  return ok;
}

/** Keeps the items whose flag is set, in order; `itemBytes` bytes each. */
export function compact(buf: Uint8Array, ok: boolean[], itemBytes: number): Uint8Array {
  let k = 0;
  for (let i = 0; i < ok.length; i++) {
    if (!ok[i]) continue;
    if (k !== i) buf.copyWithin(k * itemBytes, i * itemBytes, (i + 1) * itemBytes);
    k++;
  }
  return k === ok.length ? buf : buf.slice(0, k * itemBytes);
}

/** Copies the items at `indices` into a new buffer. */
export function gather(buf: Uint8Array, indices: ArrayLike<number>, itemBytes: number): Uint8Array {
  const out = new Uint8Array(indices.length * itemBytes);
  for (let j = 0; j < indices.length; j++) out.set(buf.subarray(indices[j] * itemBytes, (indices[j] + 1) * itemBytes), j * itemBytes);
  return out;
}

/** Non-empty, trimmed lines of a text file. */
export function readLines(bytes: Uint8Array): string[] {
  return new TextDecoder('utf-8')
    .decode(bytes)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
