import { useAppStore } from '../../store';
import { isSweepActive } from '../../store/sweepSlice';
import { useTrainer } from '../hooks/useTrainer';

/** Start, pause, resume and stop. */
export function RunControls() {
  const status = useAppStore((s) => s.run.status);
  const backendReady = useAppStore((s) => s.backend.state === 'ready');
  const sweeping = useAppStore((s) => isSweepActive(s.sweep));
  const trainer = useTrainer();
  const active = status === 'running' || status === 'paused';
  return (
    <div className="run-controls" role="group" aria-label="run control">
      <button
        type="button"
        className="primary"
        data-testid="start"
        disabled={active || !backendReady || sweeping}
        title={sweeping ? 'A sweep is running (Sweeps view)' : backendReady ? 'Train every arm on the same batches' : 'Waiting for the backend check to finish'}
        onClick={trainer.start}
      >
        ▶ Start
      </button>
      <button type="button" data-testid="pause" disabled={status !== 'running'} onClick={trainer.pause}>
        ❚❚ Pause
      </button>
      <button type="button" data-testid="resume" disabled={status !== 'paused'} onClick={trainer.resume}>
        ▶ Resume
      </button>
      <button type="button" data-testid="stop" disabled={!active} onClick={trainer.stop}>
        ■ Stop
      </button>
    </div>
  );
}
