import { useAppStore } from '../../store';

/** Says that the charts show a saved experiment, and whether it was cut short by a reload or a crash. */
export function StoredRunBanner() {
  const run = useAppStore((s) => s.run);
  const name = useAppStore((s) => s.experiments.list.find((m) => m.id === s.run.id)?.name ?? s.run.id);
  if (!run.stored) return null;
  return (
    <p className="banner" data-testid="stored-run" data-interrupted={run.stored.interrupted}>
      {run.stored.interrupted
        ? `Showing “${name}”, interrupted at step ${run.step} of ${run.totalSteps} (the page was closed or reloaded mid-run). Everything it recorded is kept. `
        : `Showing the saved experiment “${name}” (step ${run.step} of ${run.totalSteps}). `}
      Press Start to train a new run with the settings on the left.
    </p>
  );
}
