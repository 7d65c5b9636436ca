import type { StateCreator } from 'zustand';
import { isQueueActive, type QueueStatus, type RunOne, type SweepCell, SweepQueue, type SweepProgress, type SweepSpec } from '../sweep';

/**
 * The sweep and its queue, for the whole app: the queue lives here, not in a component, so a
 * sweep outlives the panel that started it; the lab's Start stays locked while a sweep holds
 * the trainer. Cells run one after another through the `runOne` given at start.
 */

/** What the running (or last) sweep was started with, for reading its results. */
export interface SweepRunInfo {
  /** The preset's id, or a `custom…` choice. */
  choice: string;
  baseline: string;
  task: SweepSpec['base']['task'];
  /** The metric the sweep was started with. */
  metric: string;
}

export interface SweepState {
  status: QueueStatus;
  /** Cells that ran to their end (done or failed), of `total`. */
  done: number;
  total: number;
  /** The paper preset the sweep runs; null for a custom sweep or before the first. */
  presetId: string | null;
  /** The latest snapshot, results included; null before the first sweep. */
  progress: SweepProgress | null;
  info: SweepRunInfo | null;
}

export interface SweepSlice {
  sweep: SweepState;
  /** Starts a new sweep over `cells` (any earlier one is cancelled first). */
  startSweep: (cells: SweepCell[], info: SweepRunInfo, runOne: RunOne) => void;
  /** Continues a paused sweep. */
  resumeSweep: () => void;
  /** Pauses once the current cell ends. */
  pauseSweep: () => void;
  cancelSweep: () => void;
  resetSweep: () => void;
}

export const INITIAL_SWEEP: SweepState = { status: 'idle', done: 0, total: 0, presetId: null, progress: null, info: null };

/** True while a sweep runs, waits to pause or cancel, or is paused: the trainer is the sweep's. */
export function isSweepActive(s: SweepState): boolean {
  return isQueueActive(s.status);
}

/**
 * The slice, typed on itself so that it joins the app's store unchanged: add `SweepSlice` to
 * `AppStore`, `...createSweepSlice(...a)` to `useAppStore`, and `resetSweep()` to `resetAppStore`.
 */
export const createSweepSlice: StateCreator<SweepSlice, [], [], SweepSlice> = (set) => {
  // The queue holds promises and callbacks: kept beside the state, not in it.
  let queue: SweepQueue | null = null;
  return {
    sweep: INITIAL_SWEEP,
    startSweep: (cells, info, runOne) => {
      queue?.cancel();
      const q = new SweepQueue(cells, runOne);
      queue = q;
      const presetId = info.choice.startsWith('custom') ? null : info.choice;
      q.subscribe((progress) => {
        if (queue === q) set({ sweep: { status: progress.status, done: progress.finished, total: progress.total, presetId, progress, info } });
      });
      void q.start();
    },
    resumeSweep: () => void queue?.start(),
    pauseSweep: () => queue?.pauseAfterCurrent(),
    cancelSweep: () => queue?.cancel(),
    resetSweep: () => {
      queue?.cancel();
      queue = null;
      set({ sweep: INITIAL_SWEEP });
    },
  };
};
