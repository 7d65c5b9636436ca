import { useState } from 'react';
import { useAppStore } from '../../store';
import { useExperiments } from '../hooks/useExperiments';
import { useTrainer } from '../hooks/useTrainer';

/**
 * Says that the charts show a saved experiment, and whether it was cut short by a reload or a
 * crash (of the page, or of the training worker just now); an interrupted run with a checkpoint
 * can be resumed from it. Also shows what happened to a live run (a lost GPU device and where it
 * resumed).
 */
export function StoredRunBanner() {
  const run = useAppStore((s) => s.run);
  const diverged = useAppStore((s) => s.diverged);
  const name = useAppStore((s) => s.experiments.list.find((m) => m.id === s.run.id)?.name ?? s.run.id);
  const datasetReady = useAppStore((s) => s.dataset.state === 'ready');
  const backendReady = useAppStore((s) => s.backend.state === 'ready');
  const experiments = useExperiments();
  const trainer = useTrainer();
  const [error, setError] = useState<string | null>(null);
  if (!run.stored && (run.notice || diverged.length > 0)) {
    return (
      <>
        {run.notice && (
          <p className="banner" role="status" data-testid="run-notice">
            {run.notice}
          </p>
        )}
        {diverged.length > 0 && (
          <p className="banner error-text" role="status" data-testid="diverged-note">
            {diverged.map((d) => `${d.arm} (seed ${d.seed}) diverged at step ${d.step}: ${d.reason}.`).join(' ')}
            {run.status === 'running' || run.status === 'paused' ? ' The other arms go on.' : ''}
          </p>
        )}
      </>
    );
  }
  if (!run.stored || !run.id) return null;
  const id = run.id;
  const resume = async () => {
    const saved = await experiments.resumable(id);
    if (!saved) {
      setError('This run has no checkpoint (one is saved at every evaluation): it cannot be resumed.');
      return;
    }
    trainer.resumeRun(id, saved.config, saved.checkpoint, saved.records);
  };
  return (
    <p className="banner" data-testid="stored-run" data-interrupted={run.stored.interrupted} data-crashed={run.stored.crashed === true}>
      {run.stored.crashed
        ? `“${name}” stopped at step ${run.step} of ${run.totalSteps}: its training worker crashed, and ${backendReady && datasetReady ? 'a new one is ready' : 'a new one is starting'}. Everything it recorded is kept. `
        : run.stored.interrupted
          ? `Showing “${name}”, interrupted at step ${run.step} of ${run.totalSteps} (the page was closed or reloaded mid-run). Everything it recorded is kept. `
          : `Showing the saved experiment “${name}” (step ${run.step} of ${run.totalSteps}${run.stopped ? ', stopped early' : ''}). `}
      {run.stored.resumable && (
        <button type="button" className="small" data-testid="resume-checkpoint" disabled={!datasetReady || !backendReady} onClick={() => void resume().catch((e: unknown) => setError(String(e)))}>
          Resume from the last checkpoint
        </button>
      )}{' '}
      Start trains a new run with the settings on the left.
      {error && <span className="error-text"> {error}</span>}
    </p>
  );
}
