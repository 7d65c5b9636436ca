import { expect, test } from '@playwright/test';
import { LabPage } from './labPage';

/**
 * The measured backend choice (docs/backends.md): with no ?backend=, the backends that pass the
 * preflight are timed on the config's workload and the fastest trains; the badge's tooltip lists
 * each one's figure or why it was passed over. Assertions read the figures the page shows (its
 * data attributes), never a speed this machine happens to have.
 */

type Measured = Record<string, number | null>;

async function measurements(lab: LabPage): Promise<Measured> {
  return JSON.parse((await lab.backendBadge.getAttribute('data-measurements')) ?? '{}') as Measured;
}

/** A regular expression matching `text` literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name the badge gives the candidate in use: `wasm (2 threads)` where wasm's thread count was a candidate, else the backend. */
async function chosenName(lab: LabPage, measured: Measured): Promise<string> {
  const backend = (await lab.backendBadge.getAttribute('data-backend')) ?? '';
  const threads = Number(await lab.backendBadge.getAttribute('data-threads'));
  return backend === 'wasm' && !('wasm' in measured) ? `wasm (${threads} thread${threads === 1 ? '' : 's'})` : backend;
}

function fastest(m: Measured): string {
  const timed = Object.entries(m).filter((e): e is [string, number] => e[1] !== null);
  expect(timed.length).toBeGreaterThan(0);
  return timed.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

test('with no parameters the lab trains on the backend measured fastest, and the badge lists every figure', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10');
  const backend = await lab.waitForBackend();
  await expect(lab.backendBadge).toHaveAttribute('data-choice', 'measured');
  const measured = await measurements(lab);
  // The page is cross-origin isolated: wasm is a candidate with one thread and with more.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const wasmNames = Object.keys(measured).filter((k) => k.startsWith('wasm'));
  expect(Object.keys(measured).filter((k) => !k.startsWith('wasm')).sort()).toEqual(['cpu', 'webgl', 'webgpu']);
  expect(wasmNames).toHaveLength(2);
  expect(wasmNames[0]).toBe('wasm (1 thread)');
  expect(wasmNames[1]).toMatch(/^wasm \([2-8] threads\)$/);
  expect(await chosenName(lab, measured)).toBe(fastest(measured));
  const title = (await lab.backendBadge.getAttribute('title')) ?? '';
  for (const [name, ips] of Object.entries(measured)) {
    if (ips === null) expect(title).toMatch(new RegExp(`^${literal(name)}: passed over \\(.+\\)$`, 'm'));
    else expect(title).toMatch(new RegExp(`^${literal(name)}: ${ips.toFixed(ips < 10 ? 1 : 0)} img/s measured`, 'm'));
  }
  if (backend === 'wasm') expect(title).toContain(`wasm threads in use: ${await lab.backendBadge.getAttribute('data-threads')}`);
  test.info().annotations.push({ type: 'backend choice', description: `${backend}; ${JSON.stringify(measured)}` });

  // It trains there.
  await lab.click('start');
  await lab.waitForStep(3);
  await expect(page.getByTestId('device-bytes')).toContainText(`on ${backend}`);
  await lab.click('stop');
  await lab.expectState('done');

  // The next visit finds the choice remembered: nothing is timed again.
  const threads = await lab.backendBadge.getAttribute('data-threads');
  await page.reload();
  expect(await lab.waitForBackend()).toBe(backend);
  await expect(lab.backendBadge).toHaveAttribute('data-choice', 'remembered');
  await expect(lab.backendBadge).toHaveAttribute('data-threads', threads ?? '');
  expect(await measurements(lab)).toEqual(measured);
});

test('?backend=wasm&threads=2 trains on wasm with two threads, and ?backend=wasm with one', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm&threads=2');
  expect(await lab.waitForBackend()).toBe('wasm');
  // The count the worker's wasm backend reports (getThreadsCount), not the one asked for.
  await expect(lab.backendBadge).toHaveAttribute('data-threads', '2');
  await expect(lab.backendBadge).toHaveAttribute('title', /forced with \?backend=wasm&threads=2\nwasm threads in use: 2/);
  await expect(lab.backendBadge).toContainText('wasm (2 threads)');
  // The SIMD gradient kernels start on the threaded build's shared heap too.
  await expect(lab.backendBadge).toHaveAttribute('data-simd-kernels', 'true');
  await lab.click('start');
  await lab.waitForStep(3);
  await lab.click('stop');
  await lab.expectState('done');

  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await expect(lab.backendBadge).toHaveAttribute('data-threads', '1');
  await expect(lab.backendBadge).toHaveAttribute('data-simd-kernels', 'true');
});

test('?backend= forces a backend: nothing is measured', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=cpu');
  expect(await lab.waitForBackend()).toBe('cpu');
  await expect(lab.backendBadge).toHaveAttribute('data-choice', '');
  await expect(lab.backendBadge).toHaveAttribute('title', /forced with \?backend=cpu/);
});
