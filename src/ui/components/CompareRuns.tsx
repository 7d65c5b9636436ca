import { useEffect, useMemo, useState } from 'react';
import type { EvalRecord, MetricRecord, StepRecord } from '../../engine/records';
import type { ExperimentMeta } from '../../persist';
import { configDifference } from '../../persist/jsonl';
import { SUMMARY_METRICS } from '../../store/summary';
import { armColor } from '../charts/colors';
import { aggregateSeeds, buildChartRows, evalSeries, stepSeries, type ArmSeries } from '../charts/series';
import type { ChartArm } from '../charts/LineChartView';
import { useExperiments } from '../hooks/useExperiments';
import { ChartCard } from './ChartCard';
import { errorMessage } from '../../engine/errors';

/** Where a saved experiment's records came from: the lab page, the runner, or train.py. */
export function sourceOf(meta: ExperimentMeta): string {
  const s = meta.manifest.source;
  return s === 'pytorch' ? 'PyTorch' : s === 'runner' ? 'runner' : 'lab';
}

/** What differs between the first experiment's config and each other's (seeds aside); empty when they agree. */
export function configNotes(list: readonly ExperimentMeta[]): string[] {
  const [first, ...rest] = list;
  const notes: string[] = [];
  for (const m of rest) {
    const field = configDifference(first.config, m.config);
    if (field) notes.push(`"${m.name}" (${sourceOf(m)}) and "${first.name}" (${sourceOf(first)}) have different configs: ${field} differs.`);
    const hash = (x: ExperimentMeta) => (x.manifest.dataset as { contentHash?: unknown } | undefined)?.contentHash ?? null;
    if (!field && hash(m) && hash(first) && hash(m) !== hash(first)) notes.push(`"${m.name}" and "${first.name}" were trained on different dataset contents (${String(hash(first))} vs ${String(hash(m))}).`);
  }
  return notes;
}

/** One line per experiment and arm: the mean over seeds of `pick`'s per-seed series. */
function curves(list: readonly ExperimentMeta[], records: Record<string, MetricRecord[]>, pick: (own: MetricRecord[], arm: string, seed: number) => ArmSeries, smoothing: number) {
  const series: ArmSeries[] = [];
  const arms: ChartArm[] = [];
  for (const m of list) {
    const own = records[m.id] ?? [];
    for (const a of m.config.arms) {
      const perSeed = m.config.seeds.map((seed) => pick(own, a.name, seed)).filter((s) => s.xs.length > 0);
      if (perSeed.length === 0) continue;
      series.push(aggregateSeeds(perSeed, 'std', smoothing, false));
      arms.push({ name: `${m.name} · ${a.name}`, color: armColor(arms.length) });
    }
  }
  return { rows: buildChartRows(series, { smoothing, logY: false }), arms };
}

const evalsOf = (own: MetricRecord[], arm: string, seed: number) => own.filter((r): r is EvalRecord => r.type === 'eval' && r.arm === arm && r.seed === seed);
const stepsOf = (own: MetricRecord[], arm: string, seed: number) => own.filter((r): r is StepRecord => r.type === 'step' && r.arm === arm && r.seed === seed);

/**
 * Ticked experiments side by side: their headline metric and loss curves overlaid (mean over
 * seeds, one line per experiment and arm, against the step), with a note when their configs or
 * datasets differ.
 */
export function CompareRuns({ list }: { list: ExperimentMeta[] }) {
  const commands = useExperiments();
  const [records, setRecords] = useState<Record<string, MetricRecord[]>>({});
  const [error, setError] = useState<string | null>(null);
  const key = list.map((m) => `${m.id}@${m.updatedAt}`).join(',');
  useEffect(() => {
    let live = true;
    Promise.all(list.map((m) => commands.records(m.id))).then(
      (all) => live && setRecords(Object.fromEntries(list.map((m, i) => [m.id, all[i]]))),
      (e: unknown) => live && setError(`The records could not be read: ${errorMessage(e)}`),
    );
    return () => {
      live = false;
    };
    // The list's ids and update times are the key: a new array of the same experiments is the same.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, commands]);
  const metric = SUMMARY_METRICS[list[0].config.task][0];
  const metricChart = useMemo(() => curves(list, records, (own, arm, seed) => evalSeries(evalsOf(own, arm, seed), [], metric, 'step', 0), 0), [list, records, metric]);
  const lossChart = useMemo(() => curves(list, records, (own, arm, seed) => stepSeries(stepsOf(own, arm, seed), 'loss', 'step', 0), 0.6), [list, records]);
  const notes = configNotes(list);
  const common = { markers: [], xLabel: 'step', logY: false, experiment: 'compare', empty: 'Loading the records…' };
  return (
    <div className="compare-runs" data-testid="experiments-compare-curves">
      {notes.length > 0 && (
        <ul className="compare-notes" data-testid="compare-config-note">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {error && <p className="error-text">{error}</p>}
      <ChartCard testId="compare-metric" title={`${metric}: ${list.map((m) => m.name).join(' vs ')}`} {...common} {...metricChart} showRaw={false} dots />
      <ChartCard testId="compare-loss" title="training loss" {...common} {...lossChart} showRaw={false} />
    </div>
  );
}
