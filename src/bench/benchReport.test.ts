import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildBenchResult, buildStepProfile } from './benchResult.fixture';
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
});
