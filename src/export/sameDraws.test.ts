import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrainTemplate } from '../cli/exportPytorch';
import { EXIT_OK, runTrainCli } from '../cli/runTrain';
import { parseExperimentConfig } from '../engine/config';
import { makeZip } from '../testing/archives';
import { cifar10Files } from '../testing/datasetArchives';
import { labDraws } from '../testing/labDraws';
import { findTorchPython } from '../testing/torchReference';
import { exportPytorch } from './pytorch';

/**
 * The lab and its exported train.py on the SAME random draws: train.py is handed the lab's
 * initial weights, sample orders and crops (src/testing/train_on_draws.py) and must then follow
 * the lab's runner step for step, over several epochs of the parity setting (cnn, SGD with
 * momentum and weight decay on every parameter, crop + flip, reshuffled epochs, a ragged last
 * batch dropped, final evaluation on the whole test split at the last weights). With
 * independent draws the two can only be compared by seed means; on equal draws any difference
 * in what is computed shows at the step where it starts. The wasm backend's cropAndResize bug
 * (a box's left edge ignored at top offset 0) failed this test at the first batch holding
 * such a crop.
 */

const TRAIN_ON_DRAWS = fileURLToPath(new URL('../testing/train_on_draws.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rglab-same-draws-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function stepLosses(records: Record<string, unknown>[]): number[] {
  return records.filter((r) => r.type === 'step').map((r) => r.loss as number);
}

function finalOf(records: Record<string, unknown>[]): Record<string, number> {
  return records.find((r) => r.type === 'summary')?.final as Record<string, number>;
}

describe('the lab and train.py on the same draws', () => {
  it('train.py follows the lab runner (wasm) step for step: cnn, SGD momentum + weight decay, crop + flip, 3 epochs', async () => {
    const python = findTorchPython('this test runs the exported train.py');
    const files = cifar10Files({ perBatch: 120, batches: 1, test: 40, seed: 7 });
    const root = join(dir, 'data');
    for (const [p, bytes] of files) {
      if (p.endsWith('/')) mkdirSync(join(root, p), { recursive: true });
      else writeFileSync(join(root, p), bytes);
    }
    const zip = join(dir, 'cifar.zip');
    writeFileSync(zip, makeZip(files));
    const seed = 3;
    const epochs = 3;
    // 120 images in batches of 16: 7 steps an epoch, the last 8 images of each epoch dropped.
    const config = parseExperimentConfig({
      task: 'classify',
      model: 'cnn',
      dataset: zip,
      inputSize: 32,
      batchSize: 16,
      epochs,
      evalEvery: 1000,
      seeds: [seed],
      augment: true,
      arms: [{ name: 'plain', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 5e-4 }, lrSchedule: { type: 'constant' }, rg: { mode: 'off' } }],
    });
    const cfgFile = join(dir, 'config.json');
    writeFileSync(cfgFile, JSON.stringify(config));
    const labOut = join(dir, 'lab.jsonl');
    let stderr = '';
    const code = await runTrainCli(['--config', cfgFile, '--backend', 'wasm', '--out', labOut], { stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code, stderr).toBe(EXIT_OK);

    const draws = join(dir, 'draws.json');
    writeFileSync(draws, JSON.stringify(labDraws({ seed, epochs, numTrain: 120, batchSize: 16 })));
    const script = join(dir, 'train.py');
    writeFileSync(script, exportPytorch(config, readTrainTemplate()));
    const torchOut = join(dir, 'torch.jsonl');
    const res = spawnSync(python, [TRAIN_ON_DRAWS, script, draws, 'all', '--', '--data-root', root, '--device', 'cpu', '--out', torchOut], {
      cwd: dirname(script),
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(res.status, res.stderr).toBe(0);

    const lab = jsonl(labOut);
    const torch = jsonl(torchOut);
    const a = stepLosses(lab);
    const b = stepLosses(torch);
    expect(a).toHaveLength(21);
    expect(b).toHaveLength(21);
    a.forEach((loss, i) => expect(Math.abs(loss - b[i]), `step ${i + 1}: lab ${loss}, train.py ${b[i]}`).toBeLessThan(2e-4));
    const fa = finalOf(lab);
    const fb = finalOf(torch);
    // At most one of the 40 test images may fall the other way on a near tie of two logits.
    expect(Math.abs(fa.accuracy - fb.accuracy)).toBeLessThanOrEqual(1 / 40 + 1e-9);
    expect(Math.abs(fa.loss - fb.loss)).toBeLessThan(1e-3);
  }, 120_000);
});
