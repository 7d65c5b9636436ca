import { useState } from 'react';
import { ConfigError } from '../../engine/config';
import { exportPytorch, loadTrainTemplate, PYTORCH_EXPORT_FILE } from '../../export/pytorch';
import { useAppStore } from '../../store';
import { recordCount } from '../../store/metricsSlice';
import { buildManifest, runRecords } from '../../store/persistBridge';
import { APP_FACTS } from '../appInfo';
import { useExperiments } from '../hooks/useExperiments';
import { configUrl } from '../urlParams';
import { downloadBlob, toFileName } from '../export/download';
import { serializeRecordsCsv, serializeRecordsJson } from '../export/records';

/** Downloads of the run's records (CSV in long format, JSON) and of the experiment as a PyTorch train.py. */
export function ExportPanel() {
  const count = useAppStore(recordCount);
  const [pytorchError, setPytorchError] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const hasRun = useAppStore((s) => s.run.config !== null);
  const experiments = useExperiments();
  // The saved manifest of the run shown (where and how it ran); a run never saved gets one made now.
  const exportManifest = async () => {
    const s = useAppStore.getState();
    if (!s.run.config) return;
    const manifest = (s.run.id ? await experiments.manifest(s.run.id) : null) ?? buildManifest(s, s.run.config, APP_FACTS);
    const name = toFileName(s.run.id ?? 'rg-lab');
    downloadBlob(new Blob([JSON.stringify(manifest, null, 2)], { type: 'application/json' }), `${name}.manifest.json`);
  };
  const copyLink = async () => {
    const url = configUrl(useAppStore.getState().config, location.href);
    setLink(url);
    await navigator.clipboard?.writeText(url).catch(() => undefined);
  };
  // The experiment as set up now (the next run's config), not the last run's. The template is
  // fetched on this first click (its own chunk), so the config is read after it arrives.
  const exportTrainPy = async () => {
    let template: string;
    try {
      template = await loadTrainTemplate();
    } catch (e) {
      setPytorchError(`Could not load the train.py template (${(e as Error).message}); reload the page and try again.`);
      return;
    }
    try {
      const script = exportPytorch(useAppStore.getState().config, template, APP_FACTS.appVersion);
      downloadBlob(new Blob([script], { type: 'text/x-python' }), PYTORCH_EXPORT_FILE);
      setPytorchError(null);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      setPytorchError(e.message);
    }
  };
  const exportRecords = async (kind: 'csv' | 'json') => {
    const s = useAppStore.getState();
    const experiment = s.run.id ?? 'rg-lab';
    const name = toFileName(experiment);
    const records = await runRecords(s, (id) => experiments.records(id));
    if (kind === 'csv') {
      downloadBlob(new Blob([serializeRecordsCsv(experiment, records)], { type: 'text/csv' }), `${name}.csv`);
    } else {
      const text = serializeRecordsJson({ experiment, config: s.run.config, backend: s.backend.report, exportedAt: new Date().toISOString() }, records);
      downloadBlob(new Blob([text], { type: 'application/json' }), `${name}.json`);
    }
  };
  return (
    <section className="export-panel" aria-label="export">
      <h2>Export records</h2>
      <button type="button" data-testid="export-csv" disabled={count === 0} onClick={() => void exportRecords('csv')}>
        CSV (long format)
      </button>
      <button type="button" data-testid="export-json" disabled={count === 0} onClick={() => void exportRecords('json')}>
        JSON
      </button>
      <span className="muted" data-testid="record-count" data-count={count}>
        {count.toLocaleString('en')} records
      </span>
      <button type="button" data-testid="export-manifest" disabled={!hasRun} title="Config, seeds, backend and adapter, TF.js and app versions, dataset and its content hash" onClick={() => void exportManifest()}>
        Manifest
      </button>
      <button type="button" data-testid="copy-config-link" title="A link that opens the lab with these settings (?config=)" onClick={() => void copyLink()}>
        Copy link
      </button>
      {link && <input className="link-box" readOnly value={link} data-testid="config-link" onFocus={(e) => e.target.select()} />}
      <button type="button" data-testid="export-pytorch" title="A standalone PyTorch script of this experiment (python3 train.py --smoke tries it)" onClick={() => void exportTrainPy()}>
        Export train.py
      </button>
      {pytorchError && <span role="alert">{pytorchError}</span>}
    </section>
  );
}
