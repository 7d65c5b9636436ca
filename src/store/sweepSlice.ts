import type { StateCreator } from 'zustand';
import { isQueueActive, type QueueStatus, type SweepProgress } from '../sweep';

/**
 * Where the sweep stands, for the rest of the app: the lab's Start stays locked while a sweep
 * holds the trainer, and the last sweep's progress outlives the panel. The SweepPanel owns the
 * queue and reports every snapshot through its `onProgress` prop.
 */

export interface SweepState {
  status: QueueStatus;
  /** Cells that ran to their end (done or failed), of `total`. */
  done: number;
  total: number;
  /** The paper preset the sweep runs; null for a custom sweep or before the first. */
  presetId: string | null;
  /** The latest snapshot, results included; null before the first sweep. */
  progress: SweepProgress | null;
}

export interface SweepSlice {
  sweep: SweepState;
  setSweepProgress: (progress: SweepProgress, presetId: string | null) => void;
  resetSweep: () => void;
}

export const INITIAL_SWEEP: SweepState = { status: 'idle', done: 0, total: 0, presetId: null, progress: null };

/** True while a sweep runs, waits to pause or cancel, or is paused: the trainer is the sweep's. */
export function isSweepActive(s: SweepState): boolean {
  return isQueueActive(s.status);
}

/**
 * The slice, typed on itself so that it joins the app's store unchanged: add `SweepSlice` to
 * `AppStore`, `...createSweepSlice(...a)` to `useAppStore`, and `resetSweep()` to `resetAppStore`.
 */
export const createSweepSlice: StateCreator<SweepSlice, [], [], SweepSlice> = (set) => ({
  sweep: INITIAL_SWEEP,
  setSweepProgress: (progress, presetId) => set({ sweep: { status: progress.status, done: progress.finished, total: progress.total, presetId, progress } }),
  resetSweep: () => set({ sweep: INITIAL_SWEEP }),
});
