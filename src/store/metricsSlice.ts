import type { StateCreator } from 'zustand';
import type { DivergedRecord, EvalRecord, EventRecord, MetricRecord, StepRecord, SummaryRecord } from '../engine/records';
import { assertNever } from '../engine/records';
import type { ArmSamples } from '../engine/trainer';
import type { AppStore } from './index';
import { appendSteps } from './stepHistory';

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

/** Kept steps of one arm and seed: their stride (see stepHistory.ts) and how many steps they stand for. */
export interface SeriesMeta {
  stride: number;
  count: number;
}

export interface MetricsSlice {
  /**
   * Records received that storage has not yet taken (persistBridge takes them as they come), in
   * arrival order; with nothing saving, every record of the run.
   */
  unsaved: MetricRecord[];
  /** Step records by arm and seed, thinned past STEP_HISTORY_CAP per series (stepHistory.ts): the full ones are in storage. */
  stepsByArm: BySeed<StepRecord>;
  stepMeta: Record<string, Record<number, SeriesMeta>>;
  evalsByArm: BySeed<EvalRecord>;
  events: EventRecord[];
  diverged: DivergedRecord[];
  summaries: SummaryRecord[];
  /** Each arm's latest outputs on the fixed val samples (segment overlays, pix2pix grid). */
  samplesByArm: Record<string, ArmSamples>;
  /** The segmentation palette the samples are drawn in (RGB per class); null otherwise. */
  samplePalette: [number, number, number][] | null;
  appendRecords: (batch: readonly MetricRecord[]) => void;
  /** Hands the unsaved records to the caller (storage) and forgets them. */
  takeUnsaved: () => MetricRecord[];
  /** Keeps `s` as its arm's latest samples; an older step than the one held is ignored. */
  setSamples: (s: ArmSamples, palette: [number, number, number][] | null) => void;
  resetMetrics: () => void;
  /** Drops the records of steps after `step` and every summary (a run resumed from its checkpoint at `step` makes them again). */
  discardRecordsAfter: (step: number) => void;
}

export const INITIAL_METRICS = {
  unsaved: [] as MetricRecord[],
  stepsByArm: {} as BySeed<StepRecord>,
  stepMeta: {} as Record<string, Record<number, SeriesMeta>>,
  evalsByArm: {} as BySeed<EvalRecord>,
  events: [] as EventRecord[],
  diverged: [] as DivergedRecord[],
  summaries: [] as SummaryRecord[],
  samplesByArm: {} as Record<string, ArmSamples>,
  samplePalette: null as [number, number, number][] | null,
};

type MetricsData = Omit<typeof INITIAL_METRICS, 'samplesByArm' | 'samplePalette'>;

function groupByArmSeed<R extends { arm: string; seed: number }>(added: readonly R[]): Map<string, Map<number, R[]>> {
  const grouped = new Map<string, Map<number, R[]>>();
  for (const r of added) {
    let bySeed = grouped.get(r.arm);
    if (!bySeed) grouped.set(r.arm, (bySeed = new Map()));
    const list = bySeed.get(r.seed);
    if (list) list.push(r);
    else bySeed.set(r.seed, [r]);
  }
  return grouped;
}

function appendByArmSeed<R extends { arm: string; seed: number }>(prev: BySeed<R>, added: readonly R[]): BySeed<R> {
  if (added.length === 0) return prev;
  const next = { ...prev };
  for (const [arm, bySeed] of groupByArmSeed(added)) {
    const seeds = { ...(prev[arm] ?? {}) };
    for (const [seed, list] of bySeed) seeds[seed] = [...(seeds[seed] ?? []), ...list];
    next[arm] = seeds;
  }
  return next;
}

