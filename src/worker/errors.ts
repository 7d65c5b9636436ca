import { DatasetError } from '../data/errors';
import { CheckpointError } from '../engine/checkpoint';
import { ConfigError } from '../engine/config';
import type { WorkerErrorInfo } from './protocol';
import { errorMessage } from '../engine/errors';

/**
 * The worker's named errors. Each message says what went wrong and what to do about it; the
 * UI shows `name: message` as it is.
 */

/** No backend, or the chosen backend, can train this model. */
export class BackendError extends Error {
  override name = 'BackendError';
}

/** A dataset could not be loaded or does not fit the task: the data layer's error, naming the file and the problem. */
export { DatasetError };

/** A request that does not fit the worker's state (start before init, a second run). */
export class RunStateError extends Error {
  override name = 'RunStateError';
}

/** Training itself failed part-way (a kernel error, out of memory). */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

/**
 * The device under the backend went away during a run (a lost WebGPU device or WebGL context,
 * out of memory). The worker goes on by itself on the next backend, from the last checkpoint.
 */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** A checkpoint that does not fit the run it should resume: the engine's error, naming what differs. */
export { CheckpointError };

/** A message that is not part of the protocol. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const KNOWN = [BackendError, DatasetError, RunStateError, TrainingError, DeviceLostError, ProtocolError, ConfigError, CheckpointError];

/** Turns anything thrown into a named, cloneable error; unknown errors become TrainingErrors. */
export function toErrorInfo(e: unknown): WorkerErrorInfo {
  if (e instanceof Error && KNOWN.some((k) => e instanceof k)) {
    const hint = e instanceof ConfigError ? ' Fix that setting and start again.' : e instanceof CheckpointError ? ' The checkpoint cannot be used: start the run again from the beginning.' : '';
    return { name: e.name, message: e.message + hint };
  }
  const message = errorMessage(e);
  return {
    name: 'TrainingError',
    message: `${message}. Try a smaller batch or input size, or reload with ?backend=webgl or ?backend=cpu.`,
  };
}
