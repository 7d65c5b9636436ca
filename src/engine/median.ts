/**
 * The median of `xs` (the mean of the two middle values for an even count; NaN for none).
 * Here in the engine, the lowest layer, so every layer may use it: the landscape may not
 * import src/stats (eslint.config.js, layerRules).
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}
