import type { StateCreator } from 'zustand';
import type { ExperimentConfig } from '../engine/config';
import type { BackendReport, DatasetSummary, TrainerProgress } from '../worker/protocol';
import type { AppStore } from './index';

/** The backend, the dataset and the one run: where each stands, as the worker reports it. */

/** A run's state: one union, never a handful of booleans. */
export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'error';

export interface BackendState {
  state: 'pending' | 'ready' | 'error';
  report: BackendReport | null;
  error: string | null;
  /** While pending: how far the choice has got ("choosing backend: measuring wasm…"), or null. */
  progress: string | null;
}

export interface DatasetState {
  state: 'empty' | 'loading' | 'ready' | 'error';
  /** `dataset|inputSize|seed` of what is loaded or loading. */
  key: string | null;
  summary: DatasetSummary | null;
  error: string | null;
  /** SHA-256 of the archive's bytes, or the built-in's name, size and seed (it is generated from them); null until known. */
  contentHash: string | null;
}

export interface RunState {
  id: string | null;
  status: RunStatus;
  /** The validated config the run started with (arm order and names for charts and tables). */
  config: ExperimentConfig | null;
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  epoch: number;
  imagesPerSec: number;
  elapsedMs: number;
  /** Bytes the training backend holds in tensors (its last progress report); 0 before one. */
  deviceBytes: number;
  /** True when the run ended because the user stopped it. */
  stopped: boolean;
  error: string | null;
  /** What happened to the run that the person should know (a lost GPU device and where it resumed). */
  notice: string | null;
  /** The step of the newest checkpoint of this run (saved at every evaluation), or null. */
  checkpointStep: number | null;
  /**
   * A run opened from the saved experiments (view only), and whether it was cut short by a reload
   * or crash; also a live run whose worker crashed (`crashed`), shown as saved from then on.
   */
  stored: null | { interrupted: boolean; resumable: boolean; crashed?: boolean };
}

export interface RunSlice {
  backend: BackendState;
  dataset: DatasetState;
  run: RunState;
  setBackendPending: () => void;
  setBackendReady: (report: BackendReport) => void;
  setBackendError: (message: string) => void;
  /** A progress line of the pending choice; ignored once the backend is ready or failed. */
  setBackendProgress: (text: string) => void;
  setDatasetLoading: (key: string) => void;
  setDatasetReady: (key: string, summary: DatasetSummary, contentHash?: string | null) => void;
  setDatasetError: (key: string, message: string) => void;
  beginRun: (id: string, config: ExperimentConfig) => void;
  setRunPlan: (totalSteps: number, stepsPerEpoch: number) => void;
  setRunStatus: (status: 'running' | 'paused') => void;
  setProgress: (p: TrainerProgress) => void;
  finishRun: (stopped: boolean, p: TrainerProgress | null) => void;
  /** Marks the run failed; with no run, records the error (a bad config at start). */
  failRun: (message: string) => void;
  /**
   * Ends the run because its worker crashed: it fails with `message`, keeps its records and is
   * shown as a saved run, which can be resumed when `resumable` (it has a checkpoint).
   */
  markRunCrashed: (message: string, resumable: boolean) => void;
  resetRun: () => void;
  setRunNotice: (notice: string | null) => void;
  setCheckpointStep: (step: number) => void;
  /** Back to running after a resume from a checkpoint at `step` (a lost device, a reload). */
  resumeRunAt: (step: number) => void;
  /** Shows a saved experiment's run (its records go to the metrics slice separately). */
  showStoredRun: (id: string, config: ExperimentConfig, plan: { step: number; totalSteps: number; stepsPerEpoch: number; epoch: number; interrupted: boolean; stopped: boolean; resumable: boolean }) => void;
}

