import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { BundleError } from './errors';
import { defaultExperimentName, MAX_NAME_LENGTH } from './meta';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  EXPERIMENT_STATUSES,
  type ExperimentBundle,
  type ExperimentManifest,
  type ExperimentMeta,
  type ExperimentStatus,
} from './types';

/**
 * Experiment bundles: one JSON document per experiment (format `rg-lab-experiment`, version 1).
 * Export writes non-finite numbers as strings; import validates everything and names the first
 * problem by its path (`records[12].loss: must be a number`).
 */

/** What an import stores: a bundle's experiment, validated, with its records. */
export interface ParsedBundle {
  name: string;
  createdAt: number;
  status: ExperimentStatus;
  error?: string;
  config: ExperimentConfig;
  manifest: ExperimentManifest;
  summary: unknown;
  records: MetricRecord[];
}

export const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
/** Record fields that hold text; every other field holds numbers. */
export const TEXT_FIELDS = new Set(['type', 'arm', 'reason', 'name', 'diverged']);

function encodeNumbers(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map(encodeNumbers);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeNumbers(x)]));
  return v;
}

function decodeNumbers(v: unknown): unknown {
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  if (Array.isArray(v)) return v.map(decodeNumbers);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeNumbers(x)]));
  return v;
}

/** A record ready for JSON: non-finite numbers become "NaN", "Infinity" or "-Infinity". */
export function encodeRecord(r: MetricRecord): unknown {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, TEXT_FIELDS.has(k) ? v : encodeNumbers(v)]));
}

/** The bundle of one experiment: JSON-serialisable, checkpoint left out. */
export function createBundle(experiment: ExperimentMeta, records: readonly MetricRecord[]): ExperimentBundle {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    experiment: { ...experiment, recordCount: records.length },
    records: records.map(encodeRecord),
  };
}

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireNumber(r: Json, key: string, path: string): void {
  if (typeof r[key] !== 'number') throw new BundleError(`${path}.${key}`, `must be a number, is ${JSON.stringify(r[key]) ?? 'missing'}`);
}

function requireString(r: Json, key: string, path: string): void {
  if (typeof r[key] !== 'string') throw new BundleError(`${path}.${key}`, `must be a string, is ${JSON.stringify(r[key]) ?? 'missing'}`);
}

function requireNumberMap(r: Json, key: string, path: string, allowArrays: boolean): void {
  const m = r[key];
  if (!isObject(m)) throw new BundleError(`${path}.${key}`, 'must be an object of metric values');
  for (const [k, v] of Object.entries(m)) {
    const ok = typeof v === 'number' || (allowArrays && Array.isArray(v) && v.every((x) => typeof x === 'number'));
    if (!ok) throw new BundleError(`${path}.${key}.${k}`, allowArrays ? 'must be a number or a list of numbers' : 'must be a number');
  }
}

const STEP_NUMBERS = ['step', 'epoch', 'loss', 'weightedLoss', 'rgWeight', 'lr', 'gradNorm', 'ms'];
const STEP_OPTIONAL_NUMBERS = ['gAdv', 'gL1', 'dReal', 'dFake', 'mainLoss', 'auxLoss'];
const EVENT_NAMES = ['lr', 'momentum', 'lossWeight'];

/** Checks one decoded record against docs/contracts.md, section 3; `path` names it in the BundleError. */
export function validateRecord(raw: unknown, path: string): MetricRecord {
  if (!isObject(raw)) throw new BundleError(path, 'must be an object');
  requireString(raw, 'arm', path);
  requireNumber(raw, 'seed', path);
  switch (raw.type) {
    case 'step':
      for (const k of STEP_NUMBERS) requireNumber(raw, k, path);
      for (const k of STEP_OPTIONAL_NUMBERS) if (raw[k] !== undefined) requireNumber(raw, k, path);
      break;
    case 'eval':
      requireNumber(raw, 'step', path);
      requireNumber(raw, 'epoch', path);
      requireNumberMap(raw, 'metrics', path, true);
      break;
    case 'diverged':
      requireNumber(raw, 'step', path);
      requireString(raw, 'reason', path);
      break;
    case 'summary':
      requireNumber(raw, 'steps', path);
      requireNumber(raw, 'ms', path);
      requireNumberMap(raw, 'final', path, false);
      requireNumberMap(raw, 'best', path, false);
      if (raw.diverged !== undefined) requireString(raw, 'diverged', path);
      break;
    case 'event':
      requireNumber(raw, 'step', path);
      requireNumber(raw, 'value', path);
      if (typeof raw.name !== 'string' || !EVENT_NAMES.includes(raw.name)) {
        throw new BundleError(`${path}.name`, `is ${JSON.stringify(raw.name)}; allowed: ${EVENT_NAMES.join(' | ')}`);
      }
      break;
    default:
      throw new BundleError(`${path}.type`, `is ${JSON.stringify(raw.type)}; allowed: step | eval | diverged | summary | event`);
  }
  // Validated field by field above: the shape is the record union's.
  return raw as unknown as MetricRecord;
}

