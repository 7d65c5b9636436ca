import type { ExperimentConfig } from '../config';
import type { Dataset } from '../dataset';
import { createClassifyTask } from './classify';
import { createSegmentTask } from './segment';
import { createTranslateTask } from './translate';
import type { TaskRunner } from './types';

export type { ArmModels, StepInput, StepOutput, TaskRunner } from './types';

/** The task runner for a config and a dataset of the matching kind. */
export function createTaskRunner(config: ExperimentConfig, dataset: Dataset): TaskRunner<unknown> {
  if (dataset.kind !== config.task) {
    throw new Error(`dataset ${dataset.name} is for the ${dataset.kind} task, but the config's task is ${config.task}`);
  }
  switch (dataset.kind) {
    case 'classify':
      return createClassifyTask(config, dataset) as TaskRunner<unknown>;
    case 'segment':
      return createSegmentTask(config, dataset) as TaskRunner<unknown>;
    case 'translate':
      return createTranslateTask(config, dataset) as TaskRunner<unknown>;
  }
}
