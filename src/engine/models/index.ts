import type { ClassifierName, SegmenterName } from '../config';
import type { Rng } from '../rng';
import { createCnn, createConvnetjs, createDensenet, createMobilenetV2, createResnet20 } from './classifiers';
import type { Model, ModelSpec } from './layers';
import { SEGMENTER_FACTORIES } from './segmenters';

export type { Model, ModelSpec } from './layers';
export { copyWeights, countParams, disposeModel } from './layers';

const FACTORIES: Record<ClassifierName | SegmenterName, (spec: ModelSpec, rng: Rng | null) => Model> = {
  cnn: createCnn,
  resnet20: createResnet20,
  mobilenetv2: createMobilenetV2,
  densenet: createDensenet,
  ...SEGMENTER_FACTORIES,
};

/** Models for benchmarks only, built by name like the others but not offered in configs. */
const BENCH_FACTORIES: Record<string, (spec: ModelSpec, rng: Rng | null) => Model> = { convnetjs: createConvnetjs };

/** Builds a model by name; `rng` draws its initial weights, null makes a clone to copy into. */
export function createModel(name: string, spec: ModelSpec, rng: Rng | null): Model {
  const factory = (FACTORIES as Record<string, (s: ModelSpec, r: Rng | null) => Model>)[name] ?? BENCH_FACTORIES[name];
  if (!factory) throw new Error(`unknown model "${name}"`);
  return factory(spec, rng);
}
