import type { StateCreator } from 'zustand';
import type { ExperimentMeta } from '../persist';
import type { AppStore } from './index';

/** The saved experiments as the UI lists them, and where they are kept. */

export interface ExperimentsState {
  /** 'indexeddb': experiments survive a reload; 'memory': IndexedDB was unavailable. */
  storage: 'pending' | 'indexeddb' | 'memory';
  /** Newest first, without records. */
  list: ExperimentMeta[];
  /** Why experiments are not being saved (unavailable storage, a full disk); null when all is well. */
  warning: string | null;
  /** Experiments ticked for side-by-side comparison. */
  compare: string[];
  /** An import under way (files read as streams, then stored): what it is at; null when none. */
  importing: { phase: 'reading' | 'saving'; file: string; done: number; total: number } | null;
  /** Why the last import failed (the file and line at fault); null when it did not. */
  importError: string | null;
}

export interface ExperimentsSlice {
  experiments: ExperimentsState;
  setExperiments: (patch: Partial<ExperimentsState>) => void;
  toggleCompare: (id: string) => void;
}

export const INITIAL_EXPERIMENTS: ExperimentsState = { storage: 'pending', list: [], warning: null, compare: [], importing: null, importError: null };

export const createExperimentsSlice: StateCreator<AppStore, [], [], ExperimentsSlice> = (set) => ({
  experiments: INITIAL_EXPERIMENTS,
  setExperiments: (patch) => set((s) => ({ experiments: { ...s.experiments, ...patch } })),
  toggleCompare: (id) =>
    set((s) => {
      const has = s.experiments.compare.includes(id);
      return { experiments: { ...s.experiments, compare: has ? s.experiments.compare.filter((c) => c !== id) : [...s.experiments.compare, id] } };
    }),
});
