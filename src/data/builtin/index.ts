/**
 * The built-in datasets: generated from a seed, never downloaded. Each entry pairs what the UI
 * lists with the function that builds it, so adding one (segmentation, pix2pix) is one entry.
 */

import type { Task } from '../../engine/config';
import type { Dataset } from '../../engine/dataset';
import { generateLabels2Scenes } from './labels2scenes';
import { generateScenes } from './scenes';
import { generateShapes10 } from './shapes10';

/** What the dataset picker shows for one built-in dataset. */
export interface BuiltinDatasetInfo {
  /** `builtin:<name>`, as written in configs and in the `?dataset=` URL parameter. */
  id: string;
  task: Task;
  description: string;
}

/** Options every built-in loader takes. */
export interface BuiltinLoadOptions {
  /** Image side in pixels; built-ins render at this size rather than resizing. */
  inputSize: number;
  seed?: number;
}

interface BuiltinEntry extends BuiltinDatasetInfo {
  load: (opts: BuiltinLoadOptions) => Dataset;
}

const ENTRIES: readonly BuiltinEntry[] = [
  {
    id: 'builtin:shapes10',
    task: 'classify',
    description:
      '10 shape classes (circle, square, triangle, cross, ring, star, diamond, bar pair, crescent, L-shape) ' +
      'with random pose and colour on plain backgrounds; the small cnn learns it in a few hundred steps; 5,000 train and 1,000 test images',
    load: (opts) => generateShapes10({ size: opts.inputSize, seed: opts.seed }),
  },
  {
    id: 'builtin:shapes10-hard',
    task: 'classify',
    description:
      'the same 10 shape classes with textures, background clutter and noise as well; ' +
      'the small cnn needs thousands of steps to learn it; 5,000 train and 1,000 test images',
    load: (opts) => generateShapes10({ size: opts.inputSize, seed: opts.seed, difficulty: 'hard' }),
  },
  {
    id: 'builtin:scenes',
    task: 'segment',
    description:
      'segmentation scenes: 1-4 overlapping objects (disc, square, triangle, ring, star; 6 classes with background) ' +
      'on textured backgrounds with clutter and noise, a void (255) band along every outline as in VOC; 1,000 train and 250 val images',
    load: (opts) => generateScenes({ size: opts.inputSize, seed: opts.seed }),
  },
  {
    id: 'builtin:labels2scenes',
    task: 'translate',
    description:
      'street scenes from their label maps (like Cityscapes labels to photo): 8 classes in Cityscapes colours ' +
      '(sky, building, vegetation, terrain, road, sidewalk, car, person); 600 train and 100 val pairs',
    load: (opts) => generateLabels2Scenes({ size: opts.inputSize, seed: opts.seed }),
  },
];

/** The built-in datasets, in the order the UI lists them. */
export const BUILTIN_DATASETS: readonly BuiltinDatasetInfo[] = ENTRIES.map(({ id, task, description }) => ({ id, task, description }));

/** Builds the built-in dataset `id` at `opts.inputSize`; throws naming the allowed ids if unknown. */
export function loadBuiltinDataset(id: string, opts: BuiltinLoadOptions): Dataset {
  const entry = ENTRIES.find((e) => e.id === id);
  if (!entry) {
    throw new Error(`unknown built-in dataset "${id}"; choose one of: ${ENTRIES.map((e) => e.id).join(', ')}`);
  }
  return entry.load(opts);
}
