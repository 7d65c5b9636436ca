import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageNode } from '../data/decodeNode';
import { loadArchiveDataset } from '../data/load';
import { createDefaultConfig, type ExperimentConfig } from '../engine/config';
import { makeTruncatedZip } from '../testing/brokenArchives';
import { makeImageFolderZip } from '../testing/datasetArchives';
import { createTrainerHandler, type HandlerDeps } from './handler';
import type { ArchiveOptions, DatasetSummary, FromWorker, ToWorker } from './protocol';

/** The handler with Node's decoder for archives and a fake `post` that keeps every message. */
function createArchiveHarness(overrides: Partial<HandlerDeps> = {}) {
  const messages: FromWorker[] = [];
  const deps: HandlerDeps = {
    activateBackend: async (name) => {
      if (name !== 'cpu') throw new Error(`${name} is not available in Node`);
      await tf.setBackend('cpu');
    },
    probeWebGpu: async () => 'no WebGPU in Node',
    loadDataset: () => Promise.reject(new Error('no built-ins in these tests')),
    loadArchive: (file, opts) => loadArchiveDataset(file, { ...opts, decoder: decodeImageNode }),
    metricsIntervalMs: 0,
    ...overrides,
  };
  const handle = createTrainerHandler((m) => messages.push(m), deps);
  const summaryOf = (id: number): DatasetSummary => {
    const m = messages.find((x) => x.type === 'datasetReady' && x.id === id);
    if (m?.type !== 'datasetReady') throw new Error(`no datasetReady for request ${id}: ${JSON.stringify(messages.map((x) => x.type))}`);
    return m.summary;
  };
  return { messages, handle, summaryOf };
}

const OPTIONS: ArchiveOptions = { cifarLabels: 'fine', pairDirection: 'AtoB' };
const blob = (bytes: Uint8Array): Blob => new Blob([bytes as Uint8Array<ArrayBuffer>]);
const load = (id: number, bytes: Uint8Array, fileName: string, inputSize = 8): ToWorker => ({
  type: 'loadArchive',
  id,
  file: blob(bytes),
  fileName,
  inputSize,
  seed: 1,
  options: OPTIONS,
});

function tinyRun(dataset: string, inputSize = 8): ExperimentConfig {
  return { ...createDefaultConfig(), dataset, model: 'cnn', inputSize, batchSize: 4, steps: 2, evalEvery: 2, augment: false };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('archives in the worker', () => {
  it('loads a dropped ImageFolder zip with progress, a summary and a preview, and trains on it', async () => {
    const h = createArchiveHarness();
    await h.handle(load(3, makeImageFolderZip({ classes: 3, perClass: 4, size: 12 }), 'pets.zip'));
    expect(h.messages.filter((m) => m.type === 'loadProgress').length).toBeGreaterThan(0);
    expect(h.messages.every((m) => m.type !== 'loadProgress' || m.id === 3)).toBe(true);
    const summary = h.summaryOf(3);
    expect(summary).toMatchObject({ id: 'archive:pets.zip', name: 'pets.zip', numTrain: 12, numTest: 6, width: 8, height: 8, channels: 3, inputSize: 8 });
    expect(summary.archive).toMatchObject({ layout: 'imagefolder', format: 'zip', counts: { train: 12, test: 6 }, classNames: ['class0', 'class1', 'class2'] });
    expect(summary.preview!.samples).toHaveLength(12);
    expect(summary.preview!.samples[0].image).toHaveLength(8 * 8 * 3);
    expect(new Set(summary.preview!.samples.map((s) => s.label))).toEqual(new Set(['class0', 'class1', 'class2']));

    await h.handle({ type: 'init', id: 4, backend: 'cpu', model: 'cnn' });
    await h.handle({ type: 'start', runId: 'r1', config: tinyRun('archive:pets.zip') });
    expect(h.messages.at(-1)).toMatchObject({ type: 'done', runId: 'r1', status: 'done', progress: { step: 2 } });
  });

  it('names the file of a broken archive and keeps the dataset loaded before it', async () => {
    const h = createArchiveHarness();
    await h.handle(load(1, makeImageFolderZip({ classes: 2, perClass: 3 }), 'good.zip'));
    const good = h.summaryOf(1);
    await h.handle(load(2, makeTruncatedZip(), 'broken.zip'));
    expect(h.messages.at(-1)).toEqual({ type: 'error', id: 2, error: { name: 'DatasetError', message: expect.stringMatching(/^broken\.zip: /) } });

    // Asking for the earlier dataset answers from memory: nothing was replaced or re-read.
    await h.handle({ type: 'loadDataset', id: 5, dataset: 'archive:good.zip', inputSize: 8, seed: 1 });
    expect(h.summaryOf(5)).toBe(good);
    await h.handle({ type: 'init', id: 6, backend: 'cpu', model: 'cnn' });
    await h.handle({ type: 'start', runId: 'r2', config: tinyRun('archive:good.zip') });
    expect(h.messages.at(-1)).toMatchObject({ type: 'done', runId: 'r2', status: 'done' });
  });

  it('cancels a load on request and keeps the earlier dataset', async () => {
    const h = createArchiveHarness();
    await h.handle(load(1, makeImageFolderZip({ classes: 2, perClass: 3 }), 'good.zip'));
    const pending = h.handle(load(2, makeImageFolderZip({ classes: 4, perClass: 40, size: 32 }), 'big.zip'));
    await h.handle({ type: 'cancelLoad', id: 2 });
    await pending;
    expect(h.messages.at(-1)).toEqual({ type: 'error', id: 2, error: { name: 'DatasetError', message: expect.stringContaining('big.zip: loading was cancelled') } });
    await h.handle({ type: 'loadDataset', id: 3, dataset: 'archive:good.zip', inputSize: 8, seed: 1 });
    expect(h.summaryOf(3)).toBe(h.summaryOf(1));
  });

  it('re-reads the kept archive at another input size, and refuses an archive that is not loaded', async () => {
    const h = createArchiveHarness();
    await h.handle(load(1, makeImageFolderZip({ classes: 2, perClass: 3, size: 16 }), 'good.zip'));
    await h.handle({ type: 'loadDataset', id: 2, dataset: 'archive:good.zip', inputSize: 16, seed: 1 });
    expect(h.summaryOf(2)).toMatchObject({ id: 'archive:good.zip', width: 16, inputSize: 16, archive: { inputSize: 16 } });
    await h.handle({ type: 'loadDataset', id: 3, dataset: 'archive:other.zip', inputSize: 16, seed: 1 });
    expect(h.messages.at(-1)).toEqual({
      type: 'error',
      id: 3,
      error: { name: 'DatasetError', message: 'other.zip: is not loaded any more; drop the archive on the page again' },
    });
  });
});
