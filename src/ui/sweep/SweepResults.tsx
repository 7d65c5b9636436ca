import { useMemo } from 'react';
import { formatMetricDelta, formatMetricValue, paperVsLab, sweepTable, sweepTableCsv, type PaperPreset, type SweepProgress, type SweepTableRow } from '../../sweep';
import { armColor } from '../charts/colors';
import { downloadBlob, toFileName } from '../export/download';

function statusText(r: SweepTableRow): string {
  if (r.status === 'error') return `error: ${r.error ?? ''}`;
  if (r.status === 'done' && r.seeds > 0 && r.diverged === r.seeds) return 'diverged';
  return r.status;
}

/** The results table, one row per cell and arm, with its CSV download. */
export function SweepTable({ progress, metric, name }: { progress: SweepProgress; metric: string; name: string }) {
  const rows = useMemo(() => sweepTable(progress.cells, metric), [progress, metric]);
  const exportCsv = () => downloadBlob(new Blob([sweepTableCsv(rows, metric)], { type: 'text/csv' }), `${toFileName(`sweep-${name}-${metric}`)}.csv`);
  return (
    <div className="sweep-table-wrap">
      <div className="summary-head">
        <h2>Results: {metric}</h2>
        <button type="button" className="small" data-testid="sweep-export-csv" onClick={exportCsv} title="One line per cell and arm; raw values (fractions, not percent)">
          CSV
        </button>
      </div>
      <table data-testid="sweep-table" data-metric={metric}>
        <thead>
          <tr>
            <th>lr</th>
            <th>momentum</th>
            <th>arm</th>
            <th>status</th>
            <th>final</th>
            <th>best</th>
            <th>vs baseline (final)</th>
            <th>seeds (diverged)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const armIndex = progress.cells[r.cell].cell.config.arms.findIndex((a) => a.name === r.arm);
            return (
              <tr key={`${r.cell}|${r.arm}`} data-lr={r.lr} data-momentum={r.momentum} data-arm={r.arm} data-status={r.status} className={r.arm === progress.cells[r.cell].cell.config.arms[0].name ? 'sweep-cell-first' : undefined}>
                <td>{r.lr}</td>
                <td>{r.momentum}</td>
                <td>
                  <span className="swatch" style={{ background: armColor(armIndex) }} />
                  {r.arm}
                </td>
                <td className={r.status === 'error' ? 'error-text' : undefined}>{statusText(r)}</td>
                <td>{formatMetricValue(metric, r.final)}</td>
                <td>{formatMetricValue(metric, r.best)}</td>
                <td title={r.verdict ?? undefined}>{r.arm === r.baseline ? `(${r.baseline})` : formatMetricDelta(metric, r.delta)}</td>
                <td>{r.seeds === 0 ? '–' : `${r.seeds} (${r.diverged})`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The paper's reported values and claims beside what this sweep measured. */
export function PaperComparison({ preset, progress }: { preset: PaperPreset; progress: SweepProgress }) {
  const rows = useMemo(() => paperVsLab(preset, progress.cells), [preset, progress]);
  return (
    <div className="sweep-paper-wrap">
      <h2>The paper vs the lab</h2>
      <p className="hint">
        {preset.source}. The paper: {preset.paperSetting} The lab: {preset.labSetting}
      </p>
      <table data-testid="sweep-paper" className="sweep-paper-table">
        <thead>
          <tr>
            <th>where</th>
            <th>the paper reported</th>
            <th>the lab measured</th>
            <th>agrees</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-kind={r.kind} data-id={r.id}>
              <td>{r.setting}</td>
              <td>{r.paper}</td>
              <td>{r.lab}</td>
              <td>{r.agreement === null ? '–' : `${r.agreement.agree} of ${r.agreement.of}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        "Agrees" counts the cells whose arms come in the paper's order (on the mean over seeds). With one seed an ordering is weak evidence: add seeds, and
        read the differences in the results table.
      </p>
    </div>
  );
}
