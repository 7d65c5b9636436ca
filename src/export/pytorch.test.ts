import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainTemplate, runExportPytorchCli } from '../cli/exportPytorch';
import { CLASSIFIERS, ConfigError, parseArm, parseExperimentConfig, SEGMENTERS, type ExperimentConfig } from '../engine/config';
import { ssimPerImage } from '../engine/imageMetrics';
import { segmentationScores } from '../engine/metrics';
import { countParams, createModel, disposeModel, type Model } from '../engine/models';
import { createPix2pix } from '../engine/models/pix2pix';
import { rgUniforms, rgWeightAt } from '../engine/rg';
import { Rng } from '../engine/rng';
import { learningRateAt } from '../engine/schedules';
import { useCpu } from '../testing/nodeBackends';
import { JsonlParser } from '../persist/jsonl';
import { findTorchPython } from '../testing/torchReference';
import { exportPytorch as exportWith, loadTrainTemplate } from './pytorch';

const TEMPLATE = readTrainTemplate();
const exportPytorch = (config: ExperimentConfig) => exportWith(config, TEMPLATE);

/**
 * The exported train.py is run for real under Debian's python3-torch (/usr/bin/python3):
 * compiled, `--smoke` for one config per task, `--count-params` and forward passes against the
 * TF.js models, and its schedules and metrics against the engine's. These tests never skip: CI
 * installs python3-torch.
 */

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let dir = '';
let python = '';

