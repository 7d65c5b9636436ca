import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convnetjsDemo, startPytorch } from './benchPeers';

/** The bench's peers: each really trains (its loss falls on a fixed batch), and a missing Python is named. */
describe('bench peers', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ConvNetJS 0.3.0 trains its CIFAR-10 demo network one image at a time', () => {
    const demo = convnetjsDemo(16);
    expect(demo.version).toBe('0.3.0');
    expect(JSON.parse(demo.trainer)).toEqual({ method: 'adadelta', batch_size: 4, l2_decay: 0.0001 });
    // The same 8 images over and over: the mean loss of the last pass is below the first's.
    const pass = () => Array.from({ length: 8 }, (_, i) => demo.trainSample(i)).reduce((a, b) => a + b) / 8;
    const first = pass();
    for (let k = 0; k < 6; k++) pass();
    expect(Number.isFinite(first)).toBe(true);
    expect(pass()).toBeLessThan(first);
  });

  it('PyTorch trains the exported cnn one step per request, with the thread count asked for, timing each step itself', async () => {
    const py = await startPytorch({ batch: 8, size: 16, lr: 0.1, momentum: 0.5 }, dir);
    try {
      expect(py.info.torch).toMatch(/^\d+\.\d+/);
      const first = await py.step(1);
      let last = first;
      for (let k = 0; k < 15; k++) last = await py.step(k % 2 ? 1 : 2);
      expect(first.wall).toBeGreaterThan(0);
      expect(first.cpu).toBeGreaterThan(0);
      expect(last.loss).toBeLessThan(first.loss);
    } finally {
      py.close();
    }
  }, 60_000);

  it('names the Python it could not start', async () => {
    await expect(startPytorch({ batch: 8, size: 16, lr: 0.1, momentum: 0.5, python: path.join(dir, 'no-such-python') }, dir)).rejects.toThrow(/cannot start .*no-such-python/);
  });
});
