import { useState } from 'react';
import { ConfigError } from '../../engine/config';
import { exportPytorch, PYTORCH_EXPORT_FILE } from '../../export/pytorch';
import { useAppStore } from '../../store';
import { downloadBlob, toFileName } from '../export/download';
import { serializeRecordsCsv, serializeRecordsJson } from '../export/records';

/** Downloads of the run's records (CSV in long format, JSON) and of the experiment as a PyTorch train.py. */
export function ExportPanel() {
  const count = useAppStore((s) => s.records.length);
  const [pytorchError, setPytorchError] = useState<string | null>(null);
  // The experiment as set up now (the next run's config), not the last run's.
  const exportTrainPy = () => {
    try {
      const script = exportPytorch(useAppStore.getState().config);
      downloadBlob(new Blob([script], { type: 'text/x-python' }), PYTORCH_EXPORT_FILE);
      setPytorchError(null);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      setPytorchError(e.message);
    }
  };
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
      <button type="button" data-testid="export-pytorch" title="A standalone PyTorch script of this experiment (python3 train.py --smoke tries it)" onClick={exportTrainPy}>
        Export train.py
      </button>
      {pytorchError && <span role="alert">{pytorchError}</span>}
    </section>
  );
}
