import { BUILTIN_DATASETS } from '../../store/types';
import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { useTrainer } from '../hooks/useTrainer';
import { ArchiveProgress } from './ArchiveProgress';
import { DatasetStatus } from './DatasetStatus';
import { Panel } from './Panel';

/** Built-in dataset choice, the archive input with its options and progress, and the dataset's status. */
export function DatasetPanel() {
  const datasetId = useAppStore((s) => s.config.dataset);
  const task = useAppStore((s) => s.config.task);
  const locked = useAppStore((s) => isRunActive(s.run.status));
  const loading = useAppStore((s) => s.archive.loading);
  const options = useAppStore((s) => s.archive.options);
  const setConfig = useAppStore((s) => s.setConfig);
  const setArchiveOptions = useAppStore((s) => s.setArchiveOptions);
  const trainer = useTrainer();
  const choices = BUILTIN_DATASETS.filter((d) => d.task === task);
  const info = BUILTIN_DATASETS.find((d) => d.id === datasetId);
  const archiveName = datasetId.startsWith('archive:') ? datasetId.slice('archive:'.length) : null;

  return (
    <Panel title="Dataset">
      <label className="field">
        <span className="field-label">built-in</span>
        <select data-testid="dataset-builtin" value={datasetId} disabled={locked} onChange={(e) => setConfig({ dataset: e.target.value })}>
          {archiveName && <option value={datasetId}>{archiveName} (archive)</option>}
          {choices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id.replace(/^builtin:/, '')}
            </option>
          ))}
        </select>
      </label>
      {info && <p className="hint">{info.description}</p>}
      <label className="field">
        <span className="field-label">or an archive (.zip, .tar, .tar.gz), or drop one anywhere on the page</span>
        <input
          type="file"
          data-testid="dataset-input"
          accept=".zip,.tar,.tar.gz,.tgz"
          disabled={locked}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) trainer.loadArchive(f);
            e.target.value = '';
          }}
        />
      </label>
      <div className="field-row">
        <label className="field" title="CIFAR-100 archives: the 100 fine classes or the 20 coarse superclasses">
          <span className="field-label">CIFAR-100 labels</span>
          <select
            data-testid="cifar-labels-select"
            value={options.cifarLabels}
            disabled={locked}
            onChange={(e) => setArchiveOptions({ cifarLabels: e.target.value === 'coarse' ? 'coarse' : 'fine' })}
          >
            <option value="fine">fine (100)</option>
            <option value="coarse">coarse (20)</option>
          </select>
        </label>
        <label className="field" title="pix2pix archives: which half of each image is the input">
          <span className="field-label">pix2pix direction</span>
          <select
            data-testid="pair-direction-select"
            value={options.pairDirection}
            disabled={locked}
            onChange={(e) => setArchiveOptions({ pairDirection: e.target.value === 'BtoA' ? 'BtoA' : 'AtoB' })}
          >
            <option value="AtoB">A → B (left is input)</option>
            <option value="BtoA">B → A (right is input)</option>
          </select>
        </label>
      </div>
      {loading && <ArchiveProgress load={loading} onCancel={trainer.cancelArchive} />}
      <DatasetStatus />
    </Panel>
  );
}
