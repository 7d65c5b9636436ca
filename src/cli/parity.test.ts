import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../engine/config';
import { welchAgreement } from '../stats/agreement';
import { makeZip } from '../testing/archives';
import { shapes10Cifar10Files } from '../testing/shapes10Cifar';
import { findTorchPython } from '../testing/torchReference';
import { runParity, type SeedStats } from './parity';

/**
 * Experiment-level parity, sized for CI: the lab's runner (wasm, in this process) and the
 * exported train.py (PyTorch, CPU, one thread) train the same small config on the same images,
 * five seeds each, and their mean final test accuracies must agree within the seeds' spread.
 * The two sides draw different random streams (initial weights, batch order), so their seeds are
 * independent samples: Welch's two-sided t test at 1% (docs/statistics.md). Same-weights,
 * same-batch agreement of single steps and forward passes is in src/export/pytorch.test.ts; this
 * checks what a person compares. It never skips: CI installs python3-torch.
 *
 * The fixture is builtin:shapes10 (easy) rendered at 32 x 32 and stored as CIFAR-10 binary,
 * which train.py reads with NumPy alone (Debian's python3 has no Pillow), trained at 16 px so
 * both sides also resize it as they load it. The config stops mid-way up the learning curve
 * (not at the top, where every trainer agrees), where a different learning rate or momentum on
 * one side shows.
 */

const SEEDS = [1, 2, 3, 4, 5];
/** Chance is 1/10; both sides must clear this by far, or there is nothing to compare. */
const LEARNED = 0.4;

const dir = mkdtempSync(path.join(tmpdir(), 'rg-parity-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function describeSide(name: string, s: SeedStats): string {
  return `${name} ${s.perSeed.map((v) => v.toFixed(3)).join(' ')} (mean ${s.mean.toFixed(4)}, sd ${s.sd.toFixed(4)})`;
}

describe('lab vs exported PyTorch, five seeds each', () => {
  it('reach the same mean final test accuracy on shapes10 as CIFAR-10 binary, within the seed spread', async () => {
    const python = findTorchPython('the parity test trains with the exported train.py');
    const files = shapes10Cifar10Files({ train: 2000, test: 1000, seed: 1 });
    const zip = path.join(dir, 'shapes10-cifar.zip');
    writeFileSync(zip, makeZip(files));
    const root = path.join(dir, 'shapes10-cifar');
    for (const [name, bytes] of files) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), bytes);
    }
    const config = parseExperimentConfig({
      task: 'classify',
      model: 'cnn',
      dataset: zip,
      inputSize: 16,
      batchSize: 32,
      epochs: 4,
      evalEvery: 100000,
      seeds: SEEDS,
      augment: false,
      arms: [{ name: 'plain', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }, lrSchedule: { type: 'cosine' }, rg: { mode: 'off' } }],
    });
    const started = Date.now();
    const { lab, pytorch } = await runParity({ config, dataRoot: root, python });
    const l = lab.plain;
    const p = pytorch.plain;
    const a = welchAgreement(l.perSeed, p.perSeed, { alpha: 0.01, floor: 0.01 });
    const report =
      `${describeSide('lab', l)}; ${describeSide('pytorch', p)}; difference ${a.difference.toFixed(4)}, ` +
      `SE ${a.se.toFixed(4)}, df ${a.df.toFixed(1)}, tolerance ${a.tolerance.toFixed(4)}; ${((Date.now() - started) / 1000).toFixed(0)} s`;
    console.log(`parity: ${report}`);
    expect(l.perSeed, report).toHaveLength(SEEDS.length);
    expect(p.perSeed, report).toHaveLength(SEEDS.length);
    expect(l.mean, `the lab did not learn: ${report}`).toBeGreaterThan(LEARNED);
    expect(p.mean, `PyTorch did not learn: ${report}`).toBeGreaterThan(LEARNED);
    expect(a.agree, `the means differ by more than the seed spread allows: ${report}`).toBe(true);
  }, 300_000);
});
