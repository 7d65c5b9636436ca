/**
 * The worker protocol: every message between the main thread and the training worker, as two
 * discriminated unions keyed by `type`. Types only; both sides import this one file. Requests
 * that expect a reply carry an `id`; everything about a run carries its `runId`, so replies to
 * an old run can be told apart and dropped.
 */

import type { LoadProgress } from '../data/pace';
import type { DatasetSummary as ArchiveSummary } from '../data/summary';
import type { BackendName } from '../engine/backends/setup';
import type { Checkpoint } from '../engine/checkpoint';
import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import type { ArmSamples, LiveParams, TrainerProgress } from '../engine/trainer';

export type { BackendName } from '../engine/backends/setup';
export type { ArmCheckpoint, Checkpoint, TensorData } from '../engine/checkpoint';
export type { ArmSamples, LiveParams, TrainerProgress } from '../engine/trainer';
export type { LoadProgress } from '../data/pace';
export type { ArchiveSummary };

/** Backends in the order the worker tries them. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * The key of a loaded dataset: its id, input size and seed. The worker caches one dataset under
 * this key; the store compares it to know whether the worker holds the dataset a config needs.
 */
export function datasetKeyOf(id: string, inputSize: number, seed: number): string {
  return `${id}|${inputSize}|${seed}`;
}

/** The `id` of a `ready` that answers no request: the worker chose a new backend by itself, after a device loss. */
export const REINIT_ID = 0;

/**
 * The name of the `error` the client reports when its worker crashed (an 'error' event: an
 * uncaught exception, or a script that did not load). That worker is gone: `restart` starts a new
 * one, which needs `init` and its dataset again.
 */
export const WORKER_CRASHED = 'WorkerCrashedError';

/** What the WebGPU adapter says about itself (GPUAdapterInfo plus the fallback flag). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a software adapter (SwiftShader): it works, but it is the CPU. */
  isFallbackAdapter: boolean;
}

/**
 * What the backend choice can pick: a backend, and for wasm where the page can run wasm threads,
 * its XNNPACK thread count (docs/backends.md, "wasm threads"). `threads` is absent where the
 * count is no choice (Node; a page that is not cross-origin isolated).
 */
export interface BackendCandidate {
  backend: BackendName;
  threads?: number;
}

/** A candidate's name in the badge's tooltip and `data-measurements`: `wasm`, or `wasm (2 threads)`. */
export function candidateName(c: BackendCandidate): string {
  return c.threads === undefined ? c.backend : `${c.backend} (${c.threads} thread${c.threads === 1 ? '' : 's'})`;
}

/** One backend the preflight tried, and why it was passed over. */
export interface BackendAttempt extends BackendCandidate {
  ok: boolean;
  /** Why it was rejected; absent when `ok`. */
  reason?: string;
}

/** The backend the worker trains on, with the adapter and the preflight's trail. */
export interface BackendReport {
  backend: BackendName;
  /** The WebGPU adapter, when WebGPU was probed and one was found (even if WebGPU then failed). */
  adapter: AdapterInfo | null;
  /** The backend forced with `?backend=`, if any. */
  forced: BackendName | null;
  attempts: BackendAttempt[];
  /** Largest relative difference of a tiny forward+backward against the cpu backend. */
  maxRelativeError: number;
  /** How the backend was chosen by speed (absent when forced, or when no workload was given). */
  choice?: BackendChoice;
  /** wasm: the XNNPACK threads in use (1 for the single-threaded build); absent on other backends. */
  threads?: number;
  /** wasm: whether the project's SIMD gradient kernels (engine/backends/simd) run; false means XNNPACK paths only. */
  simdKernels?: boolean;
  /** The wasm threads asked for with `?threads=`, if any. */
  forcedThreads?: number;
}

/** What the backend choice times: a few real training steps of this model at this batch and input size. */
export interface SpeedWorkload {
  model: string;
  batchSize: number;
  inputSize: number;
}

/** One candidate's measured training speed, or why it was passed over. */
export interface BackendMeasurement extends BackendCandidate {
  /** Training images per second over the timed steps; null when passed over. */
  imagesPerSec: number | null;
  /** Milliseconds of the warm-up step (model build, upload, shader compilation), when it finished. */
  warmupMs?: number;
  /** Why it was passed over (failed the preflight, not warmed up within the budget, slower than another). */
  reason?: string;
}