/** The records export's format (src/ui/export/records.ts), which imports too: it has a config and the records. */
const RECORDS_FORMAT = 'rg-lab-records';

const nullToNaN = (v: unknown): unknown =>
  v === null ? Number.NaN : Array.isArray(v) ? v.map(nullToNaN) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nullToNaN(x)])) : v;

/**
 * A record as JSON.stringify (or Python's json with NaN cleaned to null) wrote it: a null where
 * the record holds a number comes back as NaN, the closest there is. Anything else is returned as it is.
 */
export function restoreNulls(r: unknown): unknown {
  return isObject(r) ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, TEXT_FIELDS.has(k) ? v : nullToNaN(v)])) : r;
}

/** A records export as a bundle; JSON wrote its NaN and Infinity as null (see restoreNulls). */
function bundleFromRecordsExport(raw: Json): Json {
  const records = Array.isArray(raw.records) ? raw.records.map(restoreNulls) : raw.records;
  return {
    format: BUNDLE_FORMAT,
    version: raw.version,
    experiment: {
      ...(typeof raw.experiment === 'string' && raw.experiment.trim() ? { name: raw.experiment.trim().slice(0, MAX_NAME_LENGTH) } : {}),
      ...(raw.config !== null ? { config: raw.config } : {}),
      manifest: { backend: raw.backend ?? null, exportedAt: raw.exportedAt ?? null },
    },
    records,
  };
}

/** Validates a parsed bundle (or a records export); throws BundleError naming the first problem. */
export function parseBundle(input: unknown, now: number = Date.now()): ParsedBundle {
  if (!isObject(input)) throw new BundleError('bundle', 'must be a JSON object (an exported RG Lab experiment)');
  const raw = input.format === RECORDS_FORMAT ? bundleFromRecordsExport(input) : input;
  if (raw.format !== BUNDLE_FORMAT) {
    throw new BundleError('format', `is ${JSON.stringify(raw.format) ?? 'missing'}; expected "${BUNDLE_FORMAT}" (an experiment exported from RG Lab)`);
  }
  if (raw.version !== BUNDLE_VERSION) {
    throw new BundleError('version', `is ${JSON.stringify(raw.version) ?? 'missing'}; this version of RG Lab reads version ${BUNDLE_VERSION}`);
  }
  const exp = raw.experiment;
  if (!isObject(exp)) throw new BundleError('experiment', 'is missing or not an object');
  if (exp.config === undefined) throw new BundleError('experiment.config', 'is missing');
  let config: ExperimentConfig;
  try {
    config = parseExperimentConfig(exp.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new BundleError(`experiment.config.${e.field}`.replace(/\.config$/, ''), e.message.slice(e.field.length + 2));
    throw e;
  }
  if (exp.name !== undefined && (typeof exp.name !== 'string' || exp.name.trim() === '' || exp.name.trim().length > MAX_NAME_LENGTH)) {
    throw new BundleError('experiment.name', `must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (exp.createdAt !== undefined && (typeof exp.createdAt !== 'number' || !Number.isFinite(exp.createdAt))) {
    throw new BundleError('experiment.createdAt', 'must be a time in milliseconds since 1970');
  }
  if (exp.status !== undefined && !EXPERIMENT_STATUSES.includes(exp.status as ExperimentStatus)) {
    throw new BundleError('experiment.status', `is ${JSON.stringify(exp.status)}; allowed: ${EXPERIMENT_STATUSES.join(' | ')}`);
  }
  if (exp.manifest !== undefined && !isObject(exp.manifest)) throw new BundleError('experiment.manifest', 'must be an object');
  if (exp.error !== undefined && typeof exp.error !== 'string') throw new BundleError('experiment.error', 'must be a string');
  if (!Array.isArray(raw.records)) throw new BundleError('records', `must be an array of metric records, is ${raw.records === undefined ? 'missing' : typeof raw.records}`);
  const records = raw.records.map((r, i) => validateRecord(decodeNumbers(r), `records[${i}]`));
  const status = (exp.status as ExperimentStatus | undefined) ?? 'done';
  return {
    name: typeof exp.name === 'string' ? exp.name.trim() : defaultExperimentName(config),
    createdAt: typeof exp.createdAt === 'number' ? exp.createdAt : now,
    // A run exported mid-way did not finish; without its checkpoint it can only be shown.
    status: status === 'running' ? 'interrupted' : status,
    ...(typeof exp.error === 'string' ? { error: exp.error } : {}),
    config,
    manifest: isObject(exp.manifest) ? exp.manifest : {},
    summary: exp.summary ?? null,
    records,
  };
}
