import { useEffect, useState } from 'react';

/** How long drawing a whole path takes, by its number of steps. */
export function animationMs(steps: number): number {
  return Math.max(700, Math.min(2500, steps * 12));
}

/**
 * The step to draw up to, advancing with requestAnimationFrame from 0 to `steps` whenever `run`
 * changes (a new result or a replay). Returns `steps` at once when there is nothing to animate.
 */
export function useStepAnimation(steps: number, run: number): { drawn: number; playing: boolean } {
  const [state, setState] = useState({ run: -1, drawn: 0 });
  useEffect(() => {
    if (steps <= 0) return;
    const duration = animationMs(steps);
    let frame = 0;
    let t0: number | null = null;
    const tick = (now: number) => {
      t0 ??= now;
      const drawn = Math.min(steps, Math.floor((steps * (now - t0)) / duration));
      setState((s) => (s.run === run && s.drawn === drawn ? s : { run, drawn }));
      if (drawn < steps) frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [steps, run]);
  const drawn = state.run === run ? state.drawn : 0;
  return { drawn, playing: steps > 0 && drawn < steps };
}
