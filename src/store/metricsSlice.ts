import type { StateCreator } from 'zustand';
import type { DivergedRecord, EvalRecord, EventRecord, MetricRecord, StepRecord, SummaryRecord } from '../engine/records';
import { assertNever } from '../engine/records';
import type { ArmSamples } from '../engine/trainer';
import type { AppStore } from './index';

/**
 * The current run's records: all of them in arrival order (for export) and, for the charts
 * and the summary table, split by kind and by arm. Appends are immutable, so a selector sees
 * a new array exactly when its series grew.
 */

export interface MetricsSlice {
  records: MetricRecord[];
  stepsByArm: Record<string, StepRecord[]>;
  evalsByArm: Record<string, EvalRecord[]>;
  events: EventRecord[];
  diverged: DivergedRecord[];
  summaries: SummaryRecord[];
  /** Each arm's latest outputs on the fixed val samples (segment overlays, pix2pix grid). */
  samplesByArm: Record<string, ArmSamples>;
  /** The segmentation palette the samples are drawn in (RGB per class); null otherwise. */
  samplePalette: [number, number, number][] | null;
  appendRecords: (batch: readonly MetricRecord[]) => void;
  /** Keeps `s` as its arm's latest samples; an older step than the one held is ignored. */
  setSamples: (s: ArmSamples, palette: [number, number, number][] | null) => void;
  resetMetrics: () => void;
}

export const INITIAL_METRICS = {
  records: [] as MetricRecord[],
  stepsByArm: {} as Record<string, StepRecord[]>,
  evalsByArm: {} as Record<string, EvalRecord[]>,
  events: [] as EventRecord[],
  diverged: [] as DivergedRecord[],
  summaries: [] as SummaryRecord[],
  samplesByArm: {} as Record<string, ArmSamples>,
  samplePalette: null as [number, number, number][] | null,
};

type MetricsData = Omit<typeof INITIAL_METRICS, 'samplesByArm' | 'samplePalette'>;

function groupByArm<R extends { arm: string }>(prev: Record<string, R[]>, added: R[]): Record<string, R[]> {
  if (added.length === 0) return prev;
  const next = { ...prev };
  const byArm = new Map<string, R[]>();
  for (const r of added) {
    const list = byArm.get(r.arm) ?? [];
    list.push(r);
    byArm.set(r.arm, list);
  }
  for (const [arm, list] of byArm) next[arm] = [...(prev[arm] ?? []), ...list];
  return next;
}

/** The metrics state after appending `batch`: a pure function, so it is easy to test. */
export function appendToMetrics(s: MetricsData, batch: readonly MetricRecord[]): MetricsData {
  const steps: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  const events: EventRecord[] = [];
  const diverged: DivergedRecord[] = [];
  const summaries: SummaryRecord[] = [];
  for (const r of batch) {
    switch (r.type) {
      case 'step':
        steps.push(r);
        break;
      case 'eval':
        evals.push(r);
        break;
      case 'event':
        events.push(r);
        break;
      case 'diverged':
        diverged.push(r);
        break;
      case 'summary':
        summaries.push(r);
        break;
      default:
        assertNever(r);
    }
  }
  return {
    records: batch.length ? [...s.records, ...batch] : s.records,
    stepsByArm: groupByArm(s.stepsByArm, steps),
    evalsByArm: groupByArm(s.evalsByArm, evals),
    events: events.length ? [...s.events, ...events] : s.events,
    diverged: diverged.length ? [...s.diverged, ...diverged] : s.diverged,
    summaries: summaries.length ? [...s.summaries, ...summaries] : s.summaries,
  };
}

export const createMetricsSlice: StateCreator<AppStore, [], [], MetricsSlice> = (set) => ({
  ...INITIAL_METRICS,
  appendRecords: (batch) => set((s) => appendToMetrics(s, batch)),
  setSamples: (samples, palette) =>
    set((s) => {
      const held = s.samplesByArm[samples.arm];
      if (held && held.step > samples.step) return s;
      return { samplesByArm: { ...s.samplesByArm, [samples.arm]: samples }, samplePalette: palette };
    }),
  resetMetrics: () => set(INITIAL_METRICS),
});
