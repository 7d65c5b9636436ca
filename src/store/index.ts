import { create } from 'zustand';
import { createArchiveSlice, type ArchiveSlice } from './archiveSlice';
import { createExperimentsSlice, INITIAL_EXPERIMENTS, type ExperimentsSlice } from './experimentsSlice';
import { createMetricsSlice, type MetricsSlice } from './metricsSlice';
import { createRunSlice, INITIAL_DATASET, type RunSlice } from './runSlice';
import { createSettingsSlice, type SettingsSlice } from './settingsSlice';
import { createSweepSlice, type SweepSlice } from './sweepSlice';
import { createUiSlice, type UiSlice } from './uiSlice';

/** The app's one store, combined from its slices (zustand's slices pattern). */

export type AppStore = SettingsSlice & RunSlice & MetricsSlice & UiSlice & ArchiveSlice & ExperimentsSlice & SweepSlice;

export const useAppStore = create<AppStore>()((...a) => ({
  ...createSettingsSlice(...a),
  ...createRunSlice(...a),
  ...createMetricsSlice(...a),
  ...createUiSlice(...a),
  ...createArchiveSlice(...a),
  ...createExperimentsSlice(...a),
  ...createSweepSlice(...a),
}));

/** Puts every slice back to its initial state (tests, "new experiment"). */
export function resetAppStore(): void {
  const s = useAppStore.getState();
  s.resetSettings();
  s.resetRun();
  s.setBackendPending();
  s.resetMetrics();
  s.resetUi();
  s.resetArchive();
  s.resetSweep();
  useAppStore.setState({ dataset: INITIAL_DATASET, experiments: INITIAL_EXPERIMENTS });
}

export type { MetricsSlice } from './metricsSlice';
export type { RunSlice, RunStatus } from './runSlice';
export type { SettingsSlice } from './settingsSlice';
export type { UiSlice } from './uiSlice';
