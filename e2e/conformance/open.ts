import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import type { HarnessRun } from './harness';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

declare global {
  var conformance: {
    run(backends: readonly string[]): Promise<HarnessRun>;
    addNRepro(n: number, size: number): Promise<{ limit: number; corrected: number[] }>;
    preflight(model: string, backend: string): Promise<number>;
    resizeGradRepro(w: number): Promise<{ cpu: number[]; original: number[]; corrected: number[] }>;
  };
}

/**
 * Bundles e2e/conformance/harness.ts and serves it, with the wasm binaries, from the test
 * server's origin (a secure context, so WebGPU is there); nothing is fetched from elsewhere.
 */
export async function openHarness(page: Page): Promise<void> {
  const bundle = await build({ entryPoints: ['e2e/conformance/harness.ts'], bundle: true, format: 'esm', write: false, target: 'es2022', logLevel: 'error' });
  const js = bundle.outputFiles[0].text;
  await page.route('**/conformance/harness.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><title>conformance</title><script type="module" src="harness.js"></script></html>' }));
  await page.route('**/conformance/harness.js', (r) => r.fulfill({ contentType: 'text/javascript', body: js }));
  await page.route('**/conformance/wasm/*.wasm', (r) => r.fulfill({ contentType: 'application/wasm', body: readFileSync(path.join(wasmDir, path.basename(new URL(r.request().url()).pathname))) }));
  await page.goto('/conformance/harness.html');
  await page.waitForFunction(() => 'conformance' in globalThis);
}
