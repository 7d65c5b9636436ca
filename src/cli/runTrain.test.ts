import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifyArms, createDefaultConfig, parseExperimentConfig } from '../engine/config';
import type { ComparisonRecord, ManifestRecord, MetricRecord, RunnerRecord } from '../engine/records';
import { comparisonRecords, summariseRun } from '../stats';
import { EXIT_BAD_INPUT, EXIT_OK, runTrainCli } from './runTrain';

const dir = mkdtempSync(path.join(tmpdir(), 'rglab-cli-'));

function writeConfig(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runTrainCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('headless runner', () => {
  const bad: [string, unknown, RegExp][] = [
    ['unknown model', { ...createDefaultConfig(), model: 'vgg' }, /^error: model: is "vgg"; allowed: cnn \| resnet20/],
    ['no arms', { ...createDefaultConfig(), arms: [] }, /^error: arms: must be a list of at least one arm/],
    ['lr <= 0', { ...createDefaultConfig(), arms: [{ name: 'a', optimizer: { type: 'sgd', lr: 0 } }] }, /^error: arms\[0\]\.optimizer\.lr: is 0; allowed > 0/],
    ['unknown RG mode', { ...createDefaultConfig(), arms: [{ name: 'a', rg: { mode: 'gaussian' } }] }, /^error: arms\[0\]\.rg\.mode: is "gaussian"; allowed: off \| constant/],
    ['unknown dataset', { ...createDefaultConfig(), dataset: 'builtin:nope' }, /^error: dataset: .*builtin:nope/],
    ['not JSON', '{"task": ', /^error: config .* is not valid JSON/],
  ];
  for (const [what, cfg, reason] of bad) {
    it(`exits 2 with a one-line reason for ${what}`, async () => {
      const r = await run(['--config', writeConfig(`${what}.json`, cfg), '--backend', 'cpu']);
      expect(r.code).toBe(EXIT_BAD_INPUT);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  }

  it('exits 2 without --config and for an unknown backend', async () => {
    expect((await run([])).code).toBe(EXIT_BAD_INPUT);
    const r = await run(['--config', writeConfig('ok.json', createDefaultConfig()), '--backend', 'webgpu']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toMatch(/--backend: "webgpu"; allowed: wasm \| cpu/);
  });

  it('trains plain vs RG, writes JSONL records, and repeats them exactly', async () => {
    const cfg = { ...createDefaultConfig(), seeds: [1], augment: true, arms: createClassifyArms(), inputSize: 8, batchSize: 8, steps: 4, evalEvery: 2 };
    const file = writeConfig('small.json', cfg);
    const outs = [path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl')];
    for (const out of outs) {
      const r = await run(['--config', file, '--out', out, '--backend', 'cpu']);
      expect(r.code).toBe(EXIT_OK);
      expect(r.stderr).toMatch(/step 2\/4 .* plain\/s1: loss \d/);
    }
    const [a, b] = outs.map((f) =>
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RunnerRecord | ManifestRecord)
        .map((rec) => ('ms' in rec ? { ...rec, ms: 0 } : rec.type === 'manifest' ? { ...rec, createdAt: '' } : rec)),
    );
    expect(b).toEqual(a);
    // The manifest comes first: where the records come from, for an import into the lab.
    expect(a[0]).toMatchObject({
      type: 'manifest',
      source: 'runner',
      seeds: [1],
      backend: 'cpu',
      config: parseExperimentConfig(cfg),
      dataset: { name: 'builtin:shapes10', contentHash: 'builtin:shapes10@8px/seed1' },
      software: { name: 'rg-lab' },
    });
    expect((a[0] as ManifestRecord).software.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(a.filter((r) => r.type === 'manifest')).toHaveLength(1);
    // The run's records, then one comparison per arm and measure, the same as the page computes.
    const comparisons = a.filter((r): r is ComparisonRecord => r.type === 'comparison');
    expect(a.slice(-comparisons.length)).toEqual(comparisons);
    const records = a.filter((r): r is MetricRecord => r.type !== 'comparison' && r.type !== 'manifest');
    expect(comparisons).toEqual(comparisonRecords(summariseRun(parseExperimentConfig(cfg), records, 'plain', null).byMetric[0]));
    expect(comparisons.map((c) => [c.arm, c.baseline, c.metric, c.measure, c.seeds])).toContainEqual(['rg', 'plain', 'accuracy', 'final', [1]]);
    // one seed: the difference, no test
    expect(comparisons.find((c) => c.measure === 'final')).toMatchObject({ pT: null, pPermutation: null, pHolm: null, significant: false, interim: false });
    const stepsOf = (arm: string) => a.filter((r) => r.type === 'step' && r.arm === arm);
    expect(stepsOf('plain')).toHaveLength(4);
    expect(stepsOf('rg')).toHaveLength(4);
    expect(a.filter((r) => r.type === 'eval')).toHaveLength(4);
    expect(a.filter((r) => r.type === 'summary')).toHaveLength(2);
    const [p1, r1] = [stepsOf('plain')[0], stepsOf('rg')[0]];
    if (p1.type !== 'step' || r1.type !== 'step') throw new Error('expected step records');
    expect(r1.loss).toBe(p1.loss);
  });

  it('A/A on real training: two identical arms over 5 seeds are never called different', async () => {
    const same = { optimizer: { type: 'sgd', lr: 0.05 }, rg: { mode: 'off' } };
    const cfg = { ...createDefaultConfig(), inputSize: 8, batchSize: 8, steps: 2, evalEvery: 2, seeds: [1, 2, 3, 4, 5], arms: [{ name: 'a', ...same }, { name: 'b', ...same }] };
    const out = path.join(dir, 'aa.jsonl');
    const r = await run(['--config', writeConfig('aa.json', cfg), '--out', out, '--backend', 'cpu']);
    expect(r.code).toBe(EXIT_OK);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunnerRecord);
    const comparisons = lines.filter((c): c is ComparisonRecord => c.type === 'comparison');
    expect(comparisons.length).toBeGreaterThanOrEqual(1);
    for (const c of comparisons) {
      expect(c).toMatchObject({ arm: 'b', baseline: 'a', seeds: [1, 2, 3, 4, 5], significant: false });
      expect(c.verdict).toMatch(/^no significant difference between b and a over 5 seeds/);
    }
    // the table on stderr: a header, a line per comparison, the verdict
    expect(r.stderr).toMatch(/compared with a over 5 seeds:\narm +vs +measure +n +mean diff/);
    expect(r.stderr).toMatch(/\nb +a +final accuracy +5 /);
    expect(r.stderr).toMatch(/\nb: no significant difference between b and a over 5 seeds/);
  });
});
