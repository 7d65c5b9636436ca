import { hashString, Rng } from './rng';

/**
 * The training-sample order shared by every task: a fresh seeded permutation per epoch
 * (Rng.stream(seed, 'data', epoch)), cut into full batches. A ragged last batch is dropped,
 * since a new batch shape would recompile GPU kernels.
 */
export class EpochSampler {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  private readonly cache = new Map<string, Int32Array>();

  constructor(
    readonly numTrain: number,
    batchSize: number,
  ) {
    if (numTrain === 0) throw new Error('the training split is empty');
    this.batchSize = Math.min(batchSize, numTrain);
    this.stepsPerEpoch = Math.floor(numTrain / this.batchSize);
  }

  /** The sample order of one epoch for one seed. */
  epochOrder(seed: number, epoch: number): Int32Array {
    const key = `${seed}:${epoch}`;
    let perm = this.cache.get(key);
    if (!perm) {
      perm = Rng.stream(seed, 'data', epoch).permutation(this.numTrain);
      if (this.cache.size > 16) this.cache.clear();
      this.cache.set(key, perm);
    }
    return perm;
  }

  /** The sample indices of step `t` (0-based) for `seed`. */
  batchIndices(seed: number, t: number): Int32Array {
    const epoch = Math.floor(t / this.stepsPerEpoch);
    const start = (t % this.stepsPerEpoch) * this.batchSize;
    return this.epochOrder(seed, epoch).subarray(start, start + this.batchSize);
  }
}

/** The stream of the evaluation subset: fixed, the same for every seed and arm of every run. */
const EVAL_SUBSET_KEY = hashString('eval-subset');

/**
 * A fixed subset of `count` of the `n` test samples, ascending, for live evaluation: the same
 * for every arm and seed. With `labels` it is stratified: each class keeps its share of the
 * split (largest remainders decide the rounding), drawn at random within the class. `count`
 * >= n (or 0) gives every sample.
 */
export function evalSubset(n: number, count: number, labels?: Int32Array): Int32Array {
  if (count <= 0 || count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(EVAL_SUBSET_KEY);
  if (!labels) return rng.permutation(n).subarray(0, count).sort();
  const byClass = new Map<number, number[]>();
  labels.forEach((k, i) => {
    const members = byClass.get(k);
    if (members) members.push(i);
    else byClass.set(k, [i]);
  });
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quota = classes.map((k) => ((byClass.get(k) as number[]).length * count) / n);
  const take = quota.map(Math.floor);
  let left = count - take.reduce((s, q) => s + q, 0);
  const byRemainder = classes.map((_, j) => j).sort((a, b) => quota[b] - take[b] - (quota[a] - take[a]) || a - b);
  for (const j of byRemainder) {
    if (left === 0) break;
    take[j]++;
    left--;
  }
  const picked: number[] = [];
  classes.forEach((k, j) => {
    const members = byClass.get(k) as number[];
    const order = rng.permutation(members.length);
    for (let q = 0; q < take[j]; q++) picked.push(members[order[q]]);
  });
  return Int32Array.from(picked).sort();
}
