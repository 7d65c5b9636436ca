import * as tf from '@tensorflow/tfjs';
import { MODELS_BY_TASK, TASKS } from '../engine/config';
import { type KernelCase, mergeCases, recordKernelCases } from '../engine/backends/conformance';
import { recordTrainingKernels } from '../worker/preflight';

/** Every model the lab offers, all tasks: the classifiers, the segmenters and pix2pix. */
export const ALL_MODELS: readonly string[] = TASKS.flatMap((t) => MODELS_BY_TASK[t]);

/**
 * The kernel calls of a tiny training run of each model (the preflight's: forward and backward
 * with four optimizers, augmentation, evaluation, samples), recorded on the cpu backend and
 * merged. Leaves cpu active.
 */
export async function recordModelCases(models: readonly string[] = ALL_MODELS): Promise<KernelCase[]> {
  await tf.setBackend('cpu');
  const lists: KernelCase[][] = [];
  for (const model of models) lists.push(await recordKernelCases(() => recordTrainingKernels(model)));
  return mergeCases(...lists);
}
