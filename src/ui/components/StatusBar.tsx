import { useAppStore } from '../../store';
import { candidateName, type BackendMeasurement, type BackendReport } from '../../store/types';

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** One line per backend for the badge's tooltip: its measured speed, or why it was passed over. */
function describeMeasurement(m: BackendMeasurement): string {
  if (m.imagesPerSec !== null) return `${candidateName(m)}: ${m.imagesPerSec.toFixed(m.imagesPerSec < 10 ? 1 : 0)} img/s measured${m.warmupMs !== undefined ? ` (warm-up ${(m.warmupMs / 1000).toFixed(1)} s)` : ''}`;
  return `${candidateName(m)}: passed over (${m.reason ?? 'not measured'})`;
}

/** The badge's hover text: the adapter and why other backends were passed over. */
function describeBackend(r: BackendReport): string {
  const lines: string[] = [];
  if (r.adapter) {
    const a = r.adapter;
    lines.push(`WebGPU adapter: ${a.vendor || 'unknown vendor'} / ${a.architecture || 'unknown architecture'}${a.device ? ` / ${a.device}` : ''}`);
    if (a.description) lines.push(a.description);
    lines.push(a.isFallbackAdapter ? 'fallback (software) adapter: runs on the CPU' : 'hardware adapter');
  }
  if (r.forced) lines.push(`forced with ?backend=${r.forced}${r.forcedThreads !== undefined ? `&threads=${r.forcedThreads}` : ''}`);
  if (r.threads !== undefined) lines.push(`wasm threads in use: ${r.threads}`);
  if (r.simdKernels !== undefined) lines.push(r.simdKernels ? 'conv gradients: the lab\'s SIMD kernels' : 'conv gradients: XNNPACK only (the lab\'s SIMD kernels could not start)');
  if (r.choice) {
    const when = r.choice.how === 'remembered' ? `remembered from ${r.choice.measuredAt.slice(0, 16).replace('T', ' ')} UTC` : 'measured now';
    lines.push(`chosen as the fastest for ${r.choice.key.split('|').slice(1).join(', ')} (${when}):`);
    for (const m of r.choice.measurements) lines.push(describeMeasurement(m));
  }
  for (const t of r.attempts) lines.push(t.ok ? `${candidateName(t)}: passed the preflight` : `${candidateName(t)}: ${t.reason}`);
  lines.push(`largest difference from cpu: ${r.maxRelativeError.toExponential(1)}`);
  return lines.join('\n');
}

const STATE_LABELS = { idle: 'idle', running: 'running', paused: 'paused', done: 'done', error: 'error' } as const;

/** Run state, step, epoch, speed, time left and the backend badge. */
export function StatusBar() {
  const run = useAppStore((s) => s.run);
  const backend = useAppStore((s) => s.backend);
  const stepsPerSec = run.elapsedMs > 0 ? run.step / (run.elapsedMs / 1000) : 0;
  const eta = stepsPerSec > 0 ? (run.totalSteps - run.step) / stepsPerSec : NaN;
  const label = run.status === 'done' && run.stopped ? 'stopped' : STATE_LABELS[run.status];
  const report = backend.report;
  const fallbackWarning = report?.forced && report.forced !== report.backend ? ` (${report.forced} failed)` : '';
  return (
    <div className="status-bar">
      <div className="run-status" data-testid="run-status" data-state={run.status} data-step={run.step} aria-live="polite">
        <span className={`state-pill state-${run.status}`}>{label}</span>
        <span>
          step <b>{run.step}</b>
          {run.totalSteps > 0 && ` / ${run.totalSteps}`}
        </span>
        <span>epoch {run.epoch.toFixed(2)}</span>
        <span>{run.imagesPerSec > 0 ? `${run.imagesPerSec.toFixed(1)} img/s` : '– img/s'}</span>
        {run.deviceBytes > 0 && (
          <span data-testid="device-bytes" data-bytes={run.deviceBytes} title="Memory the training backend holds in tensors: the dataset, every arm's weights and optimizer state, batches in flight">
            {(run.deviceBytes / 2 ** 20).toFixed(0)} MiB on {backend.report?.backend ?? 'device'}
          </span>
        )}
        <span>{run.status === 'running' ? `ETA ${formatDuration(eta)}` : run.elapsedMs > 0 ? `took ${formatDuration(run.elapsedMs / 1000)}` : ''}</span>
      </div>
      <span
        className={`backend-badge backend-${backend.state}`}
        data-testid="backend-badge"
        data-backend={report?.backend ?? ''}
        data-state={backend.state}
        data-choice={report?.choice?.how ?? ''}
        data-threads={report?.threads ?? ''}
        data-simd-kernels={report?.simdKernels === undefined ? '' : String(report.simdKernels)}
        data-measurements={report?.choice ? JSON.stringify(Object.fromEntries(report.choice.measurements.map((m) => [candidateName(m), m.imagesPerSec]))) : ''}
        title={report ? describeBackend(report) : (backend.error ?? 'Checking which backend can train here…')}
      >
        {backend.state === 'pending' && (backend.progress ?? 'checking backend…')}
        {backend.state === 'error' && 'no backend'}
        {report && `${report.backend}${report.adapter?.isFallbackAdapter && report.backend === 'webgpu' ? ' (software)' : ''}${report.threads !== undefined && report.threads > 1 ? ` (${report.threads} threads)` : ''}${fallbackWarning}`}
      </span>
    </div>
  );
}
