import { FieldError } from '../engine/errors';

/**
 * Named errors of the persistence layer, each with a message that says what happened and what
 * the person can do. Nothing kept in memory is lost when one of them is thrown.
 */

/** IndexedDB cannot be used: missing, denied (private mode, blocked cookies), blocked by another tab, or closed by the browser. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The browser's storage quota is used up; nothing of the failed write was stored. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ExperimentNotFoundError extends Error {
  override name = 'ExperimentNotFoundError';
  constructor(readonly id: string) {
    super(`No experiment with id "${id}": it may have been deleted (in another tab?)`);
  }
}

/** An experiment bundle that cannot be imported; `field` is the path of the first problem. */
export class BundleError extends FieldError {
  override name = 'BundleError';
}

function propertyOf(e: unknown, key: 'name' | 'code' | 'message'): unknown {
  return typeof e === 'object' && e !== null && key in e ? (e as Record<typeof key, unknown>)[key] : undefined;
}

/** True for a storage quota error in any browser's spelling (QuotaExceededError, code 22; Firefox's NS_ERROR_DOM_QUOTA_REACHED, 1014). */
export function isQuotaError(e: unknown): boolean {
  if (e instanceof StorageFullError) return true;
  const name = propertyOf(e, 'name');
  const code = propertyOf(e, 'code');
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** `Name: message` of any thrown value. */
export function describeError(e: unknown): string {
  const name = propertyOf(e, 'name');
  const message = propertyOf(e, 'message');
  if (typeof message === 'string') return typeof name === 'string' && name ? `${name}: ${message}` : message;
  return String(e);
}

/** Turns IndexedDB's errors into the named ones above; anything else is returned as it is. */
export function toStorageError(e: unknown): unknown {
  if (e instanceof StorageFullError || e instanceof StorageUnavailableError) return e;
  if (isQuotaError(e)) {
    return new StorageFullError(
      'Storage is full: the browser refused to store more for this site. Delete old experiments or export them, then try again.',
      { cause: e },
    );
  }
  // A transaction on a connection the browser has closed (site data cleared, disk error).
  if (propertyOf(e, 'name') === 'InvalidStateError' || propertyOf(e, 'name') === 'UnknownError') {
    return new StorageUnavailableError(`The experiment database cannot be used any more (${describeError(e)}); experiments are kept in memory until the page is reloaded.`, {
      cause: e,
    });
  }
  return e;
}
