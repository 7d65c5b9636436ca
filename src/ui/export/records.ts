import type { ExperimentConfig } from '../../engine/config';
import type { ComparisonRecord, RunnerRecord } from '../../engine/records';
import { ABSENT_CLASS_IOU } from '../../engine/metrics';
import { assertNever } from '../../engine/records';
import type { BackendReport } from '../../store/types';

/**
 * Record exports. CSV is the long format of docs/contracts.md, section 4, one row per recorded value;
 * JSON is the records as they are plus what produced them. Pure functions (tested in Node).
 */

export const CSV_HEADER = 'experiment,arm,seed,step,epoch,metric,value';

/** Step-record fields that are coordinates, not values. */
const STEP_COORDINATES = new Set(['type', 'arm', 'seed', 'step', 'epoch']);

type Cell = string | number;

/**
 * The CSV rows (without the header) of one record. Metric names say where a value came from;
 * an array metric gives one row per element, `eval.<name>[<k>]`, except that segmentation's
 * `perClassIoU` leaves out classes absent from both truth and prediction (their -1 is not an
 * IoU, and would drag down any average taken over the column).
 */
export function recordToRows(experiment: string, r: RunnerRecord): Cell[][] {
  if (r.type === 'comparison') return comparisonToRows(experiment, r);
  const row = (step: number, epoch: Cell, metric: string, value: number): Cell[] => [experiment, r.arm, r.seed, step, epoch, metric, value];
  switch (r.type) {
    case 'step':
      // Every numeric field, in the record's order: task extras (gAdv, auxLoss, ...) included.
      return Object.entries(r)
        .filter((e): e is [string, number] => !STEP_COORDINATES.has(e[0]) && typeof e[1] === 'number')
        .map(([k, v]) => row(r.step, r.epoch, k, v));
    case 'eval':
      return Object.entries(r.metrics).flatMap(([k, v]) =>
        Array.isArray(v)
          ? v.flatMap((x, i) => (k === 'perClassIoU' && x === ABSENT_CLASS_IOU ? [] : [row(r.step, r.epoch, `eval.${k}[${i}]`, x)]))
          : [row(r.step, r.epoch, `eval.${k}`, v)],
      );
    case 'event':
      return [row(r.step, '', `event.${r.name}`, r.value)];
    case 'diverged':
      return [row(r.step, '', 'diverged', 1)];
    case 'summary':
      return [
        row(r.steps, '', 'summary.ms', r.ms),
        ...Object.entries(r.final).map(([k, v]) => row(r.steps, '', `final.${k}`, v)),
        ...Object.entries(r.best).map(([k, v]) => row(r.steps, '', `best.${k}`, v)),
      ];
    default:
      return assertNever(r);
  }
}

/** The values of a comparison record that are numbers, by the name its CSV rows give them. */
const COMPARISON_VALUES = ['meanDiff', 'effectSize', 'pT', 'pWilcoxon', 'pPermutation', 'p', 'pHolm'] as const;

/**
 * A comparison's rows: `comparison.<measure>.<metric>.diff` per seed (in the seed column), then
 * without a seed its meanDiff, ci95Low, ci95High, effectSize, pT, pWilcoxon, pPermutation, p,
 * pHolm (those that are not null) and significant (1 or 0). Step and epoch are empty.
 */
function comparisonToRows(experiment: string, r: ComparisonRecord): Cell[][] {
  const name = (k: string) => `comparison.${r.measure}.${r.metric}.${k}`;
  const rows: Cell[][] = r.seeds.map((seed, i) => [experiment, r.arm, seed, '', '', name('diff'), r.diffs[i]]);
  const values: [string, number | null][] = [
    ...COMPARISON_VALUES.map((k): [string, number | null] => [k, r[k]]),
    ['ci95Low', r.ci95?.[0] ?? null],
    ['ci95High', r.ci95?.[1] ?? null],
    ['significant', r.significant ? 1 : 0],
  ];
  for (const [k, v] of values) if (v !== null) rows.push([experiment, r.arm, '', '', '', name(k), v]);
  return rows;
}

function escapeCell(c: Cell): string {
  const s = String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The whole CSV text: header, then every record's rows in record order. */
export function serializeRecordsCsv(experiment: string, records: readonly RunnerRecord[]): string {
  const lines = [CSV_HEADER];
  for (const r of records) for (const row of recordToRows(experiment, r)) lines.push(row.map(escapeCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** What a JSON export holds besides the records. */
export interface ExportContext {
  experiment: string;
  config: ExperimentConfig | null;
  backend: BackendReport | null;
  exportedAt: string;
}

/** The JSON export: `{ format, version, experiment, config, backend, exportedAt, records }`. */
export function serializeRecordsJson(ctx: ExportContext, records: readonly RunnerRecord[]): string {
  return JSON.stringify({ format: 'rg-lab-records', version: 1, ...ctx, records }, null, 1);
}
