/** Errors and error text shared by every layer. */

/**
 * A problem with one field of an input (a config, a bundle, a sweep), named by its path:
 * the message reads `lrs[2]: is 0; allowed > 0 and <= 10`. Subclasses give their own name.
 */
export class FieldError extends Error {
  override name = 'FieldError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The message of anything thrown: an Error's message, else its string form. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
