/**
 * Checks that the lab's epoch orders (Rng.stream(seed, 'data', epoch).permutation) look uniform over
 * 4,000 orders of 5,000 samples: mean position by index decile, membership of the last three batches
 * by index decile, and how often sample i comes before sample i + 1.
 *
 * usage: npx tsx research/parity/check_orders.ts
 */
import { Rng } from '../../src/engine/rng';

const n = 5000, reps = 4000;
const posSum = new Float64Array(n);
const lastDecile = new Float64Array(10);
let before = 0;
for (let r = 0; r < reps; r++) {
  const seed = 1 + (r % 400);
  const perm = Rng.stream(seed, 'data', Math.floor(r / 400)).permutation(n);
  const pos = new Int32Array(n);
  perm.forEach((v, p) => (pos[v] = p));
  for (let i = 0; i < n; i++) posSum[i] += pos[i];
  for (let p = n - 64 * 3; p < n; p++) lastDecile[Math.floor(perm[p] / 500)]++;
  for (let i = 0; i < n - 1; i++) if (pos[i] < pos[i + 1]) before++;
}
const meanPos = Array.from(posSum, (s) => s / reps);
const deciles = Array.from({ length: 10 }, (_, d) => meanPos.slice(d * 500, d * 500 + 500).reduce((a, b) => a + b, 0) / 500);
console.log('mean position by index decile (exp 2499.5, sd of decile mean ~%s)', (1443 / Math.sqrt(reps * 500)).toFixed(1), deciles.map((x) => x.toFixed(1)).join(' '));
console.log('last 3 batches membership by decile (exp %s each)', ((reps * 192) / 10).toFixed(0), Array.from(lastDecile).join(' '));
console.log('P(pos(i) < pos(i+1)) = %s (exp 0.5, sd %s)', (before / (reps * (n - 1))).toFixed(5), (0.5 / Math.sqrt(reps * (n - 1))).toFixed(5));
