import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../engine/config';
import { makeZip } from '../testing/archives';
import { gratingImageFolderFiles } from '../testing/parityImages';
import { findTorchPython } from '../testing/torchReference';
import { runParity } from './parity';

/**
 * Experiment-level parity: the lab's runner (wasm) and the exported train.py (PyTorch, CPU)
 * train the same config on the same generated PNG ImageFolder, several seeds each; their mean
 * final test accuracies must agree within the seeds' spread. Same-weights, same-batch agreement
 * of single steps is tested in src/export/pytorch.test.ts; this checks what a person compares.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'rg-parity-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab vs exported PyTorch, several seeds', () => {
  it('reaches the same mean final accuracy within the seed spread', async () => {
    const python = findTorchPython('the parity test trains with the exported train.py');
    const files = gratingImageFolderFiles({ classes: 4, perClass: 64, testPerClass: 48, size: 16, seed: 3 });
    const zip = path.join(dir, 'gratings.zip');
    writeFileSync(zip, makeZip(files));
    const root = path.join(dir, 'gratings');
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
      epochs: 6,
      evalEvery: 1000,
      seeds: [1, 2, 3, 4, 5, 6],
      augment: true,
      arms: [{ name: 'plain', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 5e-4 }, rg: { mode: 'off' } }],
    });
    const { lab, pytorch } = await runParity({ config, dataRoot: root, python });
    const l = lab.plain;
    const p = pytorch.plain;
    console.log(`lab ${l.perSeed.join(' ')} mean ${l.mean.toFixed(3)} sd ${l.sd.toFixed(3)}; pytorch ${p.perSeed.join(' ')} mean ${p.mean.toFixed(3)} sd ${p.sd.toFixed(3)}`);
    expect(l.perSeed).toHaveLength(6);
    expect(p.perSeed).toHaveLength(6);
    // Both learn (chance is 0.25) but not to the ceiling, where any two trainers agree.
    for (const s of [l, p]) {
      expect(s.mean).toBeGreaterThan(0.4);
      expect(s.mean).toBeLessThan(0.95);
    }
    // Within the seed spread: the difference of the means is under twice its standard error (floor 0.02).
    const se = Math.sqrt((l.sd ** 2 + p.sd ** 2) / 6);
    expect(Math.abs(l.mean - p.mean)).toBeLessThan(Math.max(2 * se, 0.02));
  }, 240_000);
});
