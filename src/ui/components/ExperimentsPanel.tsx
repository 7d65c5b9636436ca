import { useState } from 'react';
import { useAppStore } from '../../store';
import type { ExperimentMeta } from '../../persist';
import { isRunActive } from '../../store/runSlice';
import type { StoredSummary } from '../../store/summary';
import { downloadBlob, toFileName } from '../export/download';
import { useExperiments } from '../hooks/useExperiments';
import { useImportFiles } from '../hooks/useImportFiles';
import { CompareRuns, sourceOf } from './CompareRuns';
import { Panel } from './Panel';
import { errorMessage } from '../../engine/errors';

/** The summary the persistence bridge saves at the end of a run, if this one has it. */
function summaryOf(meta: ExperimentMeta): StoredSummary | null {
  const s = meta.summary as Partial<StoredSummary> | null;
  return s && Array.isArray(s.arms) && typeof s.metric === 'string' ? (s as StoredSummary) : null;
}

const pct = (v: number | null, metric: string): string => (v === null ? '–' : metric === 'psnr' ? `${v.toFixed(2)} dB` : `${(v * 100).toFixed(1)}%`);

function Row({ meta, shown, ticked, busy }: { meta: ExperimentMeta; shown: boolean; ticked: boolean; busy: boolean }) {
  const commands = useExperiments();
  const toggleCompare = useAppStore((s) => s.toggleCompare);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(meta.name);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>) => p.then(() => setError(null), (e: unknown) => setError(errorMessage(e)));
  const exportBundle = async () => {
    const bundle = await commands.exportBundle(meta.id);
    downloadBlob(new Blob([JSON.stringify(bundle)], { type: 'application/json' }), `${toFileName(meta.name)}.rglab.json`);
  };
  return (
    <li className={`experiment-row${shown ? ' shown' : ''}`} data-testid="experiment-row" data-id={meta.id} data-status={meta.status}>
      <div className="experiment-line">
        <input type="checkbox" data-testid="experiment-compare" title="Compare" checked={ticked} onChange={() => toggleCompare(meta.id)} />
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setEditing(false);
              void act(commands.rename(meta.id, name));
            }}
          >
            <input data-testid="experiment-name-input" value={name} maxLength={120} autoFocus onChange={(e) => setName(e.target.value)} onBlur={() => setEditing(false)} />
          </form>
        ) : (
          <button type="button" className="link" data-testid="experiment-open" disabled={busy} title="Show its charts and summary" onClick={() => void act(commands.open(meta.id))}>
            {meta.name}
          </button>
        )}
        <span className={`status-chip status-${meta.status}`}>{meta.status}</span>
        <span className="source-chip" data-testid="experiment-source" title="Where its records come from">
          {sourceOf(meta)}
        </span>
      </div>
      <div className="experiment-line muted">
        <span>{new Date(meta.createdAt).toLocaleString()}</span>
        <span>{meta.recordCount.toLocaleString('en')} records</span>
        <button type="button" className="small" data-testid="experiment-rename" onClick={() => (setName(meta.name), setEditing(true))}>
          rename
        </button>
        <button type="button" className="small" data-testid="experiment-export" onClick={() => void act(exportBundle())}>
          export
        </button>
        <button
          type="button"
          className="small"
          data-testid="experiment-delete"
          disabled={busy && shown}
          onClick={() => (confirm ? void act(commands.remove(meta.id)) : setConfirm(true))}
          onBlur={() => setConfirm(false)}
        >
          {confirm ? 'delete: sure?' : 'delete'}
        </button>
      </div>
      {error && <p className="error-text">{error}</p>}
    </li>
  );
}

function CompareTable({ list }: { list: ExperimentMeta[] }) {
  const arms = [...new Set(list.flatMap((m) => summaryOf(m)?.arms.map((a) => a.arm) ?? []))];
  return (
    <table className="compare-table" data-testid="experiments-compare-table">
      <thead>
        <tr>
          <th>experiment</th>
          <th>metric</th>
          <th>seeds</th>
          {arms.map((a) => (
            <th key={a}>{a} final (best)</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {list.map((m) => {
          const s = summaryOf(m);
          return (
            <tr key={m.id}>
              <td>{m.name}</td>
              <td>{s?.metric ?? '–'}</td>
              <td>{s?.seeds ?? '–'}</td>
              {arms.map((a) => {
                const arm = s?.arms.find((x) => x.arm === a);
                return <td key={a}>{arm ? `${pct(arm.final, s!.metric)} (${pct(arm.best, s!.metric)})` : s ? '–' : 'no summary'}</td>;
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The saved experiments (IndexedDB): open one to see its charts and summary again, rename,
 * delete, export it as a bundle, import bundles or the runner's and train.py's JSONL records, tick
 * several to compare their results and overlay their curves.
 */
export function ExperimentsPanel() {
  const { storage, list, warning, compare } = useAppStore((s) => s.experiments);
  // The experiment on the charts is the run shown: the live one or one opened from this list.
  const shown = useAppStore((s) => s.run.id);
  const busy = useAppStore((s) => isRunActive(s.run.status));
  const importing = useAppStore((s) => s.experiments.importing);
  const importError = useAppStore((s) => s.experiments.importError);
  const importFiles = useImportFiles();
  const ticked = list.filter((m) => compare.includes(m.id));
  return (
    <Panel title="Experiments">
      <div data-testid="experiments-panel" data-storage={storage} data-count={list.length}>
        <p className="muted">
          {storage === 'indexeddb'
            ? 'Every run is saved in this browser as it trains (IndexedDB) and survives a reload.'
            : storage === 'memory'
              ? 'Runs are kept in memory only: they are lost when the page closes.'
              : 'Opening saved experiments…'}
        </p>
        {warning && (
          <p className="error-text" role="alert" data-testid="storage-warning">
            {warning}
          </p>
        )}
        <label className="field">
          <span className="field-label">import: .rglab.json bundles, or the records (JSONL) of the runner or train.py (several files of one run at once); or drop them on the page</span>
          <input
            type="file"
            multiple
            accept=".json,.jsonl,.ndjson,application/json"
            data-testid="experiment-import"
            disabled={importing !== null}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void importFiles(files);
            }}
          />
        </label>
        {importing && (
          <p className="muted" role="status" data-testid="experiment-import-progress">
            {importing.phase === 'reading'
              ? `Reading ${importing.file}: ${(importing.done / 1e6).toFixed(1)} of ${(importing.total / 1e6).toFixed(1)} MB`
              : `Saving ${importing.file}: ${importing.done.toLocaleString('en')} of ${importing.total.toLocaleString('en')} records`}
          </p>
        )}
        {importError && (
          <p className="error-text" role="alert" data-testid="experiment-import-error">
            {importError}
          </p>
        )}
        <ul className="experiment-list">
          {list.map((m) => (
            <Row key={m.id} meta={m} shown={m.id === shown} ticked={compare.includes(m.id)} busy={busy} />
          ))}
        </ul>
        {ticked.length >= 2 && <CompareTable list={ticked} />}
        {ticked.length >= 2 && <CompareRuns list={ticked} />}
      </div>
    </Panel>
  );
}
