import type { Checkpoint } from '../engine/checkpoint';
import type { ExperimentConfig } from '../engine/config';
import type { BackendName, BackendReport, DatasetSummary, FromWorker, LiveParams } from '../worker/protocol';
import type { TrainerClientLike } from './bridgeContext';

/** Test fixture: the store tests' stand-in for the worker client (not used by the app). */

export const FAKE_REPORT: BackendReport = { backend: 'webgl', adapter: null, forced: null, attempts: [{ backend: 'webgl', ok: true }], maxRelativeError: 1e-6 };
export const FAKE_BUILTIN: DatasetSummary = { id: 'builtin:shapes10', name: 'shapes10', classNames: ['a'], height: 32, width: 32, channels: 3, numTrain: 50, numTest: 10, inputSize: 32, ms: 5 };

/** An archive request the test answers itself, with `resolve` or `reject`. */
export interface ArchiveRequest {
  id: number;
  file: Blob;
  fileName: string;
  inputSize: number;
  seed: number;
  resolve: (s: DatasetSummary) => void;
  reject: (e: Error) => void;
}

/**
 * A client that records what the store asks of it: `inits`, `datasets` and the run commands in
 * `sent`; init and loadDataset answer at once (replace them to change that), archive requests
 * stay open in `requests` until the test answers them, and `emit` plays a worker event.
 */
export class FakeTrainerClient implements TrainerClientLike {
  listener: ((m: FromWorker) => void) | null = null;
  sent: unknown[] = [];
  inits: [BackendName | null, string][] = [];
  datasets: string[] = [];
  requests: ArchiveRequest[] = [];
  cancelled: number[] = [];
  restarts = 0;
  private nextId = 10;
  subscribe(fn: (m: FromWorker) => void) {
    this.listener = fn;
    return () => (this.listener = null);
  }
  init = async (backend: BackendName | null, model: string) => {
    this.inits.push([backend, model]);
    return FAKE_REPORT;
  };
  loadDataset = async (dataset: string) => {
    this.datasets.push(dataset);
    return FAKE_BUILTIN;
  };
  loadArchive(file: Blob, fileName: string, inputSize: number, seed: number) {
    const id = this.nextId++;
    const summary = new Promise<DatasetSummary>((resolve, reject) => this.requests.push({ id, file, fileName, inputSize, seed, resolve, reject }));
    return { id, summary };
  }
  cancelLoad(id: number) {
    this.sent.push({ type: 'cancelLoad', id });
    this.cancelled.push(id);
    this.requests.find((q) => q.id === id)?.reject(new Error('cancelled'));
  }
  start(runId: string, config: ExperimentConfig, resumeFrom?: Checkpoint) {
    this.sent.push({ type: 'start', runId, arms: config.arms.length, ...(resumeFrom ? { resumeAt: resumeFrom.step } : {}) });
  }
  pause(runId: string) {
    this.sent.push({ type: 'pause', runId });
  }
  resume(runId: string) {
    this.sent.push({ type: 'resume', runId });
  }
  stop(runId: string) {
    this.sent.push({ type: 'stop', runId });
  }
  setParams(runId: string, arm: string, params: LiveParams) {
    this.sent.push({ type: 'setParams', runId, arm, params });
  }
  restart() {
    this.restarts++;
  }
  emit(m: FromWorker) {
    this.listener?.(m);
  }
}
