import type { BuiltinLoadOptions } from '../data/builtin';
import type { LoadArchiveOptions, LoadedDataset } from '../data/load';
import { type Checkpoint, checkpointBuffers, copyCheckpointTensors } from '../engine/checkpoint';
import { createDefaultConfig, type ExperimentConfig, parseExperimentConfig } from '../engine/config';
import type { Dataset, ImageSplit } from '../engine/dataset';
import type { MetricRecord } from '../engine/records';
import { Trainer, type ArmSamples, type LiveParams, type TrainerProgress } from '../engine/trainer';
import { describeDeviceFailure } from './deviceLoss';
import { BackendError, DatasetError, DeviceLostError, ProtocolError, RunStateError, toErrorInfo } from './errors';
import {
  compareProbes,
  computeProbeGradients,
  findMissingKernels,
  MAX_RELATIVE_ERROR,
  recordTrainingKernels,
} from './preflight';
import { createDatasetPreview } from './preview';
import {
  BACKEND_ORDER,
  type AdapterInfo,
  type ArchiveOptions,
  type BackendAttempt,
  type BackendName,
  type BackendReport,
  type BenchRequest,
  type BenchResult,
  type DatasetSummary,
  type FromWorker,
  REINIT_ID,
  type ToWorker,
} from './protocol';

/**
 * The worker's logic, free of worker globals so that Node tests can drive it with a fake
 * `post`: backend preflight, dataset loading, and one run at a time whose records are batched
 * into `metrics` messages. Setup requests (init, loadDataset, start) run one after another;
 * run control (pause, resume, stop, setParams) acts at once, between training steps.
 *
 * Device loss: when the device under the backend is lost (deps.watchDeviceLoss, or an
 * out-of-memory / lost-device exception from a step), the run stops and the handler posts a
 * DeviceLostError `error` and `backendLost`, moves to the next backend of the order that passes
 * the preflight (`ready` with id REINIT_ID), and continues the run from the last checkpoint it
 * kept (`resumed`). Records after that checkpoint's step are made again.
 */

/** Posts a message; `transfer` lists buffers to move rather than copy (sample images). */
export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

/** What the handler needs from its host; the worker entry passes the browser's versions. */
export interface HandlerDeps {
  /** Registers and activates a backend; throws when it cannot start. */
  activateBackend(name: BackendName): Promise<void>;
  /** A WebGPU adapter's description, or why there is none. */
  probeWebGpu(): Promise<AdapterInfo | string>;
  /** Builds a built-in dataset. */
  loadDataset(id: string, opts: Required<BuiltinLoadOptions>): Dataset | Promise<Dataset>;
  /** Reads a dataset archive with this host's image decoder (loadArchiveDataset). */
  loadArchive(file: Blob, opts: Omit<LoadArchiveOptions, 'decoder'>): Promise<LoadedDataset>;
  /**
   * Calls `onLost` when the device under `backend` (just activated) is lost; returns the function
   * that stops watching. Left out, only exceptions from steps reveal a lost device.
   */
  watchDeviceLoss?(backend: BackendName, onLost: (reason: string) => void): () => void;
  /** Debug (`crashWorker`): makes the worker die for real. Left out, the message is ignored. */
  crashWorker?(): void;
  /** The backends to try, best first (default BACKEND_ORDER); after a loss, those after the lost one. */
  backendOrder?: readonly BackendName[];
  /** Least time between two `metrics` messages, in ms (default 100). */
  metricsIntervalMs?: number;
  now?: () => number;
}

interface ModelCheck {
  kernels: string[];
  reference: Float32Array[];
}

/** A device that went away, and why. */
interface DeviceLoss {
  backend: BackendName;
  reason: string;
}

/** A live setting change, applied from `step` on. */
interface ParamChange {
  step: number;
  arm: string;
  params: LiveParams;
}

