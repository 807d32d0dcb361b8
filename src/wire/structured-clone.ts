import { uncloneableError } from './find-uncloneable.js';

/**
 * Copies `value` the way it would cross a process boundary, without the
 * bytes: the in-process queue stores this copy, so a later change to the
 * original is not seen by the consumer (Python pickles; we clone eagerly).
 */
export function cloneValue<T>(value: T): T {
  // Primitives are immutable: nothing to copy, and the hot path stays cheap.
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) {
    return value;
  }
  try {
    return structuredClone(value);
  } catch (cause) {
    throw uncloneableError(value, cause);
  }
}