export const INITIAL_BACKEND: BackendState = { state: 'pending', report: null, error: null, progress: null };
export const INITIAL_DATASET: DatasetState = { state: 'empty', key: null, summary: null, error: null, contentHash: null };
export const INITIAL_RUN: RunState = {
  id: null,
  status: 'idle',
  config: null,
  step: 0,
  totalSteps: 0,
  stepsPerEpoch: 0,
  epoch: 0,
  imagesPerSec: 0,
  elapsedMs: 0,
  deviceBytes: 0,
  stopped: false,
  error: null,
  notice: null,
  checkpointStep: null,
  stored: null,
};

/** True while a run is going or paused: settings other than the live ones are locked. */
export function isRunActive(status: RunStatus): boolean {
  return status === 'running' || status === 'paused';
}

export const createRunSlice: StateCreator<AppStore, [], [], RunSlice> = (set) => ({
  backend: INITIAL_BACKEND,
  dataset: INITIAL_DATASET,
  run: INITIAL_RUN,
  setBackendPending: () => set({ backend: INITIAL_BACKEND }),
  setBackendReady: (report) => set({ backend: { state: 'ready', report, error: null, progress: null } }),
  setBackendError: (message) => set({ backend: { state: 'error', report: null, error: message, progress: null } }),
  setBackendProgress: (text) => set((s) => (s.backend.state === 'pending' ? { backend: { ...s.backend, progress: text } } : s)),
  setDatasetLoading: (key) => set({ dataset: { state: 'loading', key, summary: null, error: null, contentHash: null } }),
  setDatasetReady: (key, summary, contentHash = null) => set((s) => (s.dataset.key === key ? { dataset: { state: 'ready', key, summary, error: null, contentHash } } : s)),
  setDatasetError: (key, message) => set((s) => (s.dataset.key === key ? { dataset: { state: 'error', key, summary: null, error: message, contentHash: null } } : s)),
  beginRun: (id, config) => {
    const total = config.steps ?? 0;
    set({ run: { ...INITIAL_RUN, id, config, status: 'running', totalSteps: total } });
  },
  setRunPlan: (totalSteps, stepsPerEpoch) => set((s) => ({ run: { ...s.run, totalSteps, stepsPerEpoch } })),
  setRunStatus: (status) => set((s) => (isRunActive(s.run.status) ? { run: { ...s.run, status } } : s)),
  setProgress: (p) =>
    set((s) => ({
      run: { ...s.run, step: p.step, totalSteps: p.totalSteps, epoch: p.epoch, imagesPerSec: p.imagesPerSec, elapsedMs: p.elapsedMs, deviceBytes: p.deviceBytes ?? s.run.deviceBytes },
    })),
  finishRun: (stopped, p) =>
    set((s) => ({
      run: {
        ...s.run,
        status: 'done',
        stopped,
        ...(p ? { step: p.step, totalSteps: p.totalSteps, epoch: p.epoch, imagesPerSec: p.imagesPerSec, elapsedMs: p.elapsedMs } : {}),
      },
    })),
  failRun: (message) => set((s) => ({ run: { ...s.run, status: 'error', error: message } })),
  markRunCrashed: (message, resumable) => set((s) => ({ run: { ...s.run, status: 'error', error: message, stored: { interrupted: true, resumable, crashed: true } } })),
  resetRun: () => set({ run: INITIAL_RUN }),
  setRunNotice: (notice) => set((s) => ({ run: { ...s.run, notice } })),
  setCheckpointStep: (step) => set((s) => ({ run: { ...s.run, checkpointStep: step } })),
  resumeRunAt: (step) => set((s) => ({ run: { ...s.run, status: 'running', step, error: null, stopped: false } })),
  showStoredRun: (id, config, p) =>
    set({
      run: {
        ...INITIAL_RUN,
        id,
        config,
        status: 'done',
        step: p.step,
        totalSteps: p.totalSteps,
        stepsPerEpoch: p.stepsPerEpoch,
        epoch: p.epoch,
        stopped: p.stopped,
        stored: { interrupted: p.interrupted, resumable: p.resumable },
      },
    }),
});
