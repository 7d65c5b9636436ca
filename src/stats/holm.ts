/**
 * Holm's step-down correction (Holm 1979): controls the chance of any false positive among m
 * tests at the level used, under any dependence between them. The i-th smallest p-value (from 1)
 * is multiplied by m - i + 1, made non-decreasing in that order and capped at 1.
 */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
