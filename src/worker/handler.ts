import type { BuiltinLoadOptions } from '../data/builtin';
import { parseExperimentConfig, type Task } from '../engine/config';
import type { Dataset } from '../engine/dataset';
import type { MetricRecord } from '../engine/records';
import { Trainer, type LiveParams, type TrainerProgress } from '../engine/trainer';
import { BackendError, DatasetError, ProtocolError, RunStateError, toErrorInfo } from './errors';
import {
  compareProbes,
  computeProbeGradients,
  findMissingKernels,
  MAX_RELATIVE_ERROR,
  recordTrainingKernels,
} from './preflight';
import {
  BACKEND_ORDER,
  type AdapterInfo,
  type BackendAttempt,
  type BackendName,
  type BackendReport,
  type DatasetSummary,
  type FromWorker,
  type ToWorker,
} from './protocol';

/**
 * The worker's logic, free of worker globals so that Node tests can drive it with a fake
 * `post`: backend preflight, dataset loading, and one run at a time whose records are batched
 * into `metrics` messages. Setup requests (init, loadDataset, start) run one after another;
 * run control (pause, resume, stop, setParams) acts at once, between training steps.
 */

export type Post = (msg: FromWorker) => void;

/** What the handler needs from its host; the worker entry passes the browser's versions. */
export interface HandlerDeps {
  /** Registers and activates a backend; throws when it cannot start. */
  activateBackend(name: BackendName): Promise<void>;
  /** A WebGPU adapter's description, or why there is none. */
  probeWebGpu(): Promise<AdapterInfo | string>;
  /** Builds a built-in dataset. */
  loadDataset(id: string, opts: Required<BuiltinLoadOptions>): Dataset | Promise<Dataset>;
  /** Least time between two `metrics` messages, in ms (default 100). */
  metricsIntervalMs?: number;
  now?: () => number;
}

interface ModelCheck {
  kernels: string[];
  reference: Float32Array[];
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
  let run: ActiveRun | null = null;
  let queue: Promise<void> = Promise.resolve();

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

  async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
    if (run) throw new RunStateError('a run is in progress: stop it before changing the backend');
    const check = await checkOnCpu(msg.model);
    const candidates = msg.backend ? [msg.backend, ...BACKEND_ORDER.filter((b) => b !== msg.backend)] : BACKEND_ORDER;
    const attempts: BackendAttempt[] = [];
    let adapter: AdapterInfo | null = null;
    for (const backend of candidates) {
      try {
        if (backend === 'webgpu') {
          const probe = await deps.probeWebGpu();
          if (typeof probe === 'string') throw new BackendError(probe);
          adapter = probe;
        }
        await deps.activateBackend(backend);
        const maxRelativeError = await verifyBackend(backend, msg.model, check);
        attempts.push({ backend, ok: true });
        report = { backend, adapter, forced: msg.backend, attempts, maxRelativeError };
        post({ type: 'ready', id: msg.id, report });
        return;
      } catch (e) {
        attempts.push({ backend, ok: false, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    report = null;
    const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
    throw new BackendError(`no backend can train ${msg.model} here (${why}). Try another model or another browser.`);
  }

  /**
   * Checks the active backend against a model other than the one init verified. The probe is a
   * classification run, so models of other tasks are left to their first step.
   */
  async function ensureModelSupported(task: Task, model: string): Promise<void> {
    if (!report) throw new RunStateError('the backend is not ready yet: wait for the backend badge, or reload the page');
    if (task !== 'classify' || modelChecks.has(model)) return;
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

  async function ensureDataset(id: string, inputSize: number, seed: number): Promise<{ data: Dataset; summary: DatasetSummary }> {
    const key = `${id}|${inputSize}|${seed}`;
    if (dataset?.key === key) return dataset;
    if (!id.startsWith('builtin:')) {
      throw new DatasetError(`"${id}" is not a built-in dataset; archives arrive with the datasets issue. Choose a built-in dataset.`);
    }
    dataset = null;
    const t0 = now();
    let data: Dataset;
    try {
      data = await deps.loadDataset(id, { inputSize, seed });
    } catch (e) {
      throw new DatasetError(`${e instanceof Error ? e.message : String(e)}`);
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

  async function startRun(msg: Extract<ToWorker, { type: 'start' }>, r: ActiveRun): Promise<void> {
    try {
      const config = parseExperimentConfig(msg.config);
      await ensureModelSupported(config.task, config.model);
      const { data } = await ensureDataset(config.dataset, config.inputSize, config.seeds[0]);
      if (r.stopRequested) {
        post({ type: 'done', runId: r.id, status: 'stopped', progress: null });
        return;
      }
      const trainer = new Trainer({
        config,
        dataset: data,
        onRecord: (rec) => r.buffer.push(rec),
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
      r.trainer = trainer;
      try {
        for (const p of r.pendingParams) trainer.setParams(p.arm, p.params);
        r.pendingParams = [];
        post({ type: 'started', runId: r.id, totalSteps: trainer.totalSteps, stepsPerEpoch: trainer.stepsPerEpoch });
        post({ type: 'status', runId: r.id, status: 'running' });
        const done = trainer.run();
        if (r.paused) trainer.pause();
        await done;
        flush(r, true);
        post({ type: 'done', runId: r.id, status: trainer.status === 'stopped' ? 'stopped' : 'done', progress: r.progress });
      } finally {
        flush(r, true);
        trainer.dispose();
      }
    } finally {
      if (run === r) run = null;
    }
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
          };
          run = r;
          return await enqueue(() => runTask({ runId: msg.runId }, () => startRun(msg, r)));
        }
        case 'pause':
        case 'resume':
        case 'stop':
        case 'setParams':
          return await control(msg);
        default:
          return rejectUnknown(msg);
      }
    } catch (e) {
      post({ type: 'error', error: toErrorInfo(e) });
    }
  };
}
