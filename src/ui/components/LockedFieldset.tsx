import type { ReactNode } from 'react';
import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';

/**
 * A fieldset disabled while a run is going. It alone subscribes to the run state, so starting
 * or ending a run re-renders this wrapper, not the many fields inside it.
 */
export function LockedFieldset({ className, children }: { className?: string; children: ReactNode }) {
  const locked = useAppStore((s) => isRunActive(s.run.status));
  return (
    <fieldset disabled={locked} className={className}>
      {children}
    </fieldset>
  );
}
