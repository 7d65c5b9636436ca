import { createDefaultConfig, type ExperimentConfig } from '../engine/config';
import type { ImageSplit } from '../engine/dataset';
import { Trainer } from '../engine/trainer';
import type { DatasetCache } from './datasetCache';
import { DatasetError, ProtocolError } from './errors';
import { type HandlerContext, yieldOnce } from './handlerContext';
import type { BackendName, BenchRequest, BenchResult } from './protocol';

/** The built-in dataset `bench` requests train on. */
const BENCH_DATASET = 'builtin:shapes10';

/** A copy of the first `n` images of a split. */
function takeImages(split: ImageSplit, n: number): ImageSplit {
  const k = Math.min(n, split.n);
  const size = split.images.length / split.n;
  return { images: split.images.slice(0, k * size), labels: split.labels.slice(0, k), n: k };
}

/**
 * Benchmarks only: `request.steps` steps of one plain SGD arm (lr 0.1, momentum 0.5, no
 * weight decay, no augmentation, no evaluation before the last step) of `request.model` on
 * shapes10, on `request.backend`, timed from the end of step 2 to the end of step steps - 1
 * like the Node benchmark, each step's loss read back before the next; on wasm with
 * `request.threads` XNNPACK threads when given (wasm restarts when it runs with another count).
 * `inUse`, the backend in use before, is active again afterwards (wasm with the threads it had).
 * Posts `benchResult` as reply `id`.
 */
export async function runBench(ctx: HandlerContext, datasets: DatasetCache, inUse: BackendName | null, id: number, request: BenchRequest): Promise<void> {
  const { deps, now } = ctx;
  if (!(Number.isInteger(request.steps) && request.steps >= 4)) throw new ProtocolError(`bench needs at least 4 steps (got ${request.steps})`);
  const { data: full } = await datasets.ensure(BENCH_DATASET, request.inputSize, 0);
  if (full.kind !== 'classify') throw new DatasetError(BENCH_DATASET, 'is not a classification dataset');
  // As many training images as the Node benchmark, and one test batch: the final evaluation is not timed.
  const data = { ...full, train: takeImages(full.train, 1280), test: takeImages(full.test, request.batchSize) };
  const base = createDefaultConfig();
  const arm = { ...base.arms[0], optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 0 } as const };
  const config: ExperimentConfig = {
    ...base,
    dataset: BENCH_DATASET,
    model: request.model,
    inputSize: request.inputSize,
    batchSize: request.batchSize,
    steps: request.steps,
    evalEvery: request.steps,
    augment: false,
    seeds: [1],
    arms: [arm],
  };
  if (request.threads !== undefined && request.backend !== 'wasm') throw new ProtocolError(`bench: threads is for wasm only (got backend ${request.backend})`);
  const threadsBefore = deps.wasmThreads?.() ?? undefined;
  await deps.activateBackend(request.backend, request.threads);
  const threadsInUse = request.backend === 'wasm' ? (deps.wasmThreads?.() ?? undefined) : undefined;
  const t0 = now();
  let started = 0;
  let ended = 0;
  let trainer: Trainer | null = null;
  try {
    trainer = new Trainer({
      config,
      dataset: data,
      onRecord: () => {},
      // Every step's loss is read back before the next one: on WebGPU a step is otherwise only
      // queued when its progress comes, and the timing would be of the queueing.
      flushIntervalMs: 0,
      onProgress: (p) => {
        if (p.step === 2) started = now();
        if (p.step === request.steps - 1) ended = now();
      },
      yieldToHost: yieldOnce,
    });
    await trainer.run();
  } finally {
    trainer?.dispose();
    if (inUse && (inUse !== request.backend || (inUse === 'wasm' && threadsBefore !== threadsInUse))) await deps.activateBackend(inUse, inUse === 'wasm' ? threadsBefore : undefined);
  }
  const timedSteps = request.steps - 3;
  const msPerStep = (ended - started) / timedSteps;
  const result: BenchResult = { ...request, imagesPerSec: (request.batchSize * 1000) / msPerStep, msPerStep, timedSteps, warmupMs: started - t0, ...(threadsInUse !== undefined ? { threadsInUse } : {}) };
  ctx.post({ type: 'benchResult', id, result });
}