/**
 * A measured choice, as the page remembers it (localStorage) per `key`: the adapter, model, batch
 * size and input size it was measured for.
 */
export interface MeasuredChoice {
  key: string;
  backend: BackendName;
  /** wasm: the thread count chosen, where it was a choice. */
  threads?: number;
  measurements: BackendMeasurement[];
  /** When it was measured (ISO 8601). */
  measuredAt: string;
}

/** How the backend in use was chosen: measured now, or remembered from an earlier measurement. */
export interface BackendChoice extends MeasuredChoice {
  how: 'measured' | 'remembered';
}

/** A loaded dataset, as the UI summarises it. */
export interface DatasetSummary {
  id: string;
  name: string;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  numTrain: number;
  numTest: number;
  inputSize: number;
  ms: number;
  /** What the archive held (layout, splits, histogram, skipped files); absent for built-ins. */
  archive?: ArchiveSummary;
  /** A few training samples as the model sees them, for the preview grid. */
  preview?: DatasetPreview;
}

/** One preview sample: RGB or gray bytes (size x size x channels), with its label or mask or target. */
export interface PreviewSample {
  label: string;
  image: Uint8Array;
  /** Segmentation: class index per pixel (255 = ignore). */
  mask?: Uint8Array;
  /** pix2pix: the target half, shown beside the input. */
  target?: Uint8Array;
}

/** Samples of the training split, resized to the input size. */
export interface DatasetPreview {
  size: number;
  channels: number;
  /** Segmentation: RGB per class, for mask overlays. */
  palette: [number, number, number][] | null;
  samples: PreviewSample[];
}

/** How an archive is read: the settings that only some layouts use. */
export interface ArchiveOptions {
  /** CIFAR-100: fine (100 classes) or coarse (20 superclasses) labels. */
  cifarLabels: 'fine' | 'coarse';
  /** pix2pix: AtoB takes the left half as input, BtoA the right. */
  pairDirection: 'AtoB' | 'BtoA';
}

/** An error as it crosses the boundary: a named class and a message that says what to do. */
export interface WorkerErrorInfo {
  name: string;
  message: string;
}

/** A speed measurement (`npm run bench`): `steps` steps of one plain SGD arm on a built-in dataset. */
export interface BenchRequest {
  backend: BackendName;
  /** Any model createModel builds, the benchmark-only `convnetjs` included. */
  model: string;
  inputSize: number;
  batchSize: number;
  /** At least 4: the first two and the last are not timed. */
  steps: number;
  /** wasm only: the XNNPACK threads to train with (the wasm backend is restarted when it runs with another count). */
  threads?: number;
}

/** What a `bench` request measured, on the backend it asked for. */
export interface BenchResult extends BenchRequest {
  imagesPerSec: number;
  msPerStep: number;
  /** Steps timed (steps 3 .. steps - 1). */
  timedSteps: number;
  /** Construction and the first two steps (model build, dataset upload, shader compilation). */
  warmupMs: number;
  /** wasm: the XNNPACK threads it ran with. */
  threadsInUse?: number;
}

/** Run states the worker reports; `stopped` is a run ended early by the user. */
export type WorkerRunStatus = 'running' | 'paused' | 'done' | 'stopped';

export type AppToWorker =
  /**
   * Chooses the backend. `backend` forces one (the others are fallbacks, in order). Otherwise, with
   * `workload`, the backends that pass the preflight are timed on it and the fastest is chosen,
   * unless `remembered` holds a choice for the same adapter and workload (then that one, if it
   * still passes); without `workload`, the first of BACKEND_ORDER that passes. `threads` (with
   * `backend` 'wasm', from `?threads=`) forces wasm's thread count.
   */
  | { type: 'init'; id: number; backend: BackendName | null; model: string; workload?: SpeedWorkload; remembered?: MeasuredChoice[]; threads?: number }
  | { type: 'loadDataset'; id: number; dataset: string; inputSize: number; seed: number }
  /** A dropped or picked archive (a File or Blob clones without copying its bytes); answered by `datasetReady`. */
  | { type: 'loadArchive'; id: number; file: Blob; fileName: string; inputSize: number; seed: number; options: ArchiveOptions }
  /** Cancels the `loadArchive` request `id`; the dataset loaded before it stays. */
  | { type: 'cancelLoad'; id: number }
  /**
   * Starts a run; with `resumeFrom` (a checkpoint of a run of this same config) it continues at
   * resumeFrom.step + 1, and the page drops the run's records after resumeFrom.step.
   */
  | { type: 'start'; runId: string; config: ExperimentConfig; resumeFrom?: Checkpoint }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'stop'; runId: string }
  | { type: 'setParams'; runId: string; arm: string; params: LiveParams };

