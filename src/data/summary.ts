/** What a person sees after loading an archive: the layout, the counts, the classes, what was skipped. */

import type { Task } from '../engine/config';
import { IGNORE_INDEX, type Dataset } from '../engine/dataset';
import type { ArchiveFormat } from './archive';
import { formatBytes } from './errors';
import type { LayoutKind } from './layouts';
import type { SkippedFile } from './parsers/common';

export type { SkippedFile };

/** The result of a load, for the dataset status line, the preview and the runner. */
export interface DatasetSummary {
  fileName: string;
  format: ArchiveFormat;
  layout: LayoutKind;
  /** The layout's human name, e.g. "CIFAR-10 binary". */
  layoutName: string;
  task: Task;
  counts: { train: number; test: number };
  /** Where each split came from, e.g. "train/" or "80% of the class folders". */
  splitSources: { train: string; test: string };
  classNames: string[];
  /** Per class and split: images of the class (classification) or images showing it (segmentation). */
  classHistogram: { train: number[]; test: number[] };
  histogramUnit: 'images' | 'images showing the class' | 'none';
  /** Original image sizes, most common first (at most 5), and how many distinct sizes there were. */
  imageSizes: { width: number; height: number; count: number }[];
  distinctImageSizes: number;
  /** Side of the square the images were resized to. */
  inputSize: number;
  /** Files left out, with the reason (at most 100 listed; `skippedCount` counts all). */
  skipped: SkippedFile[];
  skippedCount: number;
  /** Things a person should know, e.g. "no split folders: made a seeded stratified 80/20 split". */
  notes: string[];
  archiveBytes: number;
  /** Bytes the decoded dataset holds. */
  datasetBytes: number;
  ms: number;
}

/** Builds the histogram for a dataset's splits. */
export function histogramOf(ds: Dataset): Pick<DatasetSummary, 'classHistogram' | 'histogramUnit'> {
  if (ds.kind === 'translate') return { classHistogram: { train: [], test: [] }, histogramUnit: 'none' };
  const k = ds.classNames.length;
  if (ds.kind === 'classify') {
    const count = (labels: Int32Array): number[] => {
      const h = new Array<number>(k).fill(0);
      for (const l of labels) h[l]++;
      return h;
    };
    return { classHistogram: { train: count(ds.train.labels), test: count(ds.test.labels) }, histogramUnit: 'images' };
  }
  const pixels = ds.height * ds.width;
  const count = (masks: Uint8Array, n: number): number[] => {
    const h = new Array<number>(k).fill(0);
    const seen = new Uint8Array(256);
    for (let i = 0; i < n; i++) {
      seen.fill(0);
      for (let p = i * pixels; p < (i + 1) * pixels; p++) seen[masks[p]] = 1;
      for (let c = 0; c < k; c++) if (c !== IGNORE_INDEX && seen[c]) h[c]++;
    }
    return h;
  };
  return { classHistogram: { train: count(ds.train.masks, ds.train.n), test: count(ds.test.masks, ds.test.n) }, histogramUnit: 'images showing the class' };
}

/** Bytes held by a dataset's arrays. */
export function datasetBytes(ds: Dataset): number {
  if (ds.kind === 'translate') return ds.train.a.length * 2 + ds.test.a.length * 2;
  if (ds.kind === 'segment') return ds.train.images.length + ds.train.masks.length + ds.test.images.length + ds.test.masks.length;
  return ds.train.images.length + ds.test.images.length;
}

/** The summary as one line of text, for the dataset status and the runner's log. */
export function describeSummary(s: DatasetSummary): string {
  const parts = [`${s.fileName}: ${s.layoutName} (${s.format}), ${s.counts.train} train + ${s.counts.test} test`];
  if (s.classNames.length > 0) {
    const shown = s.classNames.slice(0, 10).map((c, i) => `${c} ${s.classHistogram.train[i]}/${s.classHistogram.test[i]}`);
    const more = s.classNames.length > 10 ? `, ... (${s.classNames.length} classes)` : '';
    parts.push(`${s.classNames.length} classes (${s.histogramUnit}, train/test): ${shown.join(', ')}${more}`);
  }
  const sizes = s.imageSizes.map((z) => `${z.width}x${z.height}${s.distinctImageSizes > 1 ? ` (${z.count})` : ''}`).join(', ');
  const otherSizes = s.distinctImageSizes > s.imageSizes.length ? ` and ${s.distinctImageSizes - s.imageSizes.length} other sizes` : '';
  parts.push(`images ${sizes}${otherSizes}, resized to ${s.inputSize}x${s.inputSize}`);
  if (s.skippedCount > 0) {
    const first = s.skipped.slice(0, 3).map((k) => `${k.file} (${k.reason})`);
    parts.push(`skipped ${s.skippedCount}: ${first.join('; ')}${s.skippedCount > 3 ? '; ...' : ''}`);
  }
  parts.push(...s.notes);
  parts.push(`${formatBytes(s.datasetBytes)} in memory, loaded in ${(s.ms / 1000).toFixed(1)} s`);
  return parts.join('; ');
}
