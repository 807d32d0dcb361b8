import { SerializationError } from '../errors.js';
import { findUncloneable, messageOf } from './find-uncloneable.js';
import { DEFAULT_MAX_FRAME, MAX_ITEM_BYTES } from './framing.js';

/**
 * How `fastClone` says no: a `Refusal` is thrown where a value is refused
 * and climbs the copy, each container putting its part of the path in
 * front, until the top turns it into the `SerializationError` the caller sees.
 */
/** A refusal on its way up from where it happened; each container prepends its part of the path. */
export class Refusal {
  path = '';
  constructor(
    readonly reason: string,
    readonly cause?: unknown,
    /** About the value as a whole (its size): reported at `$`, not where it was noticed. */
    readonly whole = false,
  ) {}
}

export const LONE_SURROGATE =
  'is a string with a lone surrogate (not valid Unicode text), which UTF-8 cannot carry (str.toWellFormed() replaces lone surrogates with U+FFFD)';

export const SHARED = 'is shared memory (a SharedArrayBuffer), which a copy would silently stop sharing';

/** The refusal for an object the platform could not clone, naming what inside it is at fault. */
export function explained(object: object, cause: unknown): Refusal {
  let found: ReturnType<typeof findUncloneable>;
  try {
    found = findUncloneable(object);
  } catch {
    found = undefined; // looking for the reason ran out of stack: give the platform's
  }
  if (!found) return new Refusal(`cannot be cloned: ${messageOf(cause)}`, cause);
  const refusal = new Refusal(found.reason, cause);
  refusal.path = found.path.slice(1);
  return refusal;
}

/** `error` (a refusal, or whatever went wrong) with `segment` in front of its path. */
export function within(error: unknown, segment: string): Refusal {
  const refusal =
    error instanceof Refusal
      ? error
      : new Refusal(
          isStackOverflow(error) ? 'is nested too deeply for the stack left at this call' : `could not be read: ${messageOf(error)}`,
          error,
        );
  if (!refusal.whole) refusal.path = segment + refusal.path;
  return refusal;
}

export function serializationError(error: unknown): SerializationError {
  if (error instanceof SerializationError) return error;
  const refusal = error instanceof Refusal ? error : within(error, '');
  const path = `$${refusal.path}`;
  return new SerializationError(path, `${path} ${refusal.reason}`, refusal.cause === undefined ? undefined : { cause: refusal.cause });
}

export function sizeReason(size: number): string {
  return `takes ${size} bytes or more encoded: more than one item may take (${MAX_ITEM_BYTES} bytes, as a frame carries at most ${DEFAULT_MAX_FRAME})`;
}

export function tooLarge(path: string, size: number): string {
  return `${path} ${sizeReason(size)}`;
}

export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

export function nameOf(object: object): string {
  return (Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null)?.constructor?.name || 'object';
}

export function formatKey(key: string): string {
  return key !== '__proto__' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  return typeof key;
}
