import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readTrainTemplate } from '../cli/exportPytorch';
import { resizeRgbaToRgb } from '../data/image';
import { parseExperimentConfig } from '../engine/config';
import { Rng } from '../engine/rng';
import { findTorchPython } from '../testing/torchReference';
import { exportPytorch } from './pytorch';

/**
 * Datasets stored at another size than the model's (CIFAR at inputSize 16, say) are resized
 * once when loaded, by the lab's loader and by train.py: the same bytes on both sides, or the two
 * train on different images (an antialiased bilinear resize in train.py cost it several points
 * of accuracy against the lab's area filter on generated shapes at 16 px).
 */

const dir = mkdtempSync(join(tmpdir(), 'rg-resize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROBE = `
import json, runpy, sys, torch
ns = runpy.run_path(sys.argv[1], run_name="rg_lab_export")
out = []
for c in json.load(sys.stdin):
    x = torch.tensor(c["x"], dtype=torch.uint8).reshape(1, c["h"], c["w"], 3).permute(0, 3, 1, 2)
    out.append(ns["resize_batch"](x, c["size"]).permute(0, 2, 3, 1).flatten().tolist())
print(json.dumps(out))
`;

it("train.py's resize_batch gives the lab loader's bytes, shrinking and enlarging", () => {
  const python = findTorchPython("train.py's resize is checked against the lab's");
  const file = join(dir, 'train.py');
  writeFileSync(file, exportPytorch(parseExperimentConfig({ arms: [{ name: 'a' }] }), readTrainTemplate()));
  const rng = new Rng(5);
  // Square outputs (train.py's resize_batch makes size x size), from square and oblong inputs.
  const cases = [
    [32, 32, 16],
    [32, 32, 24],
    [32, 32, 20],
    [16, 16, 32],
    [12, 20, 16],
  ].map(([h, w, size]) => ({ h, w, size, x: Array.from({ length: h * w * 3 }, () => rng.int(256)) }));
  const res = spawnSync(python, ['-c', PROBE, file], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  expect(res.stderr).toBe('');
  const got = JSON.parse(res.stdout) as number[][];
  cases.forEach((c, i) => {
    const lab = new Uint8Array(c.size * c.size * 3);
    resizeRgbaToRgb({ width: c.w, data: Uint8Array.from(c.x), channels: 3 }, { x: 0, y: 0, width: c.w, height: c.h }, c.size, c.size, lab, 0);
    const differ = got[i].filter((v, j) => v !== lab[j]).length;
    expect(differ, `${c.h}x${c.w} -> ${c.size}: ${differ} of ${lab.length} bytes differ`).toBe(0);
  });
});
