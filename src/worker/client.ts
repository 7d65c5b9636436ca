import type { ExperimentConfig } from '../engine/config';
import { WORKER_CRASHED, type ArchiveOptions, type BackendName, type BackendReport, type Checkpoint, type DatasetSummary, type FromWorker, type LiveParams, type MeasuredChoice, type SpeedWorkload, type ToWorker, type WorkerErrorInfo } from './protocol';

/**
 * The main thread's side of the worker protocol. TrainerClient owns the worker, adds its
 * listeners once, and exposes typed methods; components never post messages themselves.
 */

/** The part of `Worker` the client uses (a fake in tests). */
export interface WorkerLike {
  postMessage(msg: ToWorker): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'error', fn: (e: ErrorEvent) => void): void;
  terminate(): void;
}

/** A failed request, carrying the worker's error class name. */
export class WorkerRequestError extends Error {
  constructor(readonly info: WorkerErrorInfo) {
    super(info.message);
    this.name = info.name;
  }
}

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

export class TrainerClient {
  private readonly listeners = new Set<(m: FromWorker) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private worker: WorkerLike;
  /** Set when the worker crashed, until `restart`: requests fail at once instead of waiting forever. */
  private crash: WorkerErrorInfo | null = null;

  /** `createWorker` starts a worker: now, and again on each `restart` after a crash. */
  constructor(private readonly createWorker: () => WorkerLike) {
    this.worker = this.attach(createWorker());
  }

  /** Starts the real training worker (bundled by Vite as a module worker). */
  static create(): TrainerClient {
    return new TrainerClient(() => new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'rg-lab-trainer' }));
  }

  /**
   * Replaces a crashed worker (a WORKER_CRASHED `error`) with a fresh one, listened to the same
   * way; the new worker knows nothing yet: it needs `init` and its dataset again.
   */
  restart(): void {
    this.worker.terminate();
    this.failPending(new Error('the training worker was restarted'));
    this.crash = null;
    this.worker = this.attach(this.createWorker());
  }

  /** Listens to `worker`; events of a worker that crashed or was replaced are dropped. */
  private attach(worker: WorkerLike): WorkerLike {
    worker.addEventListener('message', (e) => {
      if (worker === this.worker && !this.crash) this.receive(e.data);
    });
    worker.addEventListener('error', (e) => {
      if (worker !== this.worker || this.crash) return;
      // An uncaught exception does not always end a worker; this one is not trusted again either way.
      worker.terminate();
      this.crash = { name: WORKER_CRASHED, message: `the training worker crashed (${e.message || 'its script did not load'}) and was shut down` };
      this.receive({ type: 'error', error: this.crash });
    });
    return worker;
  }

  /** Calls `fn` with every message from the worker; returns the unsubscribe function. */
  subscribe(fn: (m: FromWorker) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Chooses the backend (`backend` forces one, wasm with `threads` threads if given; else, with
   * `workload`, the fastest measured, or the one `remembered` for it) and resolves with the
   * backend in use; `backendProgress` messages come meanwhile.
   */
  async init(backend: BackendName | null, model: string, workload?: SpeedWorkload, remembered?: MeasuredChoice[], threads?: number): Promise<BackendReport> {
    const id = this.nextId++;
    const reply = await this.request(id, { type: 'init', id, backend, model, ...(workload ? { workload } : {}), ...(remembered ? { remembered } : {}), ...(threads !== undefined ? { threads } : {}) });
    if (reply.type !== 'ready') throw new Error(`init got ${reply.type}`);
    return reply.report;
  }

  /** Builds a dataset in the worker and resolves with its summary. */
  async loadDataset(dataset: string, inputSize: number, seed: number): Promise<DatasetSummary> {
    const id = this.nextId++;
    const reply = await this.request(id, { type: 'loadDataset', id, dataset, inputSize, seed });
    if (reply.type !== 'datasetReady') throw new Error(`loadDataset got ${reply.type}`);
    return reply.summary;
  }

  /**
   * Sends an archive to the worker (the File itself: it clones without copying its bytes).
   * `id` names the request in its `loadProgress` messages and in `cancelLoad`.
   */
  loadArchive(file: Blob, fileName: string, inputSize: number, seed: number, options: ArchiveOptions): { id: number; summary: Promise<DatasetSummary> } {
    const id = this.nextId++;
    const summary = this.request(id, { type: 'loadArchive', id, file, fileName, inputSize, seed, options }).then((reply) => {
      if (reply.type !== 'datasetReady') throw new Error(`loadArchive got ${reply.type}`);
      return reply.summary;
    });
    return { id, summary };
  }

  /** Cancels archive load `id`; its promise rejects and the earlier dataset stays. */
  cancelLoad(id: number): void {
    this.worker.postMessage({ type: 'cancelLoad', id });
  }

  /** Starts a run; with `resumeFrom` it continues from that checkpoint of a run of the same config. */
  start(runId: string, config: ExperimentConfig, resumeFrom?: Checkpoint): void {
    this.worker.postMessage(resumeFrom ? { type: 'start', runId, config, resumeFrom } : { type: 'start', runId, config });
  }

  pause(runId: string): void {
    this.worker.postMessage({ type: 'pause', runId });
  }

  resume(runId: string): void {
    this.worker.postMessage({ type: 'resume', runId });
  }

  stop(runId: string): void {
    this.worker.postMessage({ type: 'stop', runId });
  }

  setParams(runId: string, arm: string, params: LiveParams): void {
    this.worker.postMessage({ type: 'setParams', runId, arm, params });
  }

  /** Posts a message that expects no reply (the debug hooks' way in: src/worker/debugClient.ts). */
  send(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /** Posts the request `make(id)` and resolves with the worker's reply to `id`. */
  ask(make: (id: number) => ToWorker): Promise<FromWorker> {
    const id = this.nextId++;
    return this.request(id, make(id));
  }

  /** Ends the worker; pending requests fail. */
  dispose(): void {
    this.worker.terminate();
    this.failPending(new Error('the training worker was closed'));
    this.listeners.clear();
  }

  private request(id: number, msg: ToWorker): Promise<FromWorker> {
    if (this.crash) return Promise.reject(new WorkerRequestError(this.crash));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready' || m.type === 'datasetReady' || 'result' in m || (m.type === 'error' && m.id !== undefined)) {
      const p = this.pending.get(m.id!);
      this.pending.delete(m.id!);
      if (m.type === 'error') p?.reject(new WorkerRequestError(m.error));
      else p?.resolve(m);
    } else if (m.type === 'error' && m.runId === undefined) {
      // A worker-wide failure: no reply is coming for anything still waiting.
      this.failPending(new WorkerRequestError(m.error));
    }
    for (const fn of this.listeners) fn(m);
  }

  private failPending(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
