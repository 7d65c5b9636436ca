/**
 * Writes the lab's draws for one seed of the parity config (src/testing/labDraws.ts) as JSON,
 * for src/testing/train_on_draws.py.
 *
 * usage: npx tsx research/parity/dump_lab_streams.ts SEED EPOCHS OUT_JSON [numTrain] [batchSize]
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { labDraws } from '../../src/testing/labDraws';

const [seed, epochs, out, numTrain = '5000', batchSize = '64'] = process.argv.slice(2);
await tf.setBackend('cpu');
writeFileSync(out, JSON.stringify(labDraws({ seed: Number(seed), epochs: Number(epochs), numTrain: Number(numTrain), batchSize: Number(batchSize) })));
