import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, parseExperimentConfig } from '../engine/config';
import { exportPytorch } from '../export/pytorch';
import { appVersion, type CliIo } from './runTrain';

/**
 * `npm run export:pytorch -- --config exp.json [--out train.py]`: writes the standalone PyTorch
 * script for an experiment config (standard output without --out). Exit code 0 on success, 2 for
 * a bad config or arguments, with a one-line reason naming the field.
 */

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;
const USAGE = 'usage: npm run export:pytorch -- --config experiment.json [--out train.py]';

class UsageError extends Error {}

/** The export's Python template (src/export/train_template.py), read from disk. */
export function readTrainTemplate(): string {
  return readFileSync(new URL('../export/train_template.py', import.meta.url), 'utf8');
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Runs the exporter with `argv` (without node and script); returns the exit code. */
export function runExportPytorchCli(argv: string[], io: CliIo): number {
  try {
    let args;
    try {
      args = parseArgs({ args: argv, options: { config: { type: 'string' }, out: { type: 'string' } } }).values;
    } catch (e) {
      throw new UsageError(`${(e as Error).message}; ${USAGE}`);
    }
    if (!args.config) throw new UsageError(`--config is required; ${USAGE}`);
    const script = exportPytorch(parseExperimentConfig(readJson(args.config)), readTrainTemplate(), appVersion());
    if (!args.out) {
      io.stdout(script);
      return EXIT_OK;
    }
    try {
      writeFileSync(args.out, script, { mode: 0o755 });
    } catch (e) {
      throw new UsageError(`cannot write ${args.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    io.stderr(`wrote ${args.out}: python3 ${args.out} --smoke tries it on random data; --help lists its options\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runExportPytorchCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
