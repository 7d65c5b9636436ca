import { formatBytes } from '../../store/types';
import { estimateRemainingMs, loadFraction, type ArchiveLoad } from '../../store/archiveSlice';

/** Seconds as "12 s" or "3 min". */
function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** An archive load's progress bar: files, bytes, time left, and Cancel. */
export function ArchiveProgress({ load, onCancel }: { load: ArchiveLoad; onCancel: () => void }) {
  const p = load.progress;
  const fraction = p ? loadFraction(p) : null;
  const eta = estimateRemainingMs(load);
  let text = `opening ${formatBytes(load.bytes)}`;
  if (p?.phase === 'reading') text = `reading: ${p.files} files, ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes ?? load.bytes)}`;
  if (p?.phase === 'decoding') text = `decoding: ${p.files}${p.totalFiles ? ` of ${p.totalFiles}` : ''} images`;
  return (
    <div className="archive-progress" data-testid="dataset-progress">
      <progress max={1} value={fraction ?? undefined} aria-label={`loading ${load.fileName}`} />
      <div className="archive-progress-row">
        <span className="hint">
          {text}
          {eta !== null ? `, about ${formatDuration(eta)} left` : ''}
        </span>
        <button type="button" className="small" data-testid="dataset-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
