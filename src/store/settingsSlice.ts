import type { StateCreator } from 'zustand';
import { createClassifyArms, createDefaultConfig, DEFAULT_DATASET_BY_TASK, MODELS_BY_TASK, parseArm, type ArmConfig, type ExperimentConfig, type Task } from '../engine/config';
import { matchedLrArm } from '../engine/matchedLr';
import type { AppStore } from './index';

/**
 * The experiment being set up: the config the next run starts from. During a run its
 * learning rates, momenta and loss weights still change (they are sent live as well).
 */

export type PresetId = 'plain-vs-rg' | 'plain-vs-rg-matched';

export const PRESETS: readonly { id: PresetId; label: string; description: string }[] = [
  { id: 'plain-vs-rg', label: 'Plain vs RG', description: 'Plain SGD against RG with r ~ U[0, 1), same lr and momentum (the paper).' },
  {
    id: 'plain-vs-rg-matched',
    label: 'Plain vs RG + matched lr',
    description: 'Adds plain SGD at half the learning rate: E[r] = 0.5 halves the mean step, so this arm separates "RG" from "smaller steps".',
  },
];

export interface SettingsSlice {
  config: ExperimentConfig;
  setConfig: (patch: Partial<Omit<ExperimentConfig, 'arms' | 'steps' | 'epochs'>>) => void;
  /** Sets the run length in steps or in epochs (the other is cleared). */
  setRunLength: (unit: 'steps' | 'epochs', n: number) => void;
  updateArm: (index: number, arm: ArmConfig) => void;
  /** Adds a copy of the last arm under a new name. */
  addArm: () => void;
  /** Adds the matched-LR control of arm `index`: plain training at its learning rate times E[RG weight]. */
  addMatchedLrArm: (index: number) => void;
  /** Runs every arm for `count` seeds: the first seed and the ones after it. */
  setSeedCount: (count: number) => void;
  removeArm: (index: number) => void;
  applyPreset: (id: PresetId) => void;
  /** Switches task: its first model, default built-in dataset, input size and "Plain vs RG" arms with its optimizer defaults. */
  setTask: (task: Task) => void;
  resetSettings: () => void;
}

/** Input size a task switch sets: small enough to train fast in a browser (translate needs a multiple of 8). */
export const TASK_INPUT_SIZE: Record<Task, number> = { classify: 16, segment: 32, translate: 32 };

/**
 * "Plain vs RG" with `task`'s optimizer defaults (config.ts): classify SGD lr 0.1, momentum 0.5;
 * segment SGD lr 0.01, momentum 0.9, poly schedule; translate Adam 2e-4, betas 0.5 and 0.999,
 * RG on the generator.
 */
export function createTaskArms(task: Task): ArmConfig[] {
  if (task === 'classify') return createClassifyArms();
  return [
    parseArm({ name: 'plain', rg: { mode: 'off' } }, 'arms[0]', task),
    parseArm({ name: 'rg', rg: { mode: 'uniform', low: 0, high: 1 } }, 'arms[1]', task),
  ];
}

/** `config` switched to `task` (a pure function); an unchanged task returns `config` itself. */
export function applyTask(config: ExperimentConfig, task: Task): ExperimentConfig {
  if (config.task === task) return config;
  return {
    ...config,
    task,
    model: MODELS_BY_TASK[task][0],
    dataset: DEFAULT_DATASET_BY_TASK[task],
    inputSize: TASK_INPUT_SIZE[task],
    arms: createTaskArms(task),
  };
}

/** The arms of a preset, built on the task's "Plain vs RG" arms. */
export function createPresetArms(id: PresetId, task: Task = 'classify'): ArmConfig[] {
  const arms = createTaskArms(task);
  if (id === 'plain-vs-rg') return arms;
  const rg = arms.find((a) => a.rg.mode !== 'off') ?? arms[0];
  return [...arms, matchedLrArm(rg, arms)];
}

function uniqueArmName(arms: readonly ArmConfig[]): string {
  const names = new Set(arms.map((a) => a.name));
  let i = arms.length + 1;
  while (names.has(`arm${i}`)) i++;
  return `arm${i}`;
}

export { matchedLrArm };

/** `count` consecutive seeds starting at `first` (1 to 10 of them). */
export function seedList(first: number, count: number): number[] {
  const n = Math.min(10, Math.max(1, Math.round(count)));
  return Array.from({ length: n }, (_, i) => (first + i) >>> 0);
}

export const createSettingsSlice: StateCreator<AppStore, [], [], SettingsSlice> = (set) => ({
  config: createDefaultConfig(),
  setConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
  setRunLength: (unit, n) =>
    set((s) => {
      const { steps: _steps, epochs: _epochs, ...rest } = s.config;
      return { config: unit === 'steps' ? { ...rest, steps: n } : { ...rest, epochs: n } };
    }),
  updateArm: (index, arm) => set((s) => ({ config: { ...s.config, arms: s.config.arms.map((a, i) => (i === index ? arm : a)) } })),
  addArm: () =>
    set((s) => {
      const last = s.config.arms[s.config.arms.length - 1];
      const copy: ArmConfig = structuredClone(last);
      copy.name = uniqueArmName(s.config.arms);
      return { config: { ...s.config, arms: [...s.config.arms, copy] } };
    }),
  addMatchedLrArm: (index) =>
    set((s) => {
      const arm = s.config.arms[index];
      return arm ? { config: { ...s.config, arms: [...s.config.arms, matchedLrArm(arm, s.config.arms)] } } : s;
    }),
  setSeedCount: (count) => set((s) => ({ config: { ...s.config, seeds: seedList(s.config.seeds[0], count) } })),
  removeArm: (index) =>
    set((s) => (s.config.arms.length <= 1 ? s : { config: { ...s.config, arms: s.config.arms.filter((_, i) => i !== index) } })),
  applyPreset: (id) => set((s) => ({ config: { ...s.config, arms: createPresetArms(id, s.config.task) } })),
  setTask: (task) =>
    set((s) =>
      s.config.task === task
        ? s
        : // A target on the old task's headline metric (accuracy, mIoU, PSNR) means nothing on the new one.
          { config: applyTask(s.config, task), ui: { ...s.ui, targetAccuracy: null } },
    ),
  resetSettings: () => set({ config: createDefaultConfig() }),
});
