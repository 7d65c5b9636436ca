import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import { RECORD_SOURCES, type ManifestRecord, type MetricRecord, type RecordSource } from '../engine/records';
import { isObject, restoreNulls, TEXT_FIELDS, validateRecord } from './bundle';
import { BundleError } from './errors';

/**
 * JSON-lines records as the runner (`npm run train`) and the exported train.py write them
 * (docs/contracts.md, section 3): a manifest record first, then step, eval, diverged, event and summary
 * records, one JSON object a line. Parsed incrementally (text goes in as it is read, in chunks),
 * validated line by line; the first bad line is named by its file and line number. Record types
 * this version does not know (a well-formed `{"type": "comparison", ...}`) are counted and skipped.
 */

/** A bad line of a JSONL file: `file, line N: what is wrong`. Nothing has been stored. */
export class JsonlError extends Error {
  override name = 'JsonlError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    message: string,
  ) {
    super(line === null ? `${file}: ${message}` : `${file}, line ${line}: ${message}`);
  }
}

/** One file's records, validated. */
export interface ParsedJsonl {
  file: string;
  manifest: ManifestRecord | null;
  records: MetricRecord[];
  /** Well-formed records of types this version does not read, by type (e.g. `comparison`: the lab recomputes verdicts from the seeds). */
  ignored: Record<string, number>;
  lines: number;
  /** The arms and seeds it has records of, and those with a summary record (`arm\u0000seed` keys). */
  runs: Set<string>;
  finished: Set<string>;
}

const METRIC_TYPES = new Set(['step', 'eval', 'diverged', 'summary', 'event']);

function fail(path: string, message: string): never {
  throw new BundleError(path, message);
}

/** Checks a manifest record's fields; the config is checked by parseExperimentConfig. */
export function validateManifest(raw: Record<string, unknown>): ManifestRecord {
  if (!RECORD_SOURCES.includes(raw.source as RecordSource)) fail('source', `is ${JSON.stringify(raw.source) ?? 'missing'}; allowed: ${RECORD_SOURCES.join(' | ')}`);
  if (!isObject(raw.config)) fail('config', 'must be the experiment config (a JSON object)');
  if (!Array.isArray(raw.seeds) || raw.seeds.length === 0 || !raw.seeds.every((s) => Number.isInteger(s))) fail('seeds', 'must be a non-empty list of integers');
  const sw = raw.software;
  if (!isObject(sw) || typeof sw.name !== 'string' || typeof sw.version !== 'string') fail('software', 'must be {"name": string, "version": string}');
  const ds = raw.dataset;
  if (!isObject(ds) || typeof ds.name !== 'string' || (ds.contentHash !== null && typeof ds.contentHash !== 'string')) {
    fail('dataset', 'must be {"name": string, "contentHash": string or null}');
  }
  for (const k of ['backend', 'device', 'torch', 'tfjs', 'createdAt']) if (raw[k] !== undefined && raw[k] !== null && typeof raw[k] !== 'string') fail(k, 'must be a string');
  // Validated field by field above.
  return raw as unknown as ManifestRecord;
}

/** Text in, records out: feed it a file's text in chunks of any size, then call end(). */
export class JsonlParser {
  private rest = '';
  private line = 0;
  private manifest: ManifestRecord | null = null;
  private arms: Set<string> | null = null;
  private seeds: Set<number> | null = null;
  private readonly records: MetricRecord[] = [];
  private readonly ignored: Record<string, number> = {};
  private readonly runs = new Set<string>();
  private readonly finished = new Set<string>();

  constructor(readonly file: string) {}

  push(text: string): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.parseLine(l);
  }

  end(): ParsedJsonl {
    if (this.rest) this.parseLine(this.rest);
    this.rest = '';
    if (this.line === 0 || (this.records.length === 0 && !this.manifest)) throw new JsonlError(this.file, null, 'holds no records');
    return { file: this.file, manifest: this.manifest, records: this.records, ignored: this.ignored, lines: this.line, runs: this.runs, finished: this.finished };
  }

  private parseLine(text: string): void {
    this.line++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (t.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch (e) {
      throw new JsonlError(this.file, this.line, `not JSON (${e instanceof Error ? e.message : String(e)}): ${t.length > 60 ? `${t.slice(0, 60)}…` : t}`);
    }
    try {
      this.take(raw);
    } catch (e) {
      if (e instanceof BundleError || e instanceof ConfigError) throw new JsonlError(this.file, this.line, e.message);
      throw e;
    }
  }

  private take(raw: unknown): void {
    if (!isObject(raw) || typeof raw.type !== 'string') fail('record', 'must be a JSON object with a "type"');
    if (raw.type === 'manifest') {
      if (this.manifest) fail('type', 'a second manifest: one file holds one run (import several files together instead)');
      if (this.records.length > 0) fail('type', 'the manifest must come before the records');
      const m = validateManifest(raw);
      const config = parseConfig(m.config, 'config');
      this.manifest = m;
      this.arms = new Set(config.arms.map((a) => a.name));
      this.seeds = new Set(m.seeds);
      return;
    }
    if (!METRIC_TYPES.has(raw.type)) {
      this.ignored[raw.type] = (this.ignored[raw.type] ?? 0) + 1;
      return;
    }
    const source = raw.source;
    if (source !== undefined && !RECORD_SOURCES.includes(source as RecordSource)) fail('source', `is ${JSON.stringify(source)}; allowed: ${RECORD_SOURCES.join(' | ')}`);
    delete raw.source;
    const record = validateRecord(nullsToNaN(raw), 'record');
    if (this.arms && !this.arms.has(record.arm)) fail('arm', `"${record.arm}" is not an arm of the manifest's config (${[...this.arms].join(', ')})`);
    if (this.seeds && !this.seeds.has(record.seed)) fail('seed', `${record.seed} is not one of the manifest's seeds (${[...this.seeds].join(', ')})`);
    this.records.push(record);
    const key = `${record.arm}\u0000${record.seed}`;
    this.runs.add(key);
    if (record.type === 'summary') this.finished.add(key);
  }
}

