/**
 * Writes the parity config (src/cli/parity.ts: cnn, SGD lr 0.1, momentum 0.5, weight decay 5e-4,
 * batch 64, crop + flip) for some seeds, and its exported train.py, for the replay scripts here.
 *
 * usage: npx tsx research/parity/export_config.ts DATASET_ZIP EPOCHS SEEDS(1,2,..) OUT_PREFIX
 *   writes OUT_PREFIX.json and OUT_PREFIX.py
 */
import { writeFileSync } from 'node:fs';
import { readTrainTemplate } from '../../src/cli/exportPytorch';
import { parityConfig } from '../../src/cli/parity';
import { exportPytorch } from '../../src/export/pytorch';

const [dataset, epochs, seeds, prefix] = process.argv.slice(2);
const cfg = parityConfig(dataset, Number(epochs), seeds.split(',').map(Number));
writeFileSync(`${prefix}.json`, JSON.stringify(cfg));
writeFileSync(`${prefix}.py`, exportPytorch(cfg, readTrainTemplate()));
