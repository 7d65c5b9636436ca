/** Seeded train/test splits for archives that come without split folders. */

import { Rng } from '../engine/rng';

export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

function sorted(xs: number[]): Int32Array {
  return Int32Array.from(xs).sort();
}

/**
 * Splits each class on its own (stratified): round(n x testFraction) of its items go to test,
 * at least one when the class has two or more. Indices stay in ascending order.
 */
export function splitStratified(labels: ArrayLike<number>, numClasses: number, seed: number, testFraction = 0.2): SplitIndices {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((members, k) => {
    const perm = Rng.stream(seed, 'split', k).permutation(members.length);
    let nTest = Math.round(members.length * testFraction);
    if (members.length >= 2) nTest = Math.min(Math.max(nTest, 1), members.length - 1);
    perm.forEach((p, j) => (j < nTest ? test : train).push(members[p]));
  });
  return { train: sorted(train), test: sorted(test) };
}

/** Splits n unlabelled items (segmentation, pairs): round(n x testFraction) to test, at least one when n >= 2. */
export function splitRandom(n: number, seed: number, testFraction = 0.2): SplitIndices {
  return splitStratified(new Int32Array(n), 1, seed, testFraction);
}
