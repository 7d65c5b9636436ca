import { useEffect, useRef, useState } from 'react';

/**
 * `value`, passed on at most once per `ms`: the latest value always arrives, at most `ms`
 * after it changed. Keeps chart redraws at 10 per second however fast records come.
 */
export function useThrottledValue<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, lastShown.current + ms - performance.now());
    const timer = setTimeout(() => {
      lastShown.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
