import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { isSweepActive } from '../../store/sweepSlice';
import { useTrainer } from '../hooks/useTrainer';
import { SweepPanel } from './SweepPanel';

/**
 * The sweeps view: every cell runs as the lab's run (its curves live in the Lab view and each is
 * saved as an experiment), one after another.
 */
export function SweepView() {
  const trainer = useTrainer();
  const labBusy = useAppStore((s) => isRunActive(s.run.status) && !isSweepActive(s.sweep));
  const backendReady = useAppStore((s) => s.backend.state === 'ready');
  const busyReason = labBusy ? 'The lab is training: stop its run to start a sweep.' : backendReady ? null : 'The backend is still starting.';
  return <SweepPanel runOne={trainer.runConfig} busyReason={busyReason} />;
}
