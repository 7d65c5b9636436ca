import { DatasetError } from '../data/errors';
import { ConfigError } from '../engine/config';
import type { WorkerErrorInfo } from './protocol';

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

/** A message that is not part of the protocol. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const KNOWN = [BackendError, DatasetError, RunStateError, TrainingError, ProtocolError, ConfigError];

/** Turns anything thrown into a named, cloneable error; unknown errors become TrainingErrors. */
export function toErrorInfo(e: unknown): WorkerErrorInfo {
  if (e instanceof Error && KNOWN.some((k) => e instanceof k)) {
    const hint = e instanceof ConfigError ? ' Fix that setting and start again.' : '';
    return { name: e.name, message: e.message + hint };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    name: 'TrainingError',
    message: `${message}. Try a smaller batch or input size, or reload with ?backend=webgl or ?backend=cpu.`,
  };
}
