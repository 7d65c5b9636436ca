import { useState } from 'react';
import { BUILTIN_DATASETS } from '../../data/builtin';
import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { Panel } from './Panel';

/** Built-in dataset choice, the archive input, and the dataset's status. */
export function DatasetPanel() {
  const datasetId = useAppStore((s) => s.config.dataset);
  const task = useAppStore((s) => s.config.task);
  const dataset = useAppStore((s) => s.dataset);
  const locked = useAppStore((s) => isRunActive(s.run.status));
  const setConfig = useAppStore((s) => s.setConfig);
  const [archiveNote, setArchiveNote] = useState<string | null>(null);
  const choices = BUILTIN_DATASETS.filter((d) => d.task === task);
  const info = BUILTIN_DATASETS.find((d) => d.id === datasetId);

  let statusText = 'No dataset loaded.';
  if (dataset.state === 'loading') statusText = `Generating ${datasetId}…`;
  if (dataset.state === 'error') statusText = dataset.error ?? 'The dataset could not be loaded.';
  if (dataset.state === 'ready' && dataset.summary) {
    const d = dataset.summary;
    statusText =
      `${d.name}: ${d.numTrain.toLocaleString('en')} train / ${d.numTest.toLocaleString('en')} test images, ` +
      `${d.classNames.length} classes, ${d.width}×${d.height}×${d.channels} (built in ${(d.ms / 1000).toFixed(1)} s)`;
  }

  return (
    <Panel title="Dataset">
      <label className="field">
        <span className="field-label">built-in</span>
        <select data-testid="dataset-builtin" value={datasetId} disabled={locked} onChange={(e) => setConfig({ dataset: e.target.value })}>
          {choices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id.replace(/^builtin:/, '')}
            </option>
          ))}
        </select>
      </label>
      {info && <p className="hint">{info.description}</p>}
      <label className="field">
        <span className="field-label">or an archive (.zip, .tar, .tar.gz)</span>
        <input
          type="file"
          data-testid="dataset-input"
          accept=".zip,.tar,.tar.gz,.tgz"
          disabled={locked}
          onChange={(e) => {
            const f = e.target.files?.[0];
            setArchiveNote(f ? `${f.name}: archive datasets are not supported in this version yet; the built-in dataset stays loaded.` : null);
            e.target.value = '';
          }}
        />
      </label>
      {archiveNote && <p className="error-text">{archiveNote}</p>}
      <p className={`dataset-status state-${dataset.state}`} data-testid="dataset-status" data-state={dataset.state}>
        {statusText}
      </p>
    </Panel>
  );
}