interface ActiveRun {
  id: string;
  trainer: Trainer | null;
  paused: boolean;
  pauseAnnounced: boolean;
  stopRequested: boolean;
  pendingParams: { arm: string; params: LiveParams }[];
  buffer: MetricRecord[];
  progress: TrainerProgress | null;
  progressSent: TrainerProgress | null;
  lastFlush: number;
  /** Whether `started` has been posted (once per run, whatever the retries). */
  started: boolean;
  /** The latest checkpoint, to continue from after a device loss. */
  checkpoint: Checkpoint | null;
  /** Live changes made after `checkpoint`, applied again when the run continues from it. */
  changes: ParamChange[];
  /** Set when the device under the run's backend is lost. */
  lost: DeviceLoss | null;
}

/** The built-in dataset `bench` requests train on. */
const BENCH_DATASET = 'builtin:shapes10';

/** A copy of the first `n` images of a split. */
function takeImages(split: ImageSplit, n: number): ImageSplit {
  const k = Math.min(n, split.n);
  const size = split.images.length / split.n;
  return { images: split.images.slice(0, k * size), labels: split.labels.slice(0, k), n: k };
}

const yieldOnce = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function rejectUnknown(msg: never): never {
  const type = (msg as { type?: unknown } | null)?.type;
  throw new ProtocolError(`unknown message type ${JSON.stringify(type)}; the page and the worker are out of date: reload the page`);
}

