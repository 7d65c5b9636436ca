import { useAppStore } from '../../store';
import { type ArchiveSummary, type DatasetSummary, formatBytes } from '../../store/types';
import { DatasetPreview } from './DatasetPreview';

const TASK_WORDS = { classify: 'classification', segment: 'segmentation', translate: 'image-to-image translation' } as const;
const MAX_HISTOGRAM_ROWS = 20;
const MAX_SKIPPED_ROWS = 10;

function ClassHistogram({ a }: { a: ArchiveSummary }) {
  const { train, test } = a.classHistogram;
  const top = Math.max(1, ...train);
  const rows = a.classNames.slice(0, MAX_HISTOGRAM_ROWS);
  return (
    <div className="class-histogram" aria-label="images per class">
      <div className="hint">
        {a.classNames.length} classes ({a.histogramUnit}, train/test):
      </div>
      {rows.map((name, i) => (
        <div className="histogram-row" key={name + i}>
          <span className="histogram-name">{name}</span>
          <span className="histogram-bar" style={{ width: `${(100 * (train[i] ?? 0)) / top}%` }} />
          <span className="histogram-count">
            {train[i] ?? 0}/{test[i] ?? 0}
          </span>
        </div>
      ))}
      {a.classNames.length > rows.length && <div className="hint">… and {a.classNames.length - rows.length} more classes</div>}
    </div>
  );
}

function ArchiveSummaryView({ d, a }: { d: DatasetSummary; a: ArchiveSummary }) {
  const sizes = a.imageSizes.map((z) => `${z.width}×${z.height}${a.distinctImageSizes > 1 ? ` (${z.count})` : ''}`).join(', ');
  const otherSizes = a.distinctImageSizes > a.imageSizes.length ? ` and ${a.distinctImageSizes - a.imageSizes.length} other sizes` : '';
  return (
    <>
      <strong>
        {a.fileName}: {a.layoutName} ({a.format}), {TASK_WORDS[a.task]}
      </strong>
      <div className="summary-line">
        {a.counts.train.toLocaleString('en')} train ({a.splitSources.train}) + {a.counts.test.toLocaleString('en')} test ({a.splitSources.test})
      </div>
      {a.classNames.length > 0 && <ClassHistogram a={a} />}
      <div className="summary-line">
        images {sizes || 'none'}
        {otherSizes}, resized to {d.width}×{d.height}×{d.channels}
      </div>
      {a.skippedCount > 0 && (
        <div className="summary-line">
          skipped {a.skippedCount}:
          <ul className="skipped-list">
            {a.skipped.slice(0, MAX_SKIPPED_ROWS).map((k) => (
              <li key={k.file}>
                {k.file}: {k.reason}
              </li>
            ))}
            {a.skippedCount > MAX_SKIPPED_ROWS && <li>… and {a.skippedCount - MAX_SKIPPED_ROWS} more</li>}
          </ul>
        </div>
      )}
      {a.notes.map((n) => (
        <div className="summary-line note" key={n}>
          {n}
        </div>
      ))}
      <div className="summary-line hint">
        {formatBytes(a.datasetBytes)} in memory, loaded in {(a.ms / 1000).toFixed(1)} s
      </div>
    </>
  );
}

function BuiltinSummaryView({ d }: { d: DatasetSummary }) {
  return (
    <>
      {d.name}: {d.numTrain.toLocaleString('en')} train / {d.numTest.toLocaleString('en')} test images, {d.classNames.length} classes, {d.width}×{d.height}×
      {d.channels} (built in {(d.ms / 1000).toFixed(1)} s)
    </>
  );
}

/**
 * The dataset's state (`dataset-status`): the summary when ready; while an archive loads, or
 * after one failed, the dataset still in use is shown under the message.
 */
export function DatasetStatus() {
  const dataset = useAppStore((s) => s.dataset);
  const datasetId = useAppStore((s) => s.config.dataset);
  const loading = useAppStore((s) => s.archive.loading);
  const archiveError = useAppStore((s) => s.archive.error);
  const state = loading ? 'loading' : archiveError ? 'error' : dataset.state;
  const d = dataset.state === 'ready' ? dataset.summary : null;

  return (
    <>
      <div className={`dataset-status state-${state}`} data-testid="dataset-status" data-state={state} role="status">
        {loading && <p>Loading {loading.fileName}…</p>}
        {!loading && archiveError && <p className="error-text">{archiveError}</p>}
        {!loading && dataset.state === 'loading' && <p>Preparing {datasetId.replace(/^(builtin|archive):/, '')}…</p>}
        {dataset.state === 'error' && <p className="error-text">{dataset.error ?? 'The dataset could not be loaded.'}</p>}
        {dataset.state === 'empty' && !loading && !archiveError && <p>No dataset loaded.</p>}
        {d && (loading || archiveError) && <p className="hint">Still in use:</p>}
        {d && <div className="dataset-summary">{d.archive ? <ArchiveSummaryView d={d} a={d.archive} /> : <BuiltinSummaryView d={d} />}</div>}
      </div>
      {d?.preview && <DatasetPreview preview={d.preview} />}
    </>
  );
}