/** Debug hooks, in development and test builds only (DEBUG_HOOKS); a production worker rejects them as unknown. */
export type DebugToWorker =
  /**
   * Debug, for tests only: acts as if the device under the active backend were lost (the real
   * thing comes from WebGPU's device.lost or WebGL's webglcontextlost). Nothing is destroyed.
   */
  | { type: 'simulateDeviceLoss'; reason?: string }
  /**
   * Debug, for tests only: the worker throws an uncaught error from a timer and then closes
   * itself, so the page sees a real 'error' event from a worker that is really gone.
   */
  | { type: 'crashWorker' }
  /** Benchmarks only: trains `request` with the engine's Trainer, answered by `benchResult`; no run may be going. */
  | { type: 'bench'; id: number; request: BenchRequest };

export type ToWorker = AppToWorker | DebugToWorker;

export type FromWorker =
  /** The backend in use: the reply to `init` `id`, or, with id REINIT_ID, the backend chosen after `backendLost`. */
  | { type: 'ready'; id: number; report: BackendReport }
  /** How far the backend choice for `init` `id` has got, as a line for the page ("choosing backend: measuring wasm…"). */
  | { type: 'backendProgress'; id: number; text: string }
  | { type: 'datasetReady'; id: number; summary: DatasetSummary }
  /** How far `loadArchive` request `id` has got (at most one per interval). */
  | { type: 'loadProgress'; id: number; progress: LoadProgress }
  | { type: 'started'; runId: string; totalSteps: number; stepsPerEpoch: number }
  | { type: 'status'; runId: string; status: WorkerRunStatus }
  | { type: 'progress'; runId: string; progress: TrainerProgress }
  /** Records batched over an interval (about 100 ms), never one message per record. */
  | { type: 'metrics'; runId: string; records: MetricRecord[] }
  /**
   * One arm's outputs on fixed val samples after an evaluation (segment, translate), its byte
   * arrays transferred; `palette` is the segmentation dataset's colour per class, else null.
   */
  | { type: 'samples'; runId: string; samples: ArmSamples; palette: [number, number, number][] | null }
  | { type: 'done'; runId: string; status: 'done' | 'stopped'; progress: TrainerProgress | null }
  /**
   * The run's state after an evaluation (weights, optimizer state, live settings), posted after
   * the records up to `checkpoint.step`; its Float32Array buffers are transferred. The worker
   * keeps the latest one to recover from a device loss; the page stores it to resume later.
   */
  | { type: 'checkpoint'; runId: string; checkpoint: Checkpoint }
  /**
   * The device under `backend` was lost (or ran out of memory); follows a DeviceLostError
   * `error` when a run was going. A `ready` with id REINIT_ID follows once another backend passes,
   * then `resumed` for the run.
   */
  | { type: 'backendLost'; runId?: string; backend: BackendName; reason: string }
  /**
   * The run goes on from its checkpoint at `step` (0: from the start) on `backend`: records of
   * later steps and summaries received before this message are made again, so the page drops
   * them (ExperimentStore.discardRecordsAfter(id, step)) and marks the run running.
   */
  | { type: 'resumed'; runId: string; step: number; backend: BackendName }
  | { type: 'benchResult'; id: number; result: BenchResult }
  /** `id` or `runId` names the request that failed; both absent for a message that made no sense. */
  | { type: 'error'; id?: number; runId?: string; error: WorkerErrorInfo };

/** The `?bench` page hook (window.__rgBench) that the browser benchmark drives; src/ui/benchHook.tsx installs it. */
/** What one chart timing measured, in ms. */
export interface ChartRedrawTiming {
  pointsPerSeries: number;
  arms: number;
  rows: number;
  /** First render (mount), rows built included. */
  mountMs: number;
  /** Median of the redraws after it, each with new data: rows built, React render, layout. */
  redrawMs: number;
  redraws: number[];
}

/** The hook the benchmark reaches with page.evaluate. */
export interface BenchHook {
  bench(request: BenchRequest): Promise<BenchResult>;
  timeChartRedraw(pointsPerSeries: number, rounds: number): ChartRedrawTiming;
}