/** Creates the message handler; feed it every message the worker receives. */
export function createTrainerHandler(post: Post, deps: HandlerDeps): (msg: ToWorker) => Promise<void> {
  const now = deps.now ?? (() => performance.now());
  const interval = deps.metricsIntervalMs ?? 100;
  const modelChecks = new Map<string, ModelCheck>();
  let report: BackendReport | null = null;
  let dataset: { key: string; data: Dataset; summary: DatasetSummary } | null = null;
  /** The last archive that loaded, kept (a Blob costs nothing) to re-read at another input size. */
  let archive: { id: string; file: Blob; fileName: string; options: ArchiveOptions } | null = null;
  const archiveLoads = new Map<number, AbortController>();
  let run: ActiveRun | null = null;
  let queue: Promise<void> = Promise.resolve();
  const order = deps.backendOrder ?? BACKEND_ORDER;
  /** The model the backend was last checked with, for a re-check after a device loss. */
  let readyModel: string | null = null;
  let stopWatching: (() => void) | null = null;

  /** Runs a request's work; anything it throws is posted as an `error` naming the request. */
  async function runTask(ref: { id?: number; runId?: string }, task: () => Promise<void> | void): Promise<void> {
    try {
      await task();
    } catch (e) {
      post({ type: 'error', ...ref, error: toErrorInfo(e) });
    }
  }

  function enqueue(task: () => Promise<void>): Promise<void> {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  }

  /** Kernel list and cpu reference for `model`, computed once on the cpu backend. */
  async function checkOnCpu(model: string): Promise<ModelCheck> {
    let check = modelChecks.get(model);
    if (!check) {
      try {
        await deps.activateBackend('cpu');
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new BackendError(`the cpu backend, which every other backend is checked against, did not start (${reason}). Reload the page.`);
      }
      check = { kernels: await recordTrainingKernels(model), reference: await computeProbeGradients(model) };
      modelChecks.set(model, check);
    }
    return check;
  }

  /** Throws a BackendError saying why `backend` cannot train `model`; returns the relative error. */
  async function verifyBackend(backend: BackendName, model: string, check: ModelCheck): Promise<number> {
    const missing = findMissingKernels(check.kernels, backend);
    if (missing.length) throw new BackendError(`${backend} lacks kernels that ${model} needs for training: ${missing.join(', ')}`);
    if (backend === 'cpu') return 0;
    const err = compareProbes(check.reference, await computeProbeGradients(model));
    if (!(err < MAX_RELATIVE_ERROR)) {
      throw new BackendError(`${backend} computes ${model}'s gradients ${err.toExponential(1)} away from the cpu backend (allowed ${MAX_RELATIVE_ERROR})`);
    }
    return err;
  }

  /** Watches the device under the backend in use, and only that one. */
  function watchActiveBackend(): void {
    stopWatching?.();
    stopWatching = null;
    const backend = report?.backend;
    if (backend && deps.watchDeviceLoss) stopWatching = deps.watchDeviceLoss(backend, (reason) => onDeviceLost(backend, reason));
  }

  /**
   * Activates the first of `candidates` that can train `model` and posts `ready` as reply `id`;
   * `attempts` holds the trail so far. Throws a BackendError listing why each failed.
   */
  async function chooseBackend(candidates: readonly BackendName[], model: string, id: number, forced: BackendName | null, attempts: BackendAttempt[], adapterSeen: AdapterInfo | null): Promise<void> {
    const check = await checkOnCpu(model);
    let adapter = adapterSeen;
    report = null;
    for (const backend of candidates) {
      try {
        if (backend === 'webgpu') {
          const probe = await deps.probeWebGpu();
          if (typeof probe === 'string') throw new BackendError(probe);
          adapter = probe;
        }
        await deps.activateBackend(backend);
        const maxRelativeError = await verifyBackend(backend, model, check);
        attempts.push({ backend, ok: true });
        report = { backend, adapter, forced, attempts, maxRelativeError };
        readyModel = model;
        watchActiveBackend();
        post({ type: 'ready', id, report });
        return;
      } catch (e) {
        attempts.push({ backend, ok: false, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    watchActiveBackend();
    const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
    throw new BackendError(`no backend can train ${model} here (${why}). Try another model or another browser.`);
  }

  async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
    if (run) throw new RunStateError('a run is in progress: stop it before changing the backend');
    const candidates = msg.backend ? [msg.backend, ...order.filter((b) => b !== msg.backend)] : order;
    await chooseBackend(candidates, msg.model, msg.id, msg.backend, [], null);
  }

  /** Moves to the backends after the lost one (posting `ready` with id REINIT_ID); throws a BackendError when none passes. */
  async function reinitAfterLoss(lost: DeviceLoss, model: string): Promise<void> {
    const next = order.slice(order.indexOf(lost.backend) + 1);
    const attempts: BackendAttempt[] = [{ backend: lost.backend, ok: false, reason: `lost during training: ${lost.reason}` }];
    try {
      await chooseBackend(next, model, REINIT_ID, null, attempts, report?.adapter ?? null);
    } catch (e) {
      const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
      if (e instanceof BackendError) throw new BackendError(`no backend is left to train ${model} on (${why}). Reload the page; the run can resume from its last checkpoint.`);
      throw e;
    }
  }

  /** Reacts to a lost device: a run stops at its next step (startRun carries on); with no run, the backend is replaced now. */
  function onDeviceLost(backend: BackendName, reason: string): void {
    if (report?.backend !== backend) return;
    const r = run;
    if (r) {
      if (r.lost) return;
      r.lost = { backend, reason };
      r.trainer?.abort(new DeviceLostError(reason));
      return;
    }
    const model = readyModel;
    void enqueue(() =>
      runTask({}, async () => {
        if (report?.backend !== backend || !model) return;
        post({ type: 'backendLost', backend, reason });
        await reinitAfterLoss({ backend, reason }, model);
      }),
    );
  }

  /**
   * Checks the active backend against a model other than the one init verified, of any task: the
   * probe is a tiny training run of that model on its task's kind of data.
   */
  async function ensureModelSupported(model: string): Promise<void> {
    if (!report) throw new RunStateError('the backend is not ready yet: wait for the backend badge, or reload the page');
    if (modelChecks.has(model)) return;
    const check = await checkOnCpu(model);
    await deps.activateBackend(report.backend);
    try {
      await verifyBackend(report.backend, model, check);
    } catch (e) {
      modelChecks.delete(model);
      const reason = e instanceof Error ? e.message : String(e);
      throw new BackendError(`${reason}. Choose another model, or reload with another ?backend= (webgl, wasm, cpu).`);
    }
  }

  /** Reads an archive; a failure or a cancel leaves the dataset loaded before it in place. */
  async function readArchiveDataset(
    file: Blob,
    fileName: string,
    inputSize: number,
    seed: number,
    options: ArchiveOptions,
    onProgress?: LoadArchiveOptions['onProgress'],
    signal?: AbortSignal,
  ): Promise<{ key: string; data: Dataset; summary: DatasetSummary }> {
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
    return { key: `${id}|${archiveSummary.inputSize}|${seed}`, data, summary };
  }

  async function loadArchive(msg: Extract<ToWorker, { type: 'loadArchive' }>): Promise<void> {
    const controller = archiveLoads.get(msg.id) ?? new AbortController();
    let last = -Infinity;
    const onProgress: LoadArchiveOptions['onProgress'] = (progress) => {
      const t = now();
      if (t - last < interval) return;
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

  async function ensureDataset(id: string, inputSize: number, seed: number): Promise<{ data: Dataset; summary: DatasetSummary }> {
    const key = `${id}|${inputSize}|${seed}`;
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
      throw new DatasetError(id, `${e instanceof Error ? e.message : String(e)}`);
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

  /** Posts buffered records and the latest progress, at most once per interval unless forced. */
  function flush(r: ActiveRun, force: boolean): void {
    const t = now();
    if (!force && t - r.lastFlush < interval) return;
    r.lastFlush = t;
    if (r.buffer.length) {
      post({ type: 'metrics', runId: r.id, records: r.buffer });
      r.buffer = [];
    }
    if (r.progress && r.progress !== r.progressSent) {
      post({ type: 'progress', runId: r.id, progress: r.progress });
      r.progressSent = r.progress;
    }
  }

  /**
   * Posts an arm's sample images after the records before them. The bytes are copied into
   * buffers of their own (a few KB) and those are moved, so no engine buffer is ever detached.
   */
  function postSamples(r: ActiveRun, samples: ArmSamples, palette: [number, number, number][] | null): void {
    flush(r, true);
    const s = samples.samples;
    const [input, target, output] = [s.input.slice(), s.target.slice(), s.output.slice()];
    post({ type: 'samples', runId: r.id, samples: { ...samples, samples: { ...s, input, target, output } }, palette }, [input.buffer, target.buffer, output.buffer]);
  }

  /** Keeps the checkpoint and posts a copy of it (its buffers moved) after the records before it. */
  function postCheckpoint(r: ActiveRun, c: Checkpoint): void {
    r.checkpoint = c;
    r.changes = r.changes.filter((p) => p.step > c.step);
    flush(r, true);
    const copy = copyCheckpointTensors(c);
    post({ type: 'checkpoint', runId: r.id, checkpoint: copy }, checkpointBuffers(copy));
  }

  async function startRun(msg: Extract<ToWorker, { type: 'start' }>, r: ActiveRun): Promise<void> {
    try {
      const config = parseExperimentConfig(msg.config);
      await ensureModelSupported(config.model);
      const { data } = await ensureDataset(config.dataset, config.inputSize, config.seeds[0]);
      if (r.stopRequested) {
        post({ type: 'done', runId: r.id, status: 'stopped', progress: null });
        return;
      }
      r.checkpoint = msg.resumeFrom ?? null;
      for (let retry = false; ; retry = true) {
        const lost = await trainOnce(config, data, r, retry);
        if (!lost) return;
        const at = r.progress?.step ?? 0;
        const from = r.checkpoint ? `its last checkpoint (step ${r.checkpoint.step}); records after step ${r.checkpoint.step} are made again` : 'the start';
        const message = `${lost.backend} stopped working at step ${at}: ${lost.reason}. The run goes on from ${from}, on the next backend that passes the check.`;
        post({ type: 'error', runId: r.id, error: toErrorInfo(new DeviceLostError(message)) });
        post({ type: 'backendLost', runId: r.id, backend: lost.backend, reason: lost.reason });
        r.lost = null;
        await reinitAfterLoss(lost, config.model);
        if (r.stopRequested) {
          post({ type: 'done', runId: r.id, status: 'stopped', progress: r.progress });
          return;
        }
      }
    } finally {
      if (run === r) run = null;
      // A loss the run finished before noticing: replace the backend now.
      if (r.lost) onDeviceLost(r.lost.backend, r.lost.reason);
    }
  }

  /**
   * Trains once on the backend in use, from `r.checkpoint` when there is one (always when
   * `retry`, after a device loss). Resolves with the device loss that ended it, or null when
   * the run finished; any other failure is thrown.
   */
  async function trainOnce(config: ExperimentConfig, data: Dataset, r: ActiveRun, retry: boolean): Promise<DeviceLoss | null> {
    if (r.lost) return r.lost;
    const backend = report?.backend;
    if (!backend) throw new RunStateError('the backend is not ready: reload the page');
    let trainer: Trainer | null = null;
    try {
      const t = new Trainer({
        config,
        dataset: data,
        onRecord: (rec) => r.buffer.push(rec),
        onSamples: (s) => postSamples(r, s, config.task === 'segment' && data.kind === 'segment' ? data.palette : null),
        onCheckpoint: (c) => postCheckpoint(r, c),
        onProgress: (p) => {
          r.progress = p;
          flush(r, false);
        },
        yieldToHost: async () => {
          await yieldOnce();
          if (r.paused && !r.pauseAnnounced) {
            r.pauseAnnounced = true;
            flush(r, true);
            post({ type: 'status', runId: r.id, status: 'paused' });
          }
        },
      });
      trainer = t;
      const from = r.checkpoint;
      if (from) t.restore(from);
      r.trainer = t;
      if (!r.started) {
        r.started = true;
        post({ type: 'started', runId: r.id, totalSteps: t.totalSteps, stepsPerEpoch: t.stepsPerEpoch });
      }
      if (from || retry) post({ type: 'resumed', runId: r.id, step: from?.step ?? 0, backend });
      // Changes made after the checkpoint apply again from its next step: the page still shows them.
      const changes = [...r.changes, ...r.pendingParams].map((c) => ({ step: t.step + 1, arm: c.arm, params: c.params }));
      for (const c of changes) t.setParams(c.arm, c.params);
      r.changes = changes;
      r.pendingParams = [];
      r.pauseAnnounced = false;
      post({ type: 'status', runId: r.id, status: 'running' });
      const done = t.run();
      if (r.paused) t.pause();
      await done;
      flush(r, true);
      post({ type: 'done', runId: r.id, status: t.status === 'stopped' ? 'stopped' : 'done', progress: r.progress });
      return null;
    } catch (e) {
      // A lost context or device may first show as a failing kernel: let its event arrive.
      await yieldOnce();
      if (!r.lost) {
        const reason = describeDeviceFailure(e);
        if (reason === null) throw e;
        r.lost = { backend, reason };
      }
      return r.lost;
    } finally {
      r.trainer = null;
      flush(r, true);
      try {
        trainer?.dispose();
      } catch {
        // The device is gone, and its memory with it.
      }
    }
  }

  /**
   * Benchmarks only: `request.steps` steps of one plain SGD arm (lr 0.1, momentum 0.5, no
   * weight decay, no augmentation, no evaluation before the last step) of `request.model` on
   * shapes10, on `request.backend`, timed from the end of step 2 to the end of step steps - 1
   * like the Node benchmark, each step's loss read back before the next. The backend in use before is active again afterwards.
   */
  async function bench(id: number, request: BenchRequest): Promise<void> {
    if (run) throw new RunStateError(`run ${run.id} is still going: stop it before benchmarking`);
    if (!(Number.isInteger(request.steps) && request.steps >= 4)) throw new ProtocolError(`bench needs at least 4 steps (got ${request.steps})`);
    const { data: full } = await ensureDataset(BENCH_DATASET, request.inputSize, 0);
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
    await deps.activateBackend(request.backend);
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
      if (report && report.backend !== request.backend) await deps.activateBackend(report.backend);
    }
    const timedSteps = request.steps - 3;
    const msPerStep = (ended - started) / timedSteps;
    const result: BenchResult = { ...request, imagesPerSec: (request.batchSize * 1000) / msPerStep, msPerStep, timedSteps, warmupMs: started - t0 };
    post({ type: 'benchResult', id, result });
  }

  function control(msg: Extract<ToWorker, { type: 'pause' | 'resume' | 'stop' | 'setParams' }>): Promise<void> {
    const r = run;
    // A message for a run that has ended or been replaced is stale: nothing to do.
    if (!r || r.id !== msg.runId) return Promise.resolve();
    return runTask({ runId: r.id }, () => {
      switch (msg.type) {
        case 'pause':
          if (r.paused) return;
          r.paused = true;
          r.pauseAnnounced = false;
          r.trainer?.pause();
          if (!r.trainer) {
            r.pauseAnnounced = true;
            post({ type: 'status', runId: r.id, status: 'paused' });
          }
          return;
        case 'resume':
          if (!r.paused) return;
          r.paused = false;
          r.trainer?.resume();
          post({ type: 'status', runId: r.id, status: 'running' });
          return;
        case 'stop':
          r.stopRequested = true;
          r.trainer?.stop();
          return;
        case 'setParams':
          if (!r.trainer) {
            r.pendingParams.push({ arm: msg.arm, params: msg.params });
            return;
          }
          r.trainer.setParams(msg.arm, msg.params);
          r.changes.push({ step: r.trainer.step + 1, arm: msg.arm, params: msg.params });
          flush(r, true);
          return;
        default:
          return rejectUnknown(msg);
      }
    });
  }

  return async function handle(msg: ToWorker): Promise<void> {
    try {
      switch (msg.type) {
        case 'init':
          return await enqueue(() => runTask({ id: msg.id }, () => init(msg)));
        case 'loadDataset':
          return await enqueue(() =>
            runTask({ id: msg.id }, async () => {
              const { summary } = await ensureDataset(msg.dataset, msg.inputSize, msg.seed);
              post({ type: 'datasetReady', id: msg.id, summary });
            }),
          );
        case 'loadArchive':
          // Registered now, not when the queue reaches it, so a cancel can overtake the load.
          archiveLoads.set(msg.id, new AbortController());
          return await enqueue(() => runTask({ id: msg.id }, () => loadArchive(msg)));
        case 'cancelLoad':
          archiveLoads.get(msg.id)?.abort();
          return;
        case 'start': {
          if (run) {
            post({ type: 'error', runId: msg.runId, error: toErrorInfo(new RunStateError(`run ${run.id} is still going: stop it before starting another`)) });
            return;
          }
          const r: ActiveRun = {
            id: msg.runId,
            trainer: null,
            paused: false,
            pauseAnnounced: false,
            stopRequested: false,
            pendingParams: [],
            buffer: [],
            progress: null,
            progressSent: null,
            lastFlush: now(),
            started: false,
            checkpoint: null,
            changes: [],
            lost: null,
          };
          run = r;
          return await enqueue(() => runTask({ runId: msg.runId }, () => startRun(msg, r)));
        }
        case 'pause':
        case 'resume':
        case 'stop':
        case 'setParams':
          return await control(msg);
        case 'bench':
          return await enqueue(() => runTask({ id: msg.id }, () => bench(msg.id, msg.request)));
        case 'simulateDeviceLoss':
          if (report) onDeviceLost(report.backend, msg.reason ?? 'simulated (a debug message)');
          return;
        case 'crashWorker':
          deps.crashWorker?.();
          return;
        default:
          return rejectUnknown(msg);
      }
    } catch (e) {
      post({ type: 'error', error: toErrorInfo(e) });
    }
  };
}
