import type { StateCreator } from 'zustand';
import type { DivergedRecord, EvalRecord, EventRecord, MetricRecord, StepRecord, SummaryRecord } from '../engine/records';
import { assertNever } from '../engine/records';
import type { ArmSamples } from '../engine/trainer';
import type { AppStore } from './index';

/**
 * The current run's records: all of them in arrival order (for export) and, for the charts
 * and the summary table, split by kind, by arm and by seed. Appends are immutable, so a
 * selector sees a new array exactly when its series grew.
 */

/** Records of one kind by arm name, then by seed, in step order. */
export type BySeed<R> = Record<string, Record<number, R[]>>;

/** Every seed's records of one arm, in the order the seeds first appeared. */
export function seedsOf<R>(map: BySeed<R>, arm: string): { seed: number; records: R[] }[] {
  const bySeed = map[arm];
  return bySeed ? Object.entries(bySeed).map(([seed, records]) => ({ seed: Number(seed), records })) : [];
}

/** One arm's records of its first seed (sample panels, per-class IoU): empty when none. */
export function firstSeedOf<R>(map: BySeed<R>, arm: string): R[] {
  return seedsOf(map, arm)[0]?.records ?? [];
}

export interface MetricsSlice {
  records: MetricRecord[];
  stepsByArm: BySeed<StepRecord>;
  evalsByArm: BySeed<EvalRecord>;
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
  /** Drops the records of steps after `step` and every summary (a run resumed from its checkpoint at `step` makes them again). */
  discardRecordsAfter: (step: number) => void;
}

export const INITIAL_METRICS = {
  records: [] as MetricRecord[],
  stepsByArm: {} as BySeed<StepRecord>,
  evalsByArm: {} as BySeed<EvalRecord>,
  events: [] as EventRecord[],
  diverged: [] as DivergedRecord[],
  summaries: [] as SummaryRecord[],
  samplesByArm: {} as Record<string, ArmSamples>,
  samplePalette: null as [number, number, number][] | null,
};

type MetricsData = Omit<typeof INITIAL_METRICS, 'samplesByArm' | 'samplePalette'>;

function groupByArmSeed<R extends { arm: string; seed: number }>(prev: BySeed<R>, added: R[]): BySeed<R> {
  if (added.length === 0) return prev;
  const grouped = new Map<string, Map<number, R[]>>();
  for (const r of added) {
    let bySeed = grouped.get(r.arm);
    if (!bySeed) grouped.set(r.arm, (bySeed = new Map()));
    const list = bySeed.get(r.seed);
    if (list) list.push(r);
    else bySeed.set(r.seed, [r]);
  }
  const next = { ...prev };
  for (const [arm, bySeed] of grouped) {
    const seeds = { ...(prev[arm] ?? {}) };
    for (const [seed, list] of bySeed) seeds[seed] = [...(seeds[seed] ?? []), ...list];
    next[arm] = seeds;
  }
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
    stepsByArm: groupByArmSeed(s.stepsByArm, steps),
    evalsByArm: groupByArmSeed(s.evalsByArm, evals),
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
  discardRecordsAfter: (step) =>
    set((s) => appendToMetrics(INITIAL_METRICS, s.records.filter((r) => r.type !== 'summary' && r.step <= step))),
});