/**
 * restoreNulls (bundle.ts) in place, on an object JSON.parse just made: a null where a record
 * holds a number is NaN (JSON has no NaN). In place because a 100 MB file has a million of them.
 */
function nullsToNaN(r: Record<string, unknown>): Record<string, unknown> {
  for (const k in r) {
    const v = r[k];
    if (v === null) {
      if (!TEXT_FIELDS.has(k)) r[k] = Number.NaN;
    } else if (typeof v === 'object' && !TEXT_FIELDS.has(k)) {
      r[k] = restoreNulls(v);
    }
  }
  return r;
}

function parseConfig(raw: unknown, where: string): ExperimentConfig {
  try {
    return parseExperimentConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) fail(`${where}.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
}

/** What an import of one or more JSONL files stores: one experiment. */
export interface JsonlImport {
  name: string;
  source: RecordSource;
  config: ExperimentConfig;
  manifest: Record<string, unknown>;
  records: MetricRecord[];
  /** Every arm and seed of the config has its summary record. */
  complete: boolean;
  ignored: Record<string, number>;
}

/** The first config field where `a` and `b` differ (seeds aside), or null when they agree. */
export function configDifference(a: ExperimentConfig, b: ExperimentConfig): string | null {
  const walk = (x: unknown, y: unknown, path: string): string | null => {
    if (isObject(x) && isObject(y)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (path === '' && k === 'seeds') continue;
        const d = walk(x[k], y[k], path ? `${path}.${k}` : k);
        if (d) return d;
      }
      return null;
    }
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      for (let i = 0; i < x.length; i++) {
        const d = walk(x[i], y[i], `${path}[${i}]`);
        if (d) return d;
      }
      return null;
    }
    return JSON.stringify(x) === JSON.stringify(y) ? null : path;
  };
  return walk(a, b, '');
}

/**
 * Several files of one run (one per seed, or per process) as one experiment: their manifests'
 * configs must agree (seeds aside), no arm and seed may come from two files, and the config's
 * seeds become those the manifests list. Throws JsonlError naming the file.
 */
export function combineJsonl(parts: readonly ParsedJsonl[]): JsonlImport {
  const first = parts.find((p) => p.manifest);
  if (!first?.manifest) {
    throw new JsonlError(parts[0]?.file ?? 'import', 1, 'no manifest record: the lab needs the run\'s config, which the runner and train.py write on the first line');
  }
  const base = parseExperimentConfig(first.manifest.config);
  const seeds = new Set<number>();
  const owner = new Map<string, string>();
  const ignored: Record<string, number> = {};
  for (const p of parts) {
    const m = p.manifest;
    if (m) {
      if (m.source !== first.manifest.source) throw new JsonlError(p.file, null, `written by ${m.source}, but ${first.file} by ${first.manifest.source}: import them separately and compare them`);
      const diff = configDifference(base, parseExperimentConfig(m.config));
      if (diff) throw new JsonlError(p.file, null, `its config differs from ${first.file}'s at ${diff}: import them separately and compare them`);
      for (const s of m.seeds) seeds.add(s);
    }
    for (const key of p.runs) {
      const [arm, seed] = key.split('\u0000');
      const other = owner.get(key);
      if (other) throw new JsonlError(p.file, null, `arm ${arm}, seed ${seed} is in ${other} too: each arm and seed may come from one file`);
      owner.set(key, p.file);
    }
    for (const [k, n] of Object.entries(p.ignored)) ignored[k] = (ignored[k] ?? 0) + n;
  }
  for (const p of parts) for (const key of p.runs) seeds.add(Number(key.split('\u0000')[1]));
  const config = parseExperimentConfig({ ...base, seeds: [...seeds].sort((a, b) => a - b) });
  const records = parts.length === 1 ? parts[0].records : parts.flatMap((p) => p.records);
  const finished = new Set(parts.flatMap((p) => [...p.finished]));
  const complete = config.arms.every((a) => config.seeds.every((s) => finished.has(`${a.name}\u0000${s}`)));
  const m = first.manifest;
  const files = parts.map((p) => p.file);
  const label = m.source === 'pytorch' ? 'PyTorch' : m.source;
  const stem = files[0].replace(/\.(jsonl|ndjson|json|log|txt)$/i, '');
  const name = `${stem}${files.length > 1 ? ` +${files.length - 1}` : ''} (${label})`.slice(0, 120);
  const { type: _type, config: _config, ...facts } = m;
  return { name, source: m.source, config, manifest: { ...facts, seeds: config.seeds, files, config }, records, complete, ignored };
}
