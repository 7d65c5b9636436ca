/**
 * The lab's runner (src/cli/runTrain.ts, its whole code path) trained on PyTorch's random draws:
 * the initial weights, each epoch's sample order and each step's crops and flips that the
 * exported train.py draws for one seed (dumped by dump_streams.py) replace the lab's own
 * streams. Its step losses and final accuracy can then be set beside train.py's for the same seed.
 *
 * usage: npx tsx research/parity/replay.ts STREAMS_JSON CONFIG_JSON OUT_JSONL [backend]
 */
import { readFileSync } from 'node:fs';
import { Rng, type StreamPurpose } from '../../src/engine/rng';
import { EpochSampler } from '../../src/engine/sampler';
import { runTrainCli } from '../../src/cli/runTrain';

interface Streams {
  seed: number;
  init: number[];
  orders: number[][];
  augment: [number, number, number][][];
}

/** Hands out recorded draws in order: int() and next() both return the next recorded number. */
class Recorded {
  private at = 0;
  constructor(private readonly values: number[]) {}
  next(): number {
    if (this.at >= this.values.length) throw new Error('replay: recorded stream exhausted');
    return this.values[this.at++];
  }
  int(): number {
    return this.next();
  }
}

const [streamsFile, configFile, out, backend = 'wasm'] = process.argv.slice(2);
const s = JSON.parse(readFileSync(streamsFile, 'utf8')) as Streams;
const original = Rng.stream.bind(Rng);
Rng.stream = (seed: number, purpose: StreamPurpose, ...keys: number[]): Rng => {
  if (seed !== s.seed) throw new Error(`replay: streams are for seed ${s.seed}, asked for ${seed}`);
  if (purpose === 'init') return new Recorded(s.init) as unknown as Rng;
  // The batcher draws row offset, column offset, then flip (u < 0.5) per image.
  if (purpose === 'augment') return new Recorded(s.augment[keys[0]].flatMap(([oy, ox, f]) => [oy, ox, f ? 0.25 : 0.75])) as unknown as Rng;
  return original(seed, purpose, ...keys);
};
EpochSampler.prototype.epochOrder = function (_seed: number, epoch: number): Int32Array {
  return Int32Array.from(s.orders[epoch]);
};
const code = await runTrainCli(['--config', configFile, '--backend', backend, '--out', out], {
  stdout: () => undefined,
  stderr: (t) => process.stderr.write(t),
});
process.exitCode = code;
