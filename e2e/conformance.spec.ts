import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { regressions, type ConformanceBaseline, type KernelResult } from '../src/engine/backends/conformance';
import { openHarness } from './conformance/open';

/**
 * The browser half of the backend conformance suite (docs/conformance.md): every kernel the
 * lab's models use, on webgpu, webgl and wasm in Chromium, against Chromium's cpu backend. It
 * fails when a kernel the committed baseline lists as passing on a backend no longer does, or
 * when the models use a kernel the baseline does not know. CONFORMANCE_OUT=<file> also writes
 * the results there (src/bench/conformance.ts builds the docs table from them).
 */

const BASELINE = 'src/engine/backends/conformance-baseline.json';
const BACKENDS = ['webgpu', 'webgl', 'wasm'] as const;

test('every kernel the models use agrees with cpu on webgpu, webgl and wasm as the baseline says', async ({ page }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const out = await page.evaluate((backends) => globalThis.conformance.run(backends), [...BACKENDS]);
  expect(out.unavailable).toEqual({});
  const results: KernelResult[] = out.results.map((r) => ({ ...r, backend: `chromium ${r.backend}` }));
  // JSON has no Infinity (a failing kernel's error): it travels as the string 'Infinity'.
  if (process.env.CONFORMANCE_OUT) writeFileSync(process.env.CONFORMANCE_OUT, JSON.stringify({ ...out, results }, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v)));
  console.log(`conformance: ${out.cases} cases of ${out.kernels} kernels; ms ${JSON.stringify(out.ms)}`);
  const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as ConformanceBaseline;
  expect(out.kernels).toBeGreaterThan(40);
  expect(BACKENDS.flatMap((b) => regressions(results, baseline, `chromium ${b}`))).toEqual([]);
});

test('webgpu AddN: the lab kernel sums more tensors than one shader may bind', async ({ page }) => {
  await openHarness(page);
  const n = 12;
  const { limit, corrected } = await page.evaluate((n) => globalThis.conformance.addNRepro(n, 5), n);
  // The package's kernel binds n + 1 storage buffers: more than the device allows.
  expect(n + 1).toBeGreaterThan(limit);
  expect(corrected).toEqual(Array(5).fill((n * (n + 1)) / 2));
});

test('webgpu ResizeBilinearGrad from a 1-pixel side: the package kernel gives zeros, the lab kernel matches cpu', async ({ page }) => {
  await openHarness(page);
  const { cpu, original, corrected } = await page.evaluate(() => globalThis.conformance.resizeGradRepro(3));
  expect(cpu).toHaveLength(3);
  expect(cpu.every((v) => v > 0)).toBe(true);
  expect(original).toEqual([0, 0, 0]);
  corrected.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 4));
});
