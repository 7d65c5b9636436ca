import type { Dataset } from '../engine/dataset';
import type { DatasetPreview, PreviewSample } from './protocol';

/** How many training samples the dataset preview shows. */
export const PREVIEW_SAMPLES = 16;

/**
 * Copies a few evenly spaced training samples out of a dataset, for the preview grid: small
 * copies, so the dataset's own buffers never leave the worker.
 */
export function createDatasetPreview(ds: Dataset, count = PREVIEW_SAMPLES): DatasetPreview {
  const n = ds.train.n;
  const shown = Math.min(count, n);
  const pixels = ds.height * ds.width;
  const bytes = pixels * ds.channels;
  const samples: PreviewSample[] = [];
  for (let j = 0; j < shown; j++) {
    // Evenly spaced rather than the first few: folders arrive class by class.
    const i = Math.floor((j * n) / shown);
    const at = (a: Uint8Array, size: number) => a.slice(i * size, (i + 1) * size);
    if (ds.kind === 'classify') samples.push({ label: ds.classNames[ds.train.labels[i]] ?? String(ds.train.labels[i]), image: at(ds.train.images, bytes) });
    else if (ds.kind === 'segment') samples.push({ label: `#${i}`, image: at(ds.train.images, bytes), mask: at(ds.train.masks, pixels) });
    else samples.push({ label: `#${i}`, image: at(ds.train.a, bytes), target: at(ds.train.b, bytes) });
  }
  return { size: ds.width, channels: ds.channels, palette: ds.kind === 'segment' ? ds.palette : null, samples };
}
