import { useAppStore } from '../../store';
import { downloadBlob, toFileName } from '../export/download';
import { serializeRecordsCsv, serializeRecordsJson } from '../export/records';

/** Downloads of the run's records: CSV (long format) and JSON. */
export function ExportPanel() {
  const count = useAppStore((s) => s.records.length);
  const exportRecords = (kind: 'csv' | 'json') => {
    const s = useAppStore.getState();
    const experiment = s.run.id ?? 'rg-lab';
    const name = toFileName(experiment);
    if (kind === 'csv') {
      downloadBlob(new Blob([serializeRecordsCsv(experiment, s.records)], { type: 'text/csv' }), `${name}.csv`);
    } else {
      const text = serializeRecordsJson({ experiment, config: s.run.config, backend: s.backend.report, exportedAt: new Date().toISOString() }, s.records);
      downloadBlob(new Blob([text], { type: 'application/json' }), `${name}.json`);
    }
  };
  return (
    <section className="export-panel" aria-label="export">
      <h2>Export records</h2>
      <button type="button" data-testid="export-csv" disabled={count === 0} onClick={() => exportRecords('csv')}>
        CSV (long format)
      </button>
      <button type="button" data-testid="export-json" disabled={count === 0} onClick={() => exportRecords('json')}>
        JSON
      </button>
      <span className="muted">{count.toLocaleString('en')} records</span>
    </section>
  );
}
