import { describe, expect, it } from 'vitest';
import { jsonlRunConfig, jsonlRunRecords, makeJsonlRun } from '../testing/jsonlRuns';
import { combineJsonl, configDifference, JsonlError, JsonlParser, type ParsedJsonl } from './jsonl';
import { isJsonlFile, readJsonlFile } from './jsonlStream';

function parse(text: string, file = 'run.jsonl', chunk = text.length || 1): ParsedJsonl {
  const p = new JsonlParser(file);
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  return p.end();
}

/** The message of what `f` throws. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JsonlError);
    return (e as Error).message;
  }
  throw new Error('expected a JsonlError');
}

/** The text with line `n` (1-based) replaced. */
function withLine(text: string, n: number, line: string): string {
  const lines = text.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

describe('JSONL records', () => {
  const text = makeJsonlRun({ seeds: [1, 2], steps: 4, evalEvery: 2 });

  it('reads a runner file the same in any chunking, CRLF line ends and blank lines included', () => {
    const whole = parse(text);
    expect(whole.manifest?.source).toBe('runner');
    expect(whole.records).toEqual(jsonlRunRecords({ seeds: [1, 2], steps: 4, evalEvery: 2 }));
    for (const chunk of [1, 7, 100]) expect(parse(text, 'a.jsonl', chunk).records).toEqual(whole.records);
    expect(parse(`${text.replace(/\n/g, '\r\n')}\n\n`, 'a.jsonl', 13).records).toEqual(whole.records);
  });

  it('names the file and line of a bad line: not JSON, a bad field, an arm or seed the manifest lacks', () => {
    expect(errorOf(() => parse(withLine(text, 3, '{"type":"step",'), 'seed1.jsonl', 5))).toMatch(/^seed1\.jsonl, line 3: not JSON \(/);
    const step = JSON.parse(text.split('\n')[4]) as Record<string, unknown>;
    expect(errorOf(() => parse(withLine(text, 5, JSON.stringify({ ...step, loss: 'low' }))))).toBe('run.jsonl, line 5: record.loss: must be a number, is "low"');
    expect(errorOf(() => parse(withLine(text, 6, JSON.stringify({ ...step, arm: 'adam' }))))).toBe('run.jsonl, line 6: arm: "adam" is not an arm of the manifest\'s config (plain, rg)');
    expect(errorOf(() => parse(withLine(text, 6, JSON.stringify({ ...step, seed: 9 }))))).toBe("run.jsonl, line 6: seed: 9 is not one of the manifest's seeds (1, 2)");
    expect(errorOf(() => parse(withLine(text, 2, '[1, 2]')))).toBe('run.jsonl, line 2: record: must be a JSON object with a "type"');
    expect(errorOf(() => parse(`${text}${text.split('\n')[0]}\n`))).toMatch(/^run\.jsonl, line \d+: type: a second manifest/);
    expect(errorOf(() => parse(''))).toBe('run.jsonl: holds no records');
  });

  it('checks the manifest: its source and its config', () => {
    const manifest = JSON.parse(text.split('\n')[0]) as Record<string, unknown>;
    expect(errorOf(() => parse(withLine(text, 1, JSON.stringify({ ...manifest, source: 'keras' }))))).toBe('run.jsonl, line 1: source: is "keras"; allowed: runner | pytorch | lab');
    const config = { ...(manifest.config as object), batchSize: -1 };
    expect(errorOf(() => parse(withLine(text, 1, JSON.stringify({ ...manifest, config }))))).toMatch(/^run\.jsonl, line 1: config\.batchSize: /);
  });

  it('reads null as NaN (a diverged loss), strips PyTorch\'s source field, and skips a well-formed record of an unknown type', () => {
    const extra = [{ type: 'diverged', arm: 'rg', seed: 1, step: 4, reason: 'loss is NaN' }, { type: 'comparison', metric: 'accuracy', verdict: 'RG helps' }];
    const lines = makeJsonlRun({ seeds: [1], steps: 4, evalEvery: 2, source: 'pytorch', extra }).replace('"step":4,"epoch":0.4,"loss":0.5,', '"step":4,"epoch":0.4,"loss":null,');
    const got = parse(lines);
    expect(got.manifest?.source).toBe('pytorch');
    expect(got.records.find((r) => r.type === 'step' && r.step === 4 && r.arm === 'plain')).toMatchObject({ loss: Number.NaN });
    expect(got.records.every((r) => !('source' in r))).toBe(true);
    expect(got.records.at(-1)).toEqual(extra[0]);
    expect(got.ignored).toEqual({ comparison: 1 });
  });

  it('combines one file per seed into one experiment; refuses different configs, a repeated arm and seed, and a run without a manifest', () => {
    const files = [1, 2, 3].map((s) => parse(makeJsonlRun({ seeds: [s], steps: 4, evalEvery: 2 }), `seed${s}.jsonl`));
    const run = combineJsonl(files);
    expect(run.config).toEqual(jsonlRunConfig({ seeds: [1, 2, 3], steps: 4, evalEvery: 2 }));
    expect(run.records).toHaveLength(files.reduce((n, f) => n + f.records.length, 0));
    expect(run).toMatchObject({ source: 'runner', complete: true, name: 'seed1 +2 (runner)', manifest: { files: ['seed1.jsonl', 'seed2.jsonl', 'seed3.jsonl'], seeds: [1, 2, 3] } });
    const other = parse(makeJsonlRun({ seeds: [4], steps: 4, evalEvery: 2, config: { batchSize: 8 } }), 'b8.jsonl');
    expect(errorOf(() => combineJsonl([files[0], other]))).toBe("b8.jsonl: its config differs from seed1.jsonl's at batchSize: import them separately and compare them");
    expect(errorOf(() => combineJsonl([files[0], parse(makeJsonlRun({ seeds: [1], steps: 4, evalEvery: 2 }), 'again.jsonl')]))).toBe(
      'again.jsonl: arm plain, seed 1 is in seed1.jsonl too: each arm and seed may come from one file',
    );
    expect(errorOf(() => combineJsonl([parse(makeJsonlRun({ manifest: false, seeds: [1], steps: 4, evalEvery: 2 }), 'bare.jsonl')]))).toMatch(/^bare\.jsonl, line 1: no manifest record/);
    const cut = parse(makeJsonlRun({ seeds: [1], steps: 4, evalEvery: 2 }).split('\n').filter((l) => !l.includes('"summary"')).join('\n'));
    expect(combineJsonl([cut]).complete).toBe(false);
  });

  it('names the first config difference, seeds aside', () => {
    const a = jsonlRunConfig();
    expect(configDifference(a, { ...a, seeds: [7] })).toBeNull();
    expect(configDifference(a, { ...a, arms: [a.arms[0], { ...a.arms[1], optimizer: { ...a.arms[1].optimizer, lr: 0.5 } }] })).toBe('arms[1].optimizer.lr');
  });
});

describe('reading a JSONL file as a stream', () => {
  it('reads a large file in slices with progress, and names a bad line near its end by number', async () => {
    const one = makeJsonlRun({ seeds: [1, 2, 3], steps: 400, evalEvery: 50 });
    const [manifest, ...rest] = one.trimEnd().split('\n');
    // About 3 MB: the run's records over and over, seeds renumbered so no arm and seed repeats.
    const copies = 20;
    const body = Array.from({ length: copies }, (_, k) => rest.map((l) => l.replace(/"seed":(\d)/, (_m, s: string) => `"seed":${k * 3 + Number(s)}`)).join('\n'));
    const seeds = Array.from({ length: copies * 3 }, (_, i) => i + 1);
    const m = { ...JSON.parse(manifest), seeds };
    const text = `${JSON.stringify(m)}\n${body.join('\n')}\n`;
    const progress: number[] = [];
    const got = await readJsonlFile(new Blob([text]), 'big.jsonl', { onProgress: (p) => progress.push(p.bytes), sliceMs: 1 });
    expect(got.records).toHaveLength(rest.length * copies);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(new Blob([text]).size);
    const lines = text.split('\n');
    const bad = lines.length - 3;
    lines[bad - 1] = '{"type":"eval","arm":"plain"';
    await expect(readJsonlFile(new Blob([lines.join('\n')]), 'big.jsonl')).rejects.toThrow(new RegExp(`^big\\.jsonl, line ${bad}: not JSON`));
  });

  it('tells a JSONL file from a bundle by its first line, and rejects text that is not UTF-8', async () => {
    expect(await isJsonlFile(new Blob([makeJsonlRun({ steps: 2, evalEvery: 2 })]))).toBe(true);
    expect(await isJsonlFile(new Blob(['{"format":"rg-lab-experiment","version":1}']))).toBe(false);
    await expect(readJsonlFile(new Blob([new Uint8Array([0x7b, 0xff, 0xfe, 0x0a])]), 'bin.jsonl')).rejects.toThrow(/^bin\.jsonl: cannot be read as UTF-8 text/);
  });
});
