import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildBenchResult, buildBrowserData, buildStepProfile } from './benchResult.fixture';
import { renderBenchmarks } from './benchReport';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('renderBenchmarks', () => {
  it('puts the peers measured in the run in the report, with their versions and thread counts', () => {
    const md = renderBenchmarks(buildBenchResult());
    expect(md).toContain('**vsPytorchCpu**: 0.213 with one thread each');
    expect(md).toContain('0.171 each side at its best (wall clock: the lab with 1 thread, PyTorch with 2)');
    expect(md).toContain('| PyTorch 1.13.0a0 (Python 3.11.2) | 1 | 2873.4 |');
    expect(md).toContain('| PyTorch 1.13.0a0 | 2 | 3581.2 |');
    expect(md).toContain('**vsConvnetjs**: 17.6 (goal >= 10: met)');
    expect(md).toContain('ConvNetJS 0.3.0');
    expect(md).toContain('| 25.6 |');
    // No peer figure that the run did not measure.
    expect(md).not.toMatch(/\b52\b/);
    // Every document or file the report cites is in the repository.
    const cited = [...md.matchAll(/[\w./-]+\.(?:md|ts|py|json)\b/g)].map((m) => m[0]).filter((f) => f.includes('/') || f.endsWith('.md'));
    expect(cited.length).toBeGreaterThan(0);
    for (const file of cited) expect(existsSync(path.join(ROOT, file)) || existsSync(path.join(ROOT, 'docs', file)), file).toBe(true);
  });

  it('puts wasm one thread against two from the run in the report, or why they were not measured', () => {
    const r = buildBenchResult();
    r.wasmThreads = {
      rounds: 6,
      steps: 10,
      cores: 2,
      cases: [
        { model: 'cnn', inputSize: 32, batch: 64, imagesPerSec: { one: 301.4, two: 412.9 }, twoOverOne: 1.37 },
        { model: 'cnn', inputSize: 16, batch: 32, imagesPerSec: { one: 880.2, two: 655.1 }, twoOverOne: 0.74 },
      ],
    };
    const md = renderBenchmarks(r);
    expect(md).toContain('| `cnn` 32x32, batch 64 | 301.4 | 412.9 | 1.37 |');
    expect(md).toContain('| `cnn` 16x16, batch 32 | 880.2 | 655.1 | 0.74 |');
    expect(md).toContain('2 logical cores reported, so tfjs-backend-wasm\'s own\ncount would be 1');
    r.wasmThreads = 'the page is not cross-origin isolated (no SharedArrayBuffer)';
    expect(renderBenchmarks(r)).toContain('one thread against two was not measured in this run: the page is not cross-origin isolated');
  });

  it('says why a peer has no figure instead of inventing one', () => {
    const r = buildBenchResult();
    r.peers.pytorch = 'PyTorch peer failed: cannot start /usr/bin/python3: ENOENT';
    r.vsPytorchCpu = null;
    const md = renderBenchmarks(r);
    expect(md).toContain('PyTorch on the CPU: not measured in this run (PyTorch peer failed: cannot start /usr/bin/python3: ENOENT).');
    expect(md).not.toContain('2873.4');
  });

  it('lists the per-kernel profile, with the baseline beside it when one is given, and names its source', () => {
    const r = buildBenchResult();
    const alone = renderBenchmarks(r);
    expect(alone).toContain('| Conv2DBackpropInput | 2 | 186.5 | 43% | 0.302 | 0.25 |');
    expect(alone).toContain('No baseline JSON was given');
    const before = { file: 'docs/bench-full.json', date: '2026-11-27T00:00:00Z', profile: [buildStepProfile('cnn', 2)], flopEfficiency: 0.31 };
    const md = renderBenchmarks(r, before);
    expect(md).toContain('| Conv2DBackpropInput | 2 | 186.5 | 43% | 0.302 | 0.25 | 373.0 ms, 0.13 |');
    expect(md).toContain('from `docs/bench-full.json` (the run of 2026-11-27)');
    // resnet20 has no profile in that baseline: its table has no before column.
    expect(md).toMatch(/### resnet20, batch 16[^#]*\| kernel \| calls \| CPU ms per step \| share \| GFLOP \| of peak \|\n/);
    // A --profile-json baseline names what wrote it and on which machine.
    const profileOnly = renderBenchmarks(r, { ...before, file: 'docs/bench-profile-before.json', note: 'per-kernel profiles only', machine: '2 x EPYC, load 3.0 at the end' });
    expect(profileOnly).toContain('from `docs/bench-profile-before.json` (per-kernel profiles only; the run of 2026-11-27 on 2 x EPYC, load 3.0 at the end)');
    const noProfile = renderBenchmarks(r, { ...before, profile: null });
    expect(noProfile).toContain('has no per-kernel profile, so there is no "before" column; its flopEfficiency was 0.310');
  });

  it('says that a longest main-thread task of 0 ms means none over the 50 ms threshold', () => {
    const r = buildBenchResult();
    r.ui = { longestTaskMs: 0, longTasks: 0, trainingBackend: 'wasm', trainingSteps: 400, chartRedrawMs: 23, chartMountMs: 75, chartRows: 500, pointsPerSeries: 100000 };
    expect(renderBenchmarks(r)).toContain("none over the observer's 50 ms threshold");
    r.ui = { ...r.ui, longestTaskMs: 61.2, longTasks: 2 };
    const md = renderBenchmarks(r);
    expect(md).toContain('| 61.2 ms (goal <= 50; 2 tasks over 50 ms) |');
    expect(md).not.toContain("none over the observer's 50 ms threshold");
  });

  it('takes the engine-vs-bare difference from the run, not from prose', () => {
    const r = buildBenchResult();
    r.msPerStep = { ...r.msPerStep, bare: 80, plain: 84 };
    expect(renderBenchmarks(r)).toContain('a difference of 4.0 ms\n  (5.0% of the bare step)');
  });

  it('reports real-size CIFAR in the page from the run: load seconds per dataset, both speeds, their ratio and the backend peak, judged against the goals', () => {
    const r = buildBenchResult();
    r.browserData = buildBrowserData();
    const md = renderBenchmarks(r);
    expect(md).toContain('| CIFAR-100 binary tar.gz (60000 generated images, 155 MB), chosen in the lab\'s file input at 16 px | ready in 3.60 s (median of 3: 3.60, 3.50, 4.10; goal <= 8: met; aim <= 5: met) |');
    expect(md).toContain('ready in 3.30 s (median of 3: 4.00, 3.10, 3.30;');
    expect(md).toContain('| 710 images/s vs 910: ratio **0.78** (goal >= 0.6: met) |');
    expect(md).toContain('| 3.5 MiB (goal <= 300: met) |');
    expect(md).toContain('3 arms x 3 seeds in lock step, live evaluation on 2000 test images every 50 steps');
    expect(md).toContain('on CIFAR-10 "2,000 test images per point; the last point: all 10,000"');
    const slow = buildBrowserData();
    slow.training = { ...slow.training, ratio: 0.41, peakMiB: 707 };
    slow.loads[0] = { ...slow.loads[0], ms: [6200], medianMs: 6200 };
    slow.loads[1] = { ...slow.loads[1], ms: [21000], medianMs: 21000 };
    const bad = renderBenchmarks({ ...r, browserData: slow });
    expect(bad).toContain('ready in 21.00 s (goal <= 8: **not met**; aim <= 5: **not met**)');
    expect(bad).toContain('ready in 6.20 s (goal <= 8: met; aim <= 5: **not met**)');
    expect(bad).toContain('ratio **0.41** (goal >= 0.6: **not met**)');
    expect(bad).toContain('| 707.0 MiB (goal <= 300: **not met**) |');
    r.browserData = 'failed: page crashed';
    expect(renderBenchmarks(r)).toContain('In Chromium (the lab page): not measured in this run (failed: page crashed).');
  });
});
