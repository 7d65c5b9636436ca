import type { ExperimentConfig } from '../../engine/config';
import type { MetricRecord } from '../../engine/records';
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
export function recordToRows(experiment: string, r: MetricRecord): Cell[][] {
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

function escapeCell(c: Cell): string {
  const s = String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The whole CSV text: header, then every record's rows in record order. */
export function serializeRecordsCsv(experiment: string, records: readonly MetricRecord[]): string {
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
export function serializeRecordsJson(ctx: ExportContext, records: readonly MetricRecord[]): string {
  return JSON.stringify({ format: 'rg-lab-records', version: 1, ...ctx, records }, null, 1);
}