function run(args: string[], input?: string): Run {
  const res = spawnSync(python, args, { cwd: dir, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function writeScript(name: string, config: ExperimentConfig): string {
  const file = join(dir, name);
  writeFileSync(file, exportPytorch(config));
  return file;
}

function parseRecords(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// Small shapes keep each smoke run to a few seconds on a 2-core CPU.
const SGD = { type: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 5e-4 };
const STEP = { type: 'step', milestones: [1], gamma: 0.1 };

function classifyConfig(model: string, dataset = 'builtin:shapes10'): ExperimentConfig {
  return parseExperimentConfig({
    task: 'classify',
    model,
    dataset,
    inputSize: 16,
    batchSize: 4,
    steps: 100,
    evalEvery: 50,
    seeds: [1, 2],
    arms: [
      { name: 'plain', optimizer: SGD, lrSchedule: STEP, rg: { mode: 'off' } },
      { name: 'rg', optimizer: SGD, lrSchedule: STEP, rg: { mode: 'uniform', low: 0, high: 1 } },
    ],
  });
}

const CONFIGS: { label: string; config: ExperimentConfig; extras: string[] }[] = [
  // A dataset path with quotes, a backslash, "$&" and a newline: the embedded JSON must survive it.
  { label: 'classify cnn', config: classifyConfig('cnn', "my data/it's '''odd''' \\ $& \n.zip"), extras: [] },
  { label: 'classify resnet20', config: classifyConfig('resnet20'), extras: [] },
  {
    label: 'segment psp, poly schedule',
    config: parseExperimentConfig({
      task: 'segment',
      model: 'psp',
      inputSize: 16,
      batchSize: 4,
      seeds: [3],
      arms: [
        { name: 'plain', rg: { mode: 'off' } },
        { name: 'rg half', lrSchedule: { type: 'poly', power: 0.9, warmupSteps: 1 }, rg: { mode: 'uniform', probability: 0.5 } },
      ],
    }),
    extras: ['mainLoss', 'auxLoss'],
  },
  {
    label: 'translate pix2pix, RG on both losses',
    config: parseExperimentConfig({
      task: 'translate',
      model: 'pix2pix',
      inputSize: 16,
      batchSize: 2,
      seeds: [1],
      arms: [
        { name: 'plain', rg: { mode: 'off' } },
        { name: 'rg', optimizer: { type: 'adamw' }, lrSchedule: { type: 'cosine' }, rg: { mode: 'uniform', applyTo: 'both' } },
        { name: 'cyc', lrSchedule: { type: 'cyclical', min: 1e-4, max: 1e-3, period: 2 }, rg: { mode: 'cyclical', unit: 'step', period: 2, applyTo: 'discriminator' } },
      ],
    }),
    extras: ['gAdv', 'gL1', 'dReal', 'dFake'],
  },
];

describe('exportPytorch', () => {
  beforeAll(() => {
    python = findTorchPython('the PyTorch export tests run the exported train.py');
    dir = mkdtempSync(join(tmpdir(), 'rg-export-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the same template in the lab (?raw, on demand) as the CLI reads from disk', async () => {
    const loaded = await loadTrainTemplate();
    expect(loaded).toBe(TEMPLATE);
    expect(loaded.split('__RG_LAB_CONFIG__')).toHaveLength(2);
    expect(() => exportWith(parseExperimentConfig({ arms: [{ name: 'a' }] }), 'print(1)\n')).toThrow(/has no __RG_LAB_CONFIG__/);
  });

  it('embeds the validated config with its defaults, and rejects a bad one naming the field', () => {
    const script = exportPytorch(parseExperimentConfig({ arms: [{ name: 'a' }] }));
    expect(script.startsWith('#!/usr/bin/env python3\n')).toBe(true);
    expect(script).not.toContain('__RG_LAB_CONFIG__');
    expect(script).toContain('"weightDecay": 0.0005');
    const bad = { ...classifyConfig('cnn'), batchSize: 0 };
    expect(() => exportPytorch(bad)).toThrow(ConfigError);
    expect(() => exportPytorch(bad)).toThrow(/^batchSize: /);
  });

  it('writes scripts that python3 -m py_compile accepts, and whose CONFIG is the config', () => {
    const files = CONFIGS.map((c, i) => writeScript(`compile${i}.py`, c.config));
    const compiled = run(['-m', 'py_compile', ...files]);
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    // The module level alone (run_name is not __main__): CONFIG as Python parsed it.
    const code = 'import json, runpy, sys; print(json.dumps(runpy.run_path(sys.argv[1], run_name="rg_lab_export")["CONFIG"]))';
    const read = run(['-c', code, files[0]]);
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toEqual(CONFIGS[0].config);
  });

  for (const { label, config, extras } of CONFIGS) {
    it(`${label}: --smoke runs 2 steps of every arm and seed and writes the lab's records`, () => {
      const file = writeScript(`smoke_${config.model}.py`, config);
      const res = run([file, '--smoke']);
      expect(res.stderr).not.toMatch(/Traceback/);
      expect(res.status).toBe(0);
      const records = parseRecords(res.stdout);
      // A manifest first, then the records, each with source "pytorch": the lab's import reads them all.
      expect(records[0]).toMatchObject({ type: 'manifest', source: 'pytorch', config, seeds: config.seeds, software: { name: 'rg-lab train.py', version: 'unknown' } });
      expect(records[0].torch).toMatch(/^\d+\.\d+/);
      expect((records[0].dataset as { contentHash: string }).contentHash).toMatch(/^sha256-tensors:[0-9a-f]{64}$/);
      expect(records.slice(1).every((r) => r.source === 'pytorch')).toBe(true);
      const parser = new JsonlParser('smoke.jsonl');
      parser.push(res.stdout);
      expect(parser.end().records).toHaveLength(records.length - 1);
      for (const seed of config.seeds) {
        for (const arm of config.arms) {
          const mine = records.filter((r) => r.arm === arm.name && r.seed === seed);
          const steps = mine.filter((r) => r.type === 'step');
          expect(steps.map((r) => r.step)).toEqual([1, 2]);
          for (const s of steps) {
            for (const key of ['epoch', 'loss', 'weightedLoss', 'rgWeight', 'lr', 'gradNorm', 'ms', ...extras]) expect(typeof s[key], `${arm.name} ${key}`).toBe('number');
          }
          expect(mine.filter((r) => r.type === 'eval').map((r) => r.step)).toEqual([2]);
          const summary = mine.filter((r) => r.type === 'summary');
          expect(summary).toHaveLength(1);
          expect(summary[0].steps).toBe(2);
        }
        // Paired arms: the same initial weights and batch give the same first loss (pix2pix's
        // generator loss comes after each arm's own discriminator step, so it is left out).
        if (config.task !== 'translate') {
          const first = records.filter((r) => r.type === 'step' && r.step === 1 && r.seed === seed).map((r) => r.loss);
          expect(new Set(first).size).toBe(1);
        }
      }
      const plainSteps = records.filter((r) => r.type === 'step' && r.arm === 'plain');
      expect(plainSteps.every((r) => r.rgWeight === 1)).toBe(true);
    });
  }

  describe('parameter counts', () => {
    beforeAll(useCpu);

    it('every model of the Python script has as many parameters as the TF.js model', () => {
      const numClasses = 7;
      const inputSize = 32;
      const file = writeScript('count.py', { ...classifyConfig('cnn'), inputSize });
      const models = [...CLASSIFIERS, ...SEGMENTERS, 'pix2pix'];
      const res = run([file, '--count-params', ...models, '--num-classes', String(numClasses)]);
      expect(res.stderr).toBe('');
      const counts = Object.fromEntries(parseRecords(res.stdout).map((r) => [r.model as string, r.params as number]));
      const expected: Record<string, number> = {};
      for (const name of [...CLASSIFIERS, ...SEGMENTERS]) {
        const m = createModel(name, { inputSize, channels: 3, numClasses }, null);
        expected[name] = countParams(m);
        disposeModel(m);
      }
      const p = createPix2pix({ inputSize, inChannels: 3, outChannels: 3 }, null);
      expected['pix2pix-generator'] = countParams(p.generator);
      expected['pix2pix-discriminator'] = countParams(p.discriminator);
      disposeModel(p.generator);
      disposeModel(p.discriminator);
      expect(counts).toEqual(expected);
    });
  });

  describe('architectures', () => {
    beforeAll(useCpu);

    /**
     * Loads TF.js parameters into the Python model in creation order (HWIO filters to OIHW, a
     * depthwise [k, k, c, 1] to [c, 1, k, k], TF.js's transposed-conv [k, k, out, in] to torch's
     * [in, out, k, k], dense [in, out] to [out, in]) and runs it in training mode on NHWC input.
     */
    const FORWARD = `
import json, runpy, sys, torch
ns = runpy.run_path(sys.argv[1], run_name="rg_lab_export")
out = []
for c in json.load(sys.stdin):
    net = ns["build_nets"](c["model"], c["numClasses"], c["size"], 0)[c["net"]]
    params = list(net.parameters())
    assert len(params) == len(c["params"]), (c["model"], len(params), len(c["params"]))
    with torch.no_grad():
        for p, (shape, values) in zip(params, c["params"]):
            t = torch.tensor(values, dtype=torch.float32).reshape(shape)
            if t.dim() == 4:
                t = t.permute(3, 2, 0, 1) if t.permute(3, 2, 0, 1).shape == p.shape else t.permute(2, 3, 0, 1)
            elif t.dim() == 2:
                t = t.t()
            assert t.shape == p.shape, (c["model"], tuple(t.shape), tuple(p.shape))
            p.copy_(t)
    net.train()
    y = net(torch.tensor(c["x"], dtype=torch.float32).reshape(c["xShape"]).permute(0, 3, 1, 2))
    y = y[0] if isinstance(y, tuple) else y
    out.append((y.permute(0, 2, 3, 1) if y.dim() == 4 else y).detach().flatten().tolist())
print(json.dumps(out))
`;

    interface ForwardCase {
      model: string;
      net: number;
      numClasses: number;
      size: number;
      params: [number[], number[]][];
      x: number[];
      xShape: number[];
    }

    /** The TF.js model's case and its output in training mode (batch statistics), on random input. */
    function tfCase(name: string, net: number, m: Model, size: number, channels: number, numClasses: number): [ForwardCase, Float32Array] {
      const rng = new Rng(11);
      const xShape = [2, size, size, channels];
      const x = Float32Array.from({ length: 2 * size * size * channels }, () => rng.next() * 2 - 1);
      const y = tf.tidy(() => m.apply(tf.tensor4d(x, xShape as [number, number, number, number]), true));
      const out = y.dataSync() as Float32Array;
      y.dispose();
      const params = m.params.map((p): [number[], number[]] => [p.shape, Array.from(p.dataSync())]);
      return [{ model: name, net, numClasses, size, params, x: Array.from(x), xShape }, out];
    }

    it('every model computes what the TF.js model computes, given its weights', () => {
      const numClasses = 5;
      const cases: [ForwardCase, Float32Array][] = [];
      for (const name of [...CLASSIFIERS, ...SEGMENTERS]) {
        const m = createModel(name, { inputSize: 16, channels: 3, numClasses }, new Rng(3));
        cases.push(tfCase(name, 0, m, 16, 3, numClasses));
        disposeModel(m);
      }
      const p = createPix2pix({ inputSize: 32, inChannels: 3, outChannels: 3 }, new Rng(3));
      cases.push(tfCase('pix2pix', 0, p.generator, 32, 3, numClasses), tfCase('pix2pix', 1, p.discriminator, 32, 6, numClasses));
      disposeModel(p.generator);
      disposeModel(p.discriminator);
      const file = writeScript('forward.py', classifyConfig('cnn'));
      const res = run(['-c', FORWARD, file], JSON.stringify(cases.map((c) => c[0])));
      expect(res.stderr).toBe('');
      const outputs = JSON.parse(res.stdout) as number[][];
      cases.forEach(([c, expected], i) => {
        const got = outputs[i];
        expect(got.length, c.model).toBe(expected.length);
        const scale = Math.max(...expected.map(Math.abs));
        const worst = Math.max(...got.map((v, j) => Math.abs(v - expected[j])));
        expect(worst / scale, `${c.model}[${c.net}]: largest difference ${worst} against a largest output of ${scale}`).toBeLessThan(1e-4);
      });
    });
  });

  describe('schedules and metrics', () => {
    beforeAll(useCpu);

    const PROBE = `
import json, runpy, sys, torch
ns = runpy.run_path(sys.argv[1], run_name="rg_lab_export")
c = json.load(sys.stdin)
lrs = [[ns["learning_rate_at"](arm, t, c["total"], c["spe"]) for t in range(c["total"])] for arm in c["arms"]]
rgs = [[ns["rg_weight_at"](arm["rg"], u1, u2, t, c["spe"]) for t, (u1, u2) in enumerate(c["uniforms"])] for arm in c["arms"]]
x, y = (torch.tensor(v, dtype=torch.float32).reshape(c["shape"]).permute(0, 3, 1, 2) for v in (c["x"], c["y"]))
k = c["k"]
scores = ns["segmentation_scores"](torch.tensor(c["confusion"]).reshape(k, k))
print(json.dumps({"lrs": lrs, "rgs": rgs, "ssim": ns["ssim_per_image"](x, y).tolist(), "scores": scores}))
`;

    it("learning rates, RG weights, SSIM and the segmentation scores are the engine's", () => {
      const arms = [
        { lrSchedule: { type: 'constant', warmupSteps: 5 }, rg: { mode: 'constant', weight: 0.5, probability: 0.5 } },
        { lrSchedule: { type: 'step', milestones: [7, 15], gamma: 0.5 }, rg: { mode: 'uniform', low: 0.2, high: 1, scale: 2 } },
        { lrSchedule: { type: 'poly', power: 0.9 }, rg: { mode: 'cyclical', min: 0, max: 2, period: 1, unit: 'epoch' } },
        { lrSchedule: { type: 'cosine', minLr: 0.01, warmupSteps: 3 }, rg: { mode: 'cyclical', min: 0.5, max: 1.5, period: 4, unit: 'step', probability: 0.7 } },
        { lrSchedule: { type: 'cyclical', min: 0.01, max: 0.2, period: 6, unit: 'step' }, rg: { mode: 'off', scale: 3 } },
        { lrSchedule: { type: 'cyclical', min: 0.01, max: 0.2, period: 1, unit: 'epoch' }, rg: { mode: 'uniform' } },
      ].map((a, i) => parseArm({ name: `a${i}`, ...a }, `arms[${i}]`, 'classify'));
      const total = 23;
      const spe = 4;
      const seed = 9;
      const clock = (t: number) => ({ t, total, stepsPerEpoch: spe });
      const steps = Array.from({ length: total }, (_, t) => t);
      const uniforms = steps.map((t) => rgUniforms(seed, t));
      const lrs = arms.map((a) => steps.map((t) => learningRateAt(a.lrSchedule, a.optimizer.lr, a.optimizer.lr, clock(t))));
      const rgs = arms.map((a) => steps.map((t) => rgWeightAt(a.rg, seed, clock(t)).weight));

      const rng = new Rng(4);
      const shape: [number, number, number, number] = [2, 16, 16, 3];
      const x = Float32Array.from({ length: 2 * 16 * 16 * 3 }, () => rng.next());
      const y = x.map((v) => Math.min(1, Math.max(0, v + (rng.next() - 0.5) * 0.3)));
      const ssimT = ssimPerImage(tf.tensor4d(x, shape), tf.tensor4d(y, shape));
      const ssim = Array.from(ssimT.dataSync());
      ssimT.dispose();
      const k = 5;
      const confusion = Array.from({ length: k * k }, (_, i) => (i === 3 * k + 3 || Math.floor(i / k) === 4 || i % k === 4 ? 0 : Math.floor(rng.next() * 50)));
      const scores = segmentationScores(confusion, k);

      const file = writeScript('probe.py', classifyConfig('cnn'));
      const input = { arms, total, spe, uniforms, shape, x: Array.from(x), y: Array.from(y), k, confusion };
      const res = run(['-c', PROBE, file], JSON.stringify(input));
      expect(res.stderr).toBe('');
      const got = JSON.parse(res.stdout) as { lrs: number[][]; rgs: number[][]; ssim: number[]; scores: Record<string, number | number[]> };
      got.lrs.forEach((row, i) => row.forEach((v, t) => expect(v, `lr of arm ${i} at ${t}`).toBeCloseTo(lrs[i][t], 12)));
      got.rgs.forEach((row, i) => row.forEach((v, t) => expect(v, `RG weight of arm ${i} at ${t}`).toBeCloseTo(rgs[i][t], 12)));
      got.ssim.forEach((v, i) => expect(v).toBeCloseTo(ssim[i], 4));
      expect(Object.keys(got.scores).sort()).toEqual(Object.keys(scores).sort());
      for (const [key, v] of Object.entries(scores)) {
        const mine = got.scores[key];
        if (Array.isArray(v)) (mine as number[]).forEach((m, j) => expect(m, `${key}[${j}]`).toBeCloseTo(v[j], 12));
        else expect(mine as number, key).toBeCloseTo(v, 12);
      }
    });
  });

  describe('the CLI', () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      return { out, io: { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s) } };
    };

    it('writes train.py for a config file, or prints it without --out', () => {
      const configFile = join(dir, 'exp.json');
      writeFileSync(configFile, JSON.stringify({ task: 'segment', model: 'fcn', arms: [{ name: 'rg', rg: { mode: 'uniform' } }] }));
      const target = join(dir, 'train.py');
      const a = io();
      expect(runExportPytorchCli(['--config', configFile, '--out', target], a.io)).toBe(0);
      // The CLI's train.py names the package's version in its manifest record.
      const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
      const expected = exportWith(parseExperimentConfig(JSON.parse(readFileSync(configFile, 'utf8'))), TEMPLATE, version);
      expect(expected).toContain(`RG_LAB_VERSION = "${version}"`);
      expect(readFileSync(target, 'utf8')).toBe(expected);
      const b = io();
      expect(runExportPytorchCli(['--config', configFile], b.io)).toBe(0);
      expect(b.out.stdout).toBe(expected);
    });

    it('exits 2 with a one-line reason for a bad config, a missing file or a missing --config', () => {
      const configFile = join(dir, 'bad.json');
      writeFileSync(configFile, JSON.stringify({ arms: [{ name: 'a', optimizer: { lr: 0 } }] }));
      const cases: [string[], RegExp][] = [
        [['--config', configFile], /^error: arms\[0\]\.optimizer\.lr: is 0; allowed > 0 and <= 10\n$/],
        [['--config', join(dir, 'missing.json')], /^error: cannot read config .*ENOENT\n$/],
        [[], /^error: --config is required; usage: /],
      ];
      for (const [args, message] of cases) {
        const r = io();
        expect(runExportPytorchCli(args, r.io)).toBe(2);
        expect(r.out.stderr).toMatch(message);
        expect(r.out.stdout).toBe('');
      }
    });
  });
});
