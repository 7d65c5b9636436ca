import type { StateCreator } from 'zustand';
import type { BandKind } from '../stats';
import type { AppStore } from './index';

/** How the charts and the summary are shown; nothing here changes training. */

export type XAxisMode = 'step' | 'epoch' | 'time';

export interface UiState {
  xAxis: XAxisMode;
  /** EMA smoothing factor in [0, 0.99]; 0 shows the raw curve alone. */
  smoothing: number;
  logY: boolean;
  /** Show the weighted loss (what backpropagation saw) instead of the true loss. */
  weightedLoss: boolean;
  /** Accuracy target of the summary table in [0, 1]; null = 80% of the plain arm's best. */
  targetAccuracy: number | null;
  /** The band around each arm's mean over seeds (drawn when a run has 2 or more seeds). */
  band: 'none' | BandKind;
  /** Draw every seed's curve thin beneath the mean. */
  showSeeds: boolean;
  /** The arm the summary compares the others with; null = the first arm with RG off. */
  baseline: string | null;
}

export interface UiSlice {
  ui: UiState;
  setUi: (patch: Partial<UiState>) => void;
  resetUi: () => void;
}

export const INITIAL_UI: UiState = { xAxis: 'step', smoothing: 0.6, logY: false, weightedLoss: false, targetAccuracy: null, band: 'std', showSeeds: false, baseline: null };

export const createUiSlice: StateCreator<AppStore, [], [], UiSlice> = (set) => ({
  ui: INITIAL_UI,
  setUi: (patch) => set((s) => ({ ui: { ...s.ui, ...patch } })),
  resetUi: () => set({ ui: INITIAL_UI }),
});
