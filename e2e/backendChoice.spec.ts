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
  expect(Object.keys(measured).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
  expect(backend).toBe(fastest(measured));
  const title = (await lab.backendBadge.getAttribute('title')) ?? '';
  for (const [name, ips] of Object.entries(measured)) {
    if (ips === null) expect(title).toMatch(new RegExp(`^${name}: passed over \\(.+\\)$`, 'm'));
    else expect(title).toMatch(new RegExp(`^${name}: ${ips.toFixed(ips < 10 ? 1 : 0)} img/s measured`, 'm'));
  }
  test.info().annotations.push({ type: 'backend choice', description: `${backend}; ${JSON.stringify(measured)}` });

  // It trains there.
  await lab.click('start');
  await lab.waitForStep(3);
  await expect(page.getByTestId('device-bytes')).toContainText(`on ${backend}`);
  await lab.click('stop');
  await lab.expectState('done');

  // The next visit finds the choice remembered: nothing is timed again.
  await page.reload();
  expect(await lab.waitForBackend()).toBe(backend);
  await expect(lab.backendBadge).toHaveAttribute('data-choice', 'remembered');
  expect(await measurements(lab)).toEqual(measured);
});

test('?backend= forces a backend: nothing is measured', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=cpu');
  expect(await lab.waitForBackend()).toBe('cpu');
  await expect(lab.backendBadge).toHaveAttribute('data-choice', '');
  await expect(lab.backendBadge).toHaveAttribute('title', /forced with \?backend=cpu/);
});
