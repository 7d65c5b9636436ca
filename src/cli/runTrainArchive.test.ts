import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifyArms, createDefaultConfig } from '../engine/config';
import type { ManifestRecord, MetricRecord } from '../engine/records';
import { makeTruncatedZip } from '../testing/brokenArchives';
import { makeImageFolderZip } from '../testing/datasetArchives';
import { EXIT_BAD_INPUT, EXIT_OK, runTrainCli } from './runTrain';

const dir = mkdtempSync(path.join(tmpdir(), 'rglab-cli-archive-'));

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

async function run(dataset: string): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const cfg = { ...createDefaultConfig(), dataset, inputSize: 8, batchSize: 4, steps: 2, evalEvery: 2, seeds: [1], arms: createClassifyArms() };
  const out = path.join(dir, `${path.basename(dataset)}.jsonl`);
  let stdout = '';
  let stderr = '';
  const code = await runTrainCli(['--config', write(`${path.basename(dataset)}.json`, JSON.stringify(cfg)), '--out', out, '--backend', 'cpu'], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr, out };
}

describe('headless runner with an archive dataset', () => {
  it('trains 2 steps from a generated ImageFolder zip', async () => {
    const zip = write('pets.zip', makeImageFolderZip({ classes: ['cat', 'dog'], perClass: 4, size: 8 }));
    const r = await run(zip);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toMatch(/^dataset: .*pets\.zip: ImageFolder \(zip\), 8 train \+ 4 test; 2 classes/);
    const records = readFileSync(r.out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MetricRecord | ManifestRecord);
    expect(records.filter((x) => x.type === 'step')).toHaveLength(4);
    // The manifest names the archive by the hash of its bytes, as the lab does.
    expect(records[0]).toMatchObject({ type: 'manifest', dataset: { name: zip, contentHash: `sha256:${createHash('sha256').update(readFileSync(zip)).digest('hex')}` } });
  });

  it('exits 2 naming the file for a broken archive or a missing path', async () => {
    const broken = write('broken.zip', makeTruncatedZip());
    const r = await run(broken);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toBe(`error: dataset: ${broken}: corrupt or truncated zip: its end-of-archive record is missing (was the download cut short?)\n`);
    const missing = await run(path.join(dir, 'nope.tgz'));
    expect(missing.code).toBe(EXIT_BAD_INPUT);
    expect(missing.stderr).toMatch(/^error: dataset: cannot read .*nope\.tgz: ENOENT; use builtin:<name> or a path/);
  });
});
