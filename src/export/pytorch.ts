import { parseExperimentConfig, type ExperimentConfig } from '../engine/config';

/**
 * The PyTorch export: a standalone train.py that reproduces an experiment config (models,
 * optimizers, LR and RG schedules, augmentation, pairing, metric records) in PyTorch, on one GPU
 * or under torchrun. The Python is the real file train_template.py next to this module: the lab
 * loads it on demand (loadTrainTemplate, a separate chunk of the build), the CLI reads it from
 * disk (readTrainTemplate in src/cli/exportPytorch.ts), and exportPytorch puts the config in it.
 */

/** The file name the lab and the CLI suggest. */
export const PYTORCH_EXPORT_FILE = 'train.py';

/** Where the config's JSON goes in train_template.py, inside a raw triple-quoted Python string. */
export const CONFIG_PLACEHOLDER = '__RG_LAB_CONFIG__';
/** Where the RG Lab version goes (train.py's manifest record names it). */
export const VERSION_PLACEHOLDER = '__RG_LAB_VERSION__';

/** train_template.py's text, fetched only when asked for (a dynamic import: not in the main bundle). */
export async function loadTrainTemplate(): Promise<string> {
  return (await import('./train_template.py?raw')).default;
}

/**
 * The config as JSON text that can sit inside a raw triple-quoted Python string: single quotes
 * (which only occur inside JSON strings) become the JSON escape \u0027, so no quote can close it.
 */
export function toEmbeddedJson(config: ExperimentConfig): string {
  return JSON.stringify(config, null, 2).replace(/'/g, '\\u0027');
}

/**
 * train.py for `config` from `template` (train_template.py's text), the config validated and its
 * defaults filled in first (a ConfigError names a bad field). The script's `--smoke` runs 2 steps
 * per arm and seed on random tensors. `version` is the RG Lab version its manifest record names.
 */
export function exportPytorch(config: ExperimentConfig, template: string, version = 'unknown'): string {
  if (!template.includes(CONFIG_PLACEHOLDER)) throw new Error(`the train.py template has no ${CONFIG_PLACEHOLDER}`);
  const json = toEmbeddedJson(parseExperimentConfig(config));
  // A function replacement, so "$&" and the like in a dataset path stay literal.
  const safeVersion = version.replace(/[^\w.+-]/g, '');
  return template.replace(CONFIG_PLACEHOLDER, () => json).replace(VERSION_PLACEHOLDER, () => safeVersion);
}
