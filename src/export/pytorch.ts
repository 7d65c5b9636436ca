import { parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import { CONFIG_PLACEHOLDER, TRAIN_TEMPLATE } from './trainTemplate';

/**
 * The PyTorch export: a standalone train.py that reproduces an experiment config (models,
 * optimizers, LR and RG schedules, augmentation, pairing, metric records) in PyTorch, on one GPU
 * or under torchrun. Pure string work, no DOM and no Node APIs, so the lab's button and the CLI
 * share it.
 */

/** The file name the lab and the CLI suggest. */
export const PYTORCH_EXPORT_FILE = 'train.py';

/**
 * The config as JSON text that can sit inside a raw triple-quoted Python string: single quotes
 * (which only occur inside JSON strings) become the JSON escape \u0027, so no quote can close it.
 */
export function toEmbeddedJson(config: ExperimentConfig): string {
  return JSON.stringify(config, null, 2).replace(/'/g, '\\u0027');
}

/**
 * train.py for `config`, validated and with its defaults filled in first (a ConfigError names a
 * bad field). The script's `--smoke` runs 2 steps per arm and seed on random tensors.
 */
export function exportPytorch(config: ExperimentConfig): string {
  const json = toEmbeddedJson(parseExperimentConfig(config));
  // A function replacement, so "$&" and the like in a dataset path stay literal.
  return TRAIN_TEMPLATE.replace(CONFIG_PLACEHOLDER, () => json);
}
