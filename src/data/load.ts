/**
 * Loads a dataset archive: reads it, looks through a wrapping folder, detects the layout,
 * parses and validates it, and summarises what was loaded. The same path serves the browser
 * (with its decoder, in the worker) and the headless runner (with the Node decoder).
 */

import type { Task } from '../engine/config';
import type { Dataset } from '../engine/dataset';
import { readArchive, type ArchiveInput, type ArchiveLimits } from './archive';
import { DatasetError } from './errors';
import type { ImageDecoder } from './image';
import { LAYOUT_NAMES, LAYOUT_TASKS, detectLayout, type LayoutKind } from './layouts';
import { Pacer, type ProgressCallback } from './pace';
import { parseCifar } from './parsers/cifar';
import type { ParseContext, ParsedDataset } from './parsers/common';
import { parseImageFolder } from './parsers/imageFolder';
import { parsePix2pix } from './parsers/pix2pix';
import { parseImagesMasks, parseVoc } from './parsers/segmentation';
import { findWrapperPrefix, isCandidatePath, isJunkPath, normalizePath } from './paths';
import { datasetBytes, histogramOf, type DatasetSummary } from './summary';

/** Default square side per task: classification 32, segmentation and pix2pix 64. */
export const DEFAULT_INPUT_SIZE: Record<Task, number> = { classify: 32, segment: 64, translate: 64 };

/** Decoded data may take this much memory; the full CIFAR-10 at 32x32 takes 184 MB. */
export const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;

const TASK_WORDS: Record<Task, string> = { classify: 'classification', segment: 'segmentation', translate: 'image-to-image translation' };

export interface LoadArchiveOptions {
  /** The archive's name, for messages and the summary. */
  fileName: string;
  /** The task the dataset must suit; when left out, the layout decides. */
  task?: Task;
  /** Side of the square images are resized to; default by task (DEFAULT_INPUT_SIZE). */
  inputSize?: number;
  /** Seeds the 80/20 split of archives without split folders. */
  seed?: number;
  decoder: ImageDecoder;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** CIFAR-100: fine (100 classes, default) or coarse (20 superclasses) labels. */
  cifarLabels?: 'fine' | 'coarse';
  /** pix2pix: AtoB (default) takes the left half as input, BtoA the right. */
  pairDirection?: 'AtoB' | 'BtoA';
  limits?: Partial<ArchiveLimits>;
  /** Largest decoded dataset in bytes (default DEFAULT_MEMORY_BUDGET). */
  memoryBudgetBytes?: number;
  /** The input's size when it is a stream, for progress. */
  totalBytes?: number;
}

export interface LoadedDataset {
  dataset: Dataset;
  summary: DatasetSummary;
}

const PARSERS: Record<LayoutKind, (ctx: ParseContext) => Promise<ParsedDataset>> = {
  imagefolder: parseImageFolder,
  cifar10: (ctx) => parseCifar(ctx, true),
  cifar100: (ctx) => parseCifar(ctx, false),
  voc: parseVoc,
  'images-masks': parseImagesMasks,
  pix2pix: parsePix2pix,
};

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Reads, detects, parses and validates a dataset archive; throws DatasetError naming the file at fault. */
export async function loadArchiveDataset(input: ArchiveInput, opts: LoadArchiveOptions): Promise<LoadedDataset> {
  const t0 = now();
  const { fileName } = opts;
  const archive = await readArchive(input, {
    fileName,
    limits: opts.limits,
    keep: isCandidatePath,
    onProgress: opts.onProgress,
    signal: opts.signal,
    totalBytes: opts.totalBytes,
  });
  const clean = archive.names.map(normalizePath).filter((p) => p !== '' && !isJunkPath(p));
  const prefix = findWrapperPrefix(clean.filter((p) => !p.endsWith('/')));
  const rel = (p: string): string => normalizePath(p).slice(prefix.length);
  const files = new Map<string, Uint8Array>();
  const original = new Map<string, string>();
  for (const e of archive.entries) {
    const r = rel(e.path);
    files.set(r, e.data);
    original.set(r, e.path);
  }
  const allPaths = clean.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).filter((p) => p !== '');
  const layout = detectLayout(
    allPaths.filter((p) => !p.endsWith('/')),
    fileName,
  );
  const layoutTask = LAYOUT_TASKS[layout];
  if (opts.task && opts.task !== layoutTask) {
    throw new DatasetError(
      fileName,
      `holds a ${LAYOUT_NAMES[layout]} dataset, which is for ${TASK_WORDS[layoutTask]}, but the task is ${TASK_WORDS[opts.task]}; ` +
        `switch the task to ${layoutTask} or choose another dataset`,
    );
  }
  const inputSize = opts.inputSize ?? DEFAULT_INPUT_SIZE[layoutTask];
  const ctx: ParseContext = {
    fileName,
    files,
    allPaths,
    displayPath: (r) => original.get(r) ?? `${prefix}${r}`,
    inputSize,
    seed: opts.seed ?? 0,
    decoder: opts.decoder,
    memoryBudget: opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
    cifarLabels: opts.cifarLabels ?? 'fine',
    pairDirection: opts.pairDirection ?? 'AtoB',
    pacer: new Pacer(opts.signal),
    onProgress: opts.onProgress,
    archiveBytes: archive.archiveBytes,
    skipped: [],
    notes: [],
    sizes: new Map(),
  };
  if (prefix) ctx.notes.push(`looked through the wrapping folder ${prefix}`);
  const { dataset, splitSources } = await PARSERS[layout](ctx);
  ctx.pacer.check();
  const sizes = [...ctx.sizes]
    .map(([k, count]) => {
      const [width, height] = k.split('x').map(Number);
      return { width, height, count };
    })
    .sort((a, b) => b.count - a.count);
  const summary: DatasetSummary = {
    fileName,
    format: archive.format,
    layout,
    layoutName: LAYOUT_NAMES[layout],
    task: layoutTask,
    counts: { train: dataset.train.n, test: dataset.test.n },
    splitSources,
    classNames: dataset.kind === 'translate' ? [] : dataset.classNames,
    ...histogramOf(dataset),
    imageSizes: sizes.slice(0, 5),
    distinctImageSizes: sizes.length,
    inputSize,
    skipped: ctx.skipped.slice(0, 100),
    skippedCount: ctx.skipped.length,
    notes: ctx.notes,
    archiveBytes: archive.archiveBytes,
    datasetBytes: datasetBytes(dataset),
    ms: now() - t0,
  };
  return { dataset, summary };
}
