import { Rng } from './rng';

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
