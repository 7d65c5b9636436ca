import { parseExperimentConfig, type Task } from '../engine/config';
import { pickVariants, type SweepSpec } from './spec';

/**
 * The paper's experiments scaled to a browser: each preset says what the paper ran, what the lab
 * runs instead and what the paper reported (its numbers where it gives any, its claims as
 * the paper states them). The comparison with what the lab measured is in paper.ts.
 */

export type PaperPresetId = 'table1' | 'fig5' | 'fig6' | 'fig1-right' | 'cyclical';

/** One Table 1 row: mean IoU on VOC 2012 val in percent, exactly as printed. */
export interface PaperNumber {
  lr: number;
  momentum: number;
  plain: number;
  rg: number;
}

/**
 * A claim of the paper about some cells of the grid. Arm names are the sweep's variant names,
 * except that 'plain' also finds a cell's baseline and 'rg' its first arm with r ~ U[low, high).
 */
export interface PaperClaim {
  id: string;
  /** The claim in docs/paper.md's words. */
  quote: string;
  /** The cells it is about, in words ("lr < 0.1"), and as a test. */
  where: string;
  applies: (lr: number, momentum: number) => boolean;
  /** 'final': the last evaluation; 'auc': the mean level over the run (how soon it got there). */
  stat: 'final' | 'auc';
  /** The ordering the paper reports: `arm` better than each of `beats` in every cell it covers. */
  expect?: { arm: string; beats: readonly string[] };
  /** Without `expect`: show every arm's values ('values'), or each arm's best lr or momentum. */
  observe?: 'values' | 'best-lr' | 'best-momentum';
}

export interface PaperPreset {
  id: PaperPresetId;
  /** "Table 1: segmentation, lr × momentum". */
  title: string;
  /** Where in the paper, and its claim ids in docs/paper.md. */
  source: string;
  /** What the paper ran. */
  paperSetting: string;
  /** What the lab runs instead, and what that costs. */
  labSetting: string;
  /** What the paper reported, quoted; "figure only, no numbers" where it gives none. */
  reported: string;
  /** Table 1's values (percent); empty for the figures. */
  numbers: readonly PaperNumber[];
  /** The metric `numbers` are in. */
  numbersMetric: string | null;
  claims: readonly PaperClaim[];
  spec: SweepSpec;
}

/** Table 1 of the paper (PSPNet, VOC 2012 val, mean IoU %), row by row as printed. */
export const TABLE1: readonly PaperNumber[] = [
  { lr: 0.01, momentum: 0.95, plain: 31.94, rg: 28.357 },
  { lr: 0.001, momentum: 0.95, plain: 65.473, rg: 68.014 },
  { lr: 0.01, momentum: 0.9, plain: 28.121, rg: 47.62 },
  { lr: 0.0001, momentum: 0.95, plain: 69.076, rg: 68.681 },
];

function base(task: Task, model: string, batchSize: number): SweepSpec['base'] {
  // The first arm is only the template of the optimizer and schedule: the task's defaults.
  return parseExperimentConfig({ task, model, inputSize: 32, batchSize, seeds: [1], augment: true, arms: [{ name: 'template' }] });
}

const SEGMENT_LAB =
  'psp (a small PSPNet with the auxiliary head, loss = main + 0.4 × aux) on builtin:scenes (6 classes, 1,000 train / 250 val images) at 32 × 32, batch 8, SGD with weight decay 5e-4 and the poly schedule over the run';
const CLASSIFY_LAB = 'cnn on builtin:shapes10 (10 classes, 5,000 train / 1,000 test) at 32 × 32, batch 64, random crop and flip, SGD with weight decay 5e-4, constant lr';

