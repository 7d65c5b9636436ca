import { useEffect, useRef, useState } from 'react';

/**
 * `value`, passed on at most once per `ms`, in time slots offset by `phaseMs`: the latest value
 * always arrives, at most `ms + phaseMs` after it changed. Charts given different phases redraw
 * in separate tasks, so no single task draws them all (the main thread stays under 50 ms).
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
      setShown(value);
    }, slot - now);
    return () => clearTimeout(timer);
  }, [value, ms, phaseMs]);
  return shown;
}
