import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * `value`, passed on at most once per `ms`, in time slots offset by `phaseMs`: the latest value
 * always arrives, at most `ms + phaseMs` after it changed. Each update renders synchronously in
 * its own timer task, so charts given different phases never redraw together in one long task.
 */
export function useThrottledValue<T>(value: T, ms: number, phaseMs = 0): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(-Infinity);
  useEffect(() => {
    const now = performance.now();
    const earliest = Math.max(now, lastShown.current + ms);
    const slot = Math.ceil((earliest - phaseMs) / ms) * ms + phaseMs;
    const timer = setTimeout(() => {
      lastShown.current = performance.now();
      flushSync(() => setShown(value));
    }, slot - now);
    return () => clearTimeout(timer);
  }, [value, ms, phaseMs]);
  return shown;
}
