import type { Checkpoint } from '../engine/checkpoint';
import type { ExperimentConfig } from '../engine/config';
import { datasetKeyOf, WORKER_CRASHED, type ArchiveOptions, type BackendName, type BackendReport, type DatasetSummary, type FromWorker, type LiveParams, type MeasuredChoice, type SpeedWorkload } from '../worker/protocol';
import type { ChoiceStorage } from './backendChoiceCache';
import type { AppStore } from './index';
import type { StoreApi } from './runControl';

/** What the bridge needs of TrainerClient (a fake in tests). */
export interface TrainerClientLike {
  subscribe(fn: (m: FromWorker) => void): () => void;
  /** Chooses the backend (see the `init` message): forced (wasm with `threads`, if given), or measured on `workload` unless `remembered` has it. */
  init(backend: BackendName | null, model: string, workload?: SpeedWorkload, remembered?: MeasuredChoice[], threads?: number): Promise<BackendReport>;
  loadDataset(dataset: string, inputSize: number, seed: number): Promise<DatasetSummary>;
  loadArchive(file: Blob, fileName: string, inputSize: number, seed: number, options: ArchiveOptions): { id: number; summary: Promise<DatasetSummary> };
  cancelLoad(id: number): void;
  start(runId: string, config: ExperimentConfig, resumeFrom?: Checkpoint): void;
  pause(runId: string): void;
  resume(runId: string): void;
  stop(runId: string): void;
  setParams(runId: string, arm: string, params: LiveParams): void;
  /** Starts a fresh worker after a WORKER_CRASHED error; it needs `init` and its dataset again. */
  restart(): void;
}

export interface BridgeOptions {
  forcedBackend: BackendName | null;
  /** wasm's thread count forced with `?threads=` (with `?backend=wasm`), if any. */
  forcedThreads?: number | null;
  store?: StoreApi;
  /** Quiet time before a slider's value is sent, in ms (default 150). */
  liveDelayMs?: number;
  /** Quiet time before a changed dataset setting reloads the dataset, in ms (default 300). */
  datasetDelayMs?: number;
  /** Receives every checkpoint of the current run (saved at each evaluation). */
  onCheckpoint?: (runId: string, checkpoint: Checkpoint) => void;
  /** Longest wait in runConfig for a backend still being chosen, in ms (default 120,000). */
  backendWaitMs?: number;
  /** The run resumed from its checkpoint at `step`: stored records after it must go. */
  onResumed?: (runId: string, step: number) => void;
  /** Where measured backend choices are remembered (default the page's localStorage; null: nowhere). */
  choiceStorage?: ChoiceStorage | null;
  /** Quiet time before a changed model, batch size or input size chooses the backend again, in ms (default 600). */
  backendDelayMs?: number;
}

/** What the bridge's parts share. */
export interface BridgeContext {
  client: TrainerClientLike;
  store: StoreApi;
  opts: BridgeOptions;
  get(): AppStore;
}

/** The key of the dataset a config trains on: its id, input size and first seed. */
export function datasetKey(c: ExperimentConfig): string {
  return datasetKeyOf(c.dataset, c.inputSize, c.seeds[0]);
}

export function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A request that failed because the worker crashed: the crash is reported once, by its own `error`. */
export function isCrash(e: unknown): boolean {
  return e instanceof Error && e.name === WORKER_CRASHED;
}
