import type { LoadArchiveOptions, LoadedDataset } from '../data/load';
import type { Dataset } from '../engine/dataset';
import { DatasetError } from './errors';
import type { HandlerContext } from './handlerContext';
import { createDatasetPreview } from './preview';
import { datasetKeyOf, type ArchiveOptions, type DatasetSummary, type ToWorker } from './protocol';
import { errorMessage } from '../engine/errors';

/**
 * The worker's dataset and archive cache: the one dataset loaded (a built-in by name, size and
 * seed, or an archive), and the last archive that loaded, kept to re-read at another input size
 * or seed. A failed or cancelled archive load leaves the dataset loaded before it in place.
 */

export interface LoadedData {
  data: Dataset;
  summary: DatasetSummary;
}

export interface DatasetCache {
  /** The dataset `id` at `inputSize` and `seed`: the one held if it matches, else loaded (replacing it). */
  ensure(id: string, inputSize: number, seed: number): Promise<LoadedData>;
  /** Registers archive load `id` as soon as it arrives, so that a cancel can overtake it in the queue. */
  registerArchiveLoad(id: number): void;
  /** Aborts archive load `id`, if it is still going. */
  cancelArchiveLoad(id: number): void;
  /** Reads the archive of a `loadArchive` request and posts `loadProgress` and `datasetReady`. */
  loadArchive(msg: Extract<ToWorker, { type: 'loadArchive' }>): Promise<void>;
}

export function createDatasetCache(ctx: HandlerContext): DatasetCache {
  const { deps, post, now } = ctx;
  let dataset: ({ key: string } & LoadedData) | null = null;
  /** The last archive that loaded, kept (a Blob costs nothing) to re-read at another input size. */
  let archive: { id: string; file: Blob; fileName: string; options: ArchiveOptions } | null = null;
  const archiveLoads = new Map<number, AbortController>();

  /** Reads an archive; a failure or a cancel leaves the dataset loaded before it in place. */
  async function readArchiveDataset(
    file: Blob,
    fileName: string,
    inputSize: number,
    seed: number,
    options: ArchiveOptions,
    onProgress?: LoadArchiveOptions['onProgress'],
    signal?: AbortSignal,
  ): Promise<{ key: string } & LoadedData> {
    const id = `archive:${fileName}`;
    let loaded: LoadedDataset;
    try {
      loaded = await deps.loadArchive(file, { fileName, inputSize, seed, ...options, onProgress, signal });
    } catch (e) {
      if (signal?.aborted) throw new DatasetError(fileName, 'loading was cancelled; the dataset loaded before it stays');
      throw e;
    }
    const { dataset: data, summary: archiveSummary } = loaded;
    const summary: DatasetSummary = {
      id,
      name: fileName,
      classNames: archiveSummary.classNames,
      height: data.height,
      width: data.width,
      channels: data.channels,
      numTrain: data.train.n,
      numTest: data.test.n,
      inputSize: archiveSummary.inputSize,
      ms: archiveSummary.ms,
      archive: archiveSummary,
      preview: createDatasetPreview(data),
    };
    return { key: datasetKeyOf(id, archiveSummary.inputSize, seed), data, summary };
  }

  async function loadArchive(msg: Extract<ToWorker, { type: 'loadArchive' }>): Promise<void> {
    const controller = archiveLoads.get(msg.id) ?? new AbortController();
    let last = -Infinity;
    const onProgress: LoadArchiveOptions['onProgress'] = (progress) => {
      const t = now();
      if (t - last < ctx.interval) return;
      last = t;
      post({ type: 'loadProgress', id: msg.id, progress });
    };
    try {
      const loaded = await readArchiveDataset(msg.file, msg.fileName, msg.inputSize, msg.seed, msg.options, onProgress, controller.signal);
      dataset = loaded;
      archive = { id: loaded.summary.id, file: msg.file, fileName: msg.fileName, options: msg.options };
      post({ type: 'datasetReady', id: msg.id, summary: loaded.summary });
    } finally {
      archiveLoads.delete(msg.id);
    }
  }

  async function ensure(id: string, inputSize: number, seed: number): Promise<LoadedData> {
    const key = datasetKeyOf(id, inputSize, seed);
    if (dataset?.key === key) return dataset;
    if (id.startsWith('archive:')) {
      if (archive?.id !== id) throw new DatasetError(id.slice('archive:'.length), 'is not loaded any more; drop the archive on the page again');
      dataset = await readArchiveDataset(archive.file, archive.fileName, inputSize, seed, archive.options);
      return dataset;
    }
    if (!id.startsWith('builtin:')) {
      throw new DatasetError(id, 'is neither a built-in dataset nor a loaded archive; choose a built-in dataset or drop the archive on the page');
    }
    dataset = null;
    const t0 = now();
    let data: Dataset;
    try {
      data = await deps.loadDataset(id, { inputSize, seed });
    } catch (e) {
      throw new DatasetError(id, `${errorMessage(e)}`);
    }
    const summary: DatasetSummary = {
      id,
      name: data.name,
      classNames: data.kind === 'translate' ? [] : data.classNames,
      height: data.height,
      width: data.width,
      channels: data.channels,
      numTrain: data.train.n,
      numTest: data.test.n,
      inputSize,
      ms: now() - t0,
      preview: createDatasetPreview(data),
    };
    dataset = { key, data, summary };
    return dataset;
  }

  return {
    ensure,
    registerArchiveLoad: (id) => void archiveLoads.set(id, new AbortController()),
    cancelArchiveLoad: (id) => archiveLoads.get(id)?.abort(),
    loadArchive,
  };
}