export const PAPER_PRESETS: readonly PaperPreset[] = [
  {
    id: 'table1',
    title: 'Table 1: segmentation, lr × momentum, plain vs RG',
    source: 'Table 1 (claim C1)',
    paperSetting:
      'PSPNet on Pascal VOC 2012 (1,464 train, 1,449 val, 21 classes), SGD with the poly schedule (power 0.9), weight decay 5e-4, batch 4, centre crop 224, auxiliary loss × 0.4; its code applies RG on half the steps. Four of the six lr × momentum pairs are reported.',
    labSetting: `${SEGMENT_LAB}; lr {0.01, 0.001, 0.0001} × momentum {0.95, 0.9}, plain vs RG on half the steps (as the paper's code), 200 steps per run, evaluated every 50. 6 cells × 2 arms × 200 steps × batch 8 = 19,200 training images: one cell took 81 s on the wasm backend on two busy CPU cores (psp at about 45 images/s), so about 8 minutes in all.`,
    reported:
      'Mean IoU on VOC 2012 val: lr 0.01, momentum 0.95: plain 31.940%, RG 28.357%; lr 0.001, momentum 0.95: plain 65.473%, RG 68.014%; lr 0.01, momentum 0.90: plain 28.121%, RG 47.620%; lr 0.0001, momentum 0.95: plain 69.076%, RG 68.681%. Not reported: lr 0.001 and 0.0001 at momentum 0.90.',
    numbers: TABLE1,
    numbersMetric: 'mIoU',
    claims: [
      {
        id: 'C1-fail',
        quote: 'with too large a step (lr 0.01, momentum 0.95) both fail',
        where: 'lr 0.01, momentum 0.95',
        applies: (lr, m) => lr === 0.01 && m === 0.95,
        stat: 'final',
        observe: 'values',
      },
      {
        id: 'C1-better',
        quote: 'lowering lr to 0.001 or momentum to 0.90 makes RG better than plain',
        where: 'lr 0.001 with momentum 0.95, and lr 0.01 with momentum 0.9',
        applies: (lr, m) => (lr === 0.001 && m === 0.95) || (lr === 0.01 && m === 0.9),
        stat: 'final',
        expect: { arm: 'rg', beats: ['plain'] },
      },
      {
        id: 'C1-worse',
        quote: 'at lr 0.0001 RG is slightly worse',
        where: 'lr 0.0001, momentum 0.95',
        applies: (lr, m) => lr === 0.0001 && m === 0.95,
        stat: 'final',
        expect: { arm: 'plain', beats: ['rg'] },
      },
    ],
    spec: {
      base: base('segment', 'psp', 8),
      lrs: [0.01, 0.001, 0.0001],
      momenta: [0.95, 0.9],
      variants: pickVariants(['plain', 'rg p0.5']),
      steps: 200,
      evalEvery: 50,
      metric: 'mIoU',
      baseline: 'plain',
    },
  },
  {
    id: 'fig5',
    title: 'Fig. 5: classification, momentum sweep at lr 0.1',
    source: 'Fig. 5 (claim C5; C4 for momentum 0.95)',
    paperSetting:
      'ResNet34, DenseNet and MobileNetV2 on CIFAR-10 / CIFAR-100 (50k train / 10k test), SGD lr 0.1 fixed, momentum swept, weight decay 5e-4, batch 128, random crop with padding 4 and flip. docs/paper.md does not list the momentum values.',
    labSetting: `${CLASSIFY_LAB}; lr 0.1 × momentum {0, 0.5, 0.9, 0.95} (the lab's choice), plain vs RG, 300 steps per run, evaluated every 50. 4 cells × 2 arms × 300 steps × batch 64 = 153,600 training images: about 5 minutes at the cnn's 570 images/s on wasm; one cell took 195 s on two busy CPU cores (about 13 minutes in all). Pick resnet20 for the paper's ResNet (about 10 times slower per image), mobilenetv2 or densenet for the others.`,
    reported: 'Figure only, no numbers. "At lr 0.1 the best momentum differs per model; 0.5 is a good general choice; ResNet34 converges visibly faster with RG, the others show no clear speed advantage."',
    numbers: [],
    numbersMetric: null,
    claims: [
      {
        id: 'C5-momentum',
        quote: 'at lr 0.1 the best momentum differs per model; 0.5 is a good general choice',
        where: 'every momentum',
        applies: () => true,
        stat: 'final',
        observe: 'best-momentum',
      },
      {
        id: 'C5-faster',
        quote: 'ResNet34 converges visibly faster with RG, the others show no clear speed advantage',
        where: 'momentum below 0.95 (mean accuracy over the run)',
        applies: (_lr, m) => m < 0.95,
        stat: 'auc',
        expect: { arm: 'rg', beats: ['plain'] },
      },
      {
        id: 'C4',
        quote: 'classification with lr 0.1 and momentum 0.95 fails for both; changing either one fixes it',
        where: 'momentum 0.95',
        applies: (_lr, m) => m === 0.95,
        stat: 'final',
        observe: 'values',
      },
    ],
    spec: {
      base: base('classify', 'cnn', 64),
      lrs: [0.1],
      momenta: [0, 0.5, 0.9, 0.95],
      variants: pickVariants(['plain', 'rg']),
      steps: 300,
      evalEvery: 50,
      metric: 'accuracy',
      baseline: 'plain',
    },
  },
  {
    id: 'fig6',
    title: 'Fig. 6: classification, lr sweep at momentum 0.5',
    source: 'Fig. 6 (claim C6)',
    paperSetting: 'Classification on CIFAR as for Fig. 5, momentum 0.5, learning rate swept. docs/paper.md does not list the learning rates or the model.',
    labSetting: `${CLASSIFY_LAB}; lr {0.001, 0.01, 0.05, 0.1, 0.2} (the lab's choice) × momentum 0.5, plain vs RG, 300 steps per run, evaluated every 50. 5 cells × 2 arms × 300 steps × batch 64 = 192,000 training images: about 6 minutes at 570 images/s on wasm, 16 on two busy CPU cores. At 300 steps the cnn is still early in training (about 15-20% test accuracy), so read the ordering of the arms, not the level.`,
    reported: 'Figure only, no numbers. "RG does poorly with small learning rates and converges faster and better from lr 0.1 up; the same holds for segmentation."',
    numbers: [],
    numbersMetric: null,
    claims: [
      {
        id: 'C6-small',
        quote: 'RG does poorly with small learning rates',
        where: 'lr below 0.1',
        applies: (lr) => lr < 0.1,
        stat: 'final',
        expect: { arm: 'plain', beats: ['rg'] },
      },
      {
        id: 'C6-better',
        quote: 'converges faster and better from lr 0.1 up',
        where: 'lr 0.1 and above (better: final accuracy)',
        applies: (lr) => lr >= 0.1,
        stat: 'final',
        expect: { arm: 'rg', beats: ['plain'] },
      },
      {
        id: 'C6-faster',
        quote: 'converges faster and better from lr 0.1 up',
        where: 'lr 0.1 and above (faster: mean accuracy over the run)',
        applies: (lr) => lr >= 0.1,
        stat: 'auc',
        expect: { arm: 'rg', beats: ['plain'] },
      },
    ],
    spec: {
      base: base('classify', 'cnn', 64),
      lrs: [0.001, 0.01, 0.05, 0.1, 0.2],
      momenta: [0.5],
      variants: pickVariants(['plain', 'rg']),
      steps: 300,
      evalEvery: 50,
      metric: 'accuracy',
      baseline: 'plain',
    },
  },
  {
    id: 'fig1-right',
    title: 'Fig. 1 right: loss weight 0.5, 1, 2 and U[0, 1)',
    source: 'Fig. 1 right (claim C2)',
    paperSetting: 'PSPNet101 on Pascal VOC 2012, the loss multiplied by a constant 0.5, 1 or 2, or by r ~ U[0, 1) every step.',
    labSetting: `${SEGMENT_LAB}; lr 0.01, momentum 0.9 (the paper's segmentation setting), four arms: weight 0.5, 1, 2 and r ~ U[0, 1) every step, 200 steps, evaluated every 50. 1 cell × 4 arms × 200 steps × batch 8 = 6,400 training images, about 3 minutes on wasm. Under SGD a constant weight w is the same as lr × w (weight decay aside), so w0.5 is also RG's matched-step control.`,
    reported: 'Figure only, no numbers. "Constant loss weights above 1 make results worse; random reductions make them better; a random weight in [0, 1) is best."',
    numbers: [],
    numbersMetric: null,
    claims: [
      {
        id: 'C2-above-1',
        quote: 'constant loss weights above 1 make results worse',
        where: 'every cell',
        applies: () => true,
        stat: 'final',
        expect: { arm: 'w1', beats: ['w2'] },
      },
      {
        id: 'C2-random',
        quote: 'random reductions make them better; a random weight in [0, 1) is best',
        where: 'every cell',
        applies: () => true,
        stat: 'final',
        expect: { arm: 'rg', beats: ['w0.5', 'w1', 'w2'] },
      },
    ],
    spec: {
      base: base('segment', 'psp', 8),
      lrs: [0.01],
      momenta: [0.9],
      variants: pickVariants(['rg', 'w0.5', 'w1', 'w2']),
      steps: 200,
      evalEvery: 50,
      metric: 'mIoU',
      baseline: 'w1',
    },
  },
  {
    id: 'cyclical',
    title: 'Future work: a cyclical loss weight',
    source: 'Future work (claim C8)',
    paperSetting: 'Not run in the paper: proposed as future work, a cyclical weight schedule in place of the random number.',
    labSetting: `${CLASSIFY_LAB}; lr 0.1, momentum 0.5, four arms: plain, RG r ~ U[0, 1), a triangular weight 0 → 1 → 0 every 50 steps (the same mean 0.5 as U[0, 1), so only the randomness differs) and plain at lr × 0.5 (RG's mean step without noise), 300 steps, evaluated every 50. 1 cell × 4 arms × 300 steps × batch 64 = 76,800 training images, about 2-3 minutes at 570 images/s on wasm, 6-7 on two busy CPU cores.`,
    reported: 'Future work: no experiment, no numbers. "A cyclical weight schedule in place of the random number improves further."',
    numbers: [],
    numbersMetric: null,
    claims: [
      {
        id: 'C8',
        quote: 'a cyclical weight schedule in place of the random number improves further',
        where: 'every cell',
        applies: () => true,
        stat: 'final',
        expect: { arm: 'cyclical', beats: ['rg'] },
      },
    ],
    spec: {
      base: base('classify', 'cnn', 64),
      lrs: [0.1],
      momenta: [0.5],
      variants: pickVariants(['plain', 'rg', 'cyclical', 'plain lr x0.5']),
      steps: 300,
      evalEvery: 50,
      metric: 'accuracy',
      baseline: 'plain',
    },
  },
];

/** The preset with this id; undefined for an unknown one. */
export function findPreset(id: string): PaperPreset | undefined {
  return PAPER_PRESETS.find((p) => p.id === id);
}