/** Step records appended series by series, each thinned to the cap. */
function appendStepRecords(s: Pick<MetricsData, 'stepsByArm' | 'stepMeta'>, added: readonly StepRecord[]): Pick<MetricsData, 'stepsByArm' | 'stepMeta'> {
  if (added.length === 0) return { stepsByArm: s.stepsByArm, stepMeta: s.stepMeta };
  const stepsByArm = { ...s.stepsByArm };
  const stepMeta = { ...s.stepMeta };
  for (const [arm, bySeed] of groupByArmSeed(added)) {
    const seeds = { ...(stepsByArm[arm] ?? {}) };
    const metas = { ...(stepMeta[arm] ?? {}) };
    for (const [seed, list] of bySeed) {
      const meta = metas[seed] ?? { stride: 1, count: 0 };
      const next = appendSteps({ records: seeds[seed] ?? [], stride: meta.stride }, list);
      seeds[seed] = next.records;
      metas[seed] = { stride: next.stride, count: meta.count + list.length };
    }
    stepsByArm[arm] = seeds;
    stepMeta[arm] = metas;
  }
  return { stepsByArm, stepMeta };
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
    unsaved: batch.length ? [...s.unsaved, ...batch] : s.unsaved,
    ...appendStepRecords(s, steps),
    evalsByArm: appendByArmSeed(s.evalsByArm, evals),
    events: events.length ? [...s.events, ...events] : s.events,
    diverged: diverged.length ? [...s.diverged, ...diverged] : s.diverged,
    summaries: summaries.length ? [...s.summaries, ...summaries] : s.summaries,
  };
}

/** The run's records as held in memory (step records thinned past the cap), in step order. */
export function recordsInMemory(s: MetricsData): MetricRecord[] {
  const all: MetricRecord[] = [
    ...s.events,
    ...Object.values(s.stepsByArm).flatMap((bySeed) => Object.values(bySeed).flat()),
    ...s.diverged,
    ...Object.values(s.evalsByArm).flatMap((bySeed) => Object.values(bySeed).flat()),
  ];
  // A stable sort: within a step, events (applied from it), the steps, a divergence, evaluations.
  const rank = { event: 0, step: 1, diverged: 2, eval: 3, summary: 4 } as const;
  const key = (r: MetricRecord) => (r.type === 'summary' ? Infinity : r.step);
  all.sort((a, b) => key(a) - key(b) || rank[a.type] - rank[b.type]);
  return [...all, ...s.summaries];
}

/** How many records the run has: every step counted, thinned ones included. */
export function recordCount(s: MetricsData): number {
  let n = s.events.length + s.diverged.length + s.summaries.length;
  for (const metas of Object.values(s.stepMeta)) for (const m of Object.values(metas)) n += m.count;
  for (const bySeed of Object.values(s.evalsByArm)) for (const list of Object.values(bySeed)) n += list.length;
  return n;
}

/** `s` without anything after `step`, and without summaries. Each series' steps are 1..count, so count becomes min(count, step). */
function cutAfter(s: MetricsData, step: number): MetricsData {
  const keep = <R extends { step: number }>(list: readonly R[]) => list.filter((r) => r.step <= step);
  const mapSeries = <R, T>(map: Record<string, Record<number, R>>, f: (x: R) => T) =>
    Object.fromEntries(Object.entries(map).map(([arm, bySeed]) => [arm, Object.fromEntries(Object.entries(bySeed).map(([seed, x]) => [seed, f(x)]))]));
  return {
    unsaved: s.unsaved.filter((r) => r.type !== 'summary' && r.step <= step),
    stepsByArm: mapSeries(s.stepsByArm, keep),
    stepMeta: mapSeries(s.stepMeta, (m) => ({ ...m, count: Math.min(m.count, step) })),
    evalsByArm: mapSeries(s.evalsByArm, keep),
    events: keep(s.events),
    diverged: keep(s.diverged),
    summaries: [],
  };
}

export const createMetricsSlice: StateCreator<AppStore, [], [], MetricsSlice> = (set, get) => ({
  ...INITIAL_METRICS,
  appendRecords: (batch) => set((s) => appendToMetrics(s, batch)),
  takeUnsaved: () => {
    const taken = get().unsaved;
    if (taken.length) set({ unsaved: [] });
    return taken;
  },
  setSamples: (samples, palette) =>
    set((s) => {
      const held = s.samplesByArm[samples.arm];
      if (held && held.step > samples.step) return s;
      return { samplesByArm: { ...s.samplesByArm, [samples.arm]: samples }, samplePalette: palette };
    }),
  resetMetrics: () => set(INITIAL_METRICS),
  discardRecordsAfter: (step) => set((s) => cutAfter(s, step)),
});
