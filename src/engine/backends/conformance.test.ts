import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { recordModelCases } from '../../worker/preflight';
import { compareOutcomes, regressions, relativeError, runCase, runConformance, type ConformanceBaseline, type KernelCase, type KernelResult } from './conformance';

/*
 * The Node half of the backend conformance suite (docs/conformance.md; the browser half is
 * e2e/conformance.spec.ts): the committed kernel calls are those the models make today, and
 * every kernel the baseline lists as passing on wasm still agrees with cpu.
 */
const CASES = JSON.parse(readFileSync('src/engine/backends/conformance-cases.json', 'utf8')) as KernelCase[];
const BASELINE = JSON.parse(readFileSync('src/engine/backends/conformance-baseline.json', 'utf8')) as ConformanceBaseline;

beforeAll(async () => {
  await useWasm();
  await useCpu();
});
afterAll(useCpu);

describe('backend conformance', () => {
  it('the committed kernel calls are the ones the models make (regenerate with src/bench/conformance.ts)', async () => {
    const before = tf.memory().numTensors;
    const fresh = await recordModelCases();
    expect(tf.memory().numTensors).toBe(before);
    expect(fresh.map((c) => `${c.kernel} ${JSON.stringify(c.inputs.map((i) => i.shape))}`)).toEqual(CASES.map((c) => `${c.kernel} ${JSON.stringify(c.inputs.map((i) => i.shape))}`));
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(CASES);
    // What the models are built from: convolutions, their gradients, resize and batch norm.
    expect(fresh.map((c) => c.kernel)).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'ResizeBilinearGrad', 'FusedBatchNorm', 'AddN', 'Concat']));
  }, 600_000);

  it('no kernel that passed on wasm in Node regresses', async () => {
    const results = (await runConformance(CASES, ['wasm'])).map((r) => ({ ...r, backend: 'node wasm' }));
    expect(regressions(results, BASELINE, 'node wasm')).toEqual([]);
    expect(results.length).toBe(new Set(CASES.map((c) => c.kernel)).size);
  });

  it('a replayed call is repeatable, and a wrong or missing kernel shows as an error', async () => {
    const conv = CASES.find((c) => c.kernel === 'Conv2D' && c.differentiated)!;
    const a = await runCase(conv, 5);
    const b = await runCase(conv, 5);
    expect(compareOutcomes(a, b)).toEqual([0, 0]);
    const other = await runCase(conv, 6);
    expect(compareOutcomes(a, other)[0]).toBeGreaterThan(0.1);
    const missing = await runCase({ ...conv, kernel: 'NoSuchKernel' }, 5);
    expect(missing.error).toMatch(/NoSuchKernel/);
    expect(compareOutcomes(a, missing)).toEqual([Infinity, Infinity]);
  });

  it('relative error and regressions', () => {
    expect(relativeError([1, -2, 4], [1, -2, 4.004])).toBeCloseTo(1e-3, 9);
    expect(relativeError([0, 0], [0, 1e-9])).toBeCloseTo(1e-9, 15);
    expect(relativeError([1, NaN], [1, NaN])).toBe(0);
    expect(relativeError([1, 2], [1, NaN])).toBe(Infinity);
    const r = (kernel: string, forward: number): KernelResult => ({ kernel, backend: 'x', cases: 1, forward, gradient: null });
    const base: ConformanceBaseline = { x: { A: 'pass', B: 'fail', C: 'pass' } };
    expect(regressions([r('A', 1e-7), r('B', 1), r('C', 1e-7)], base, 'x')).toEqual([]);
    expect(regressions([r('A', 0.5), r('B', 1), r('D', 0)], base, 'x')).toEqual([
      'A on x: regressed (forward 5.0e-1, gradient -)',
      'D on x: new kernel, not in the baseline (regenerate it)',
      'C on x: in the baseline but no model uses it now (regenerate it)',
    ]);
  });
});
