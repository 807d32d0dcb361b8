import * as errors from '../errors.js';
import { fastClone } from './fast-clone.js';

/** An error reduced to what can cross a process boundary. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Its own enumerable properties (context fields such as `Full.maxsize`, `code`), as copies. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Its `cause`: an error as its own description, any other value as a copy. */
  readonly cause?: ErrorCause;
}

export type ErrorCause = { readonly error: ErrorInfo } | { readonly value: unknown };

/** How many causes deep a description goes (a chain longer than this, or a cycle, is cut there). */
export const MAX_CAUSES = 16;

/** Properties carried on their own, not among the fields. */
const NOT_FIELDS = new Set(['name', 'message', 'stack', 'cause', '__proto__']);

/**
 * Describes anything thrown: name, message, stack, own enumerable fields
 * (those that can be copied: a function field is left out) and the cause,
 * recursively up to `MAX_CAUSES`.
 */
export function encodeError(error: unknown, causes = MAX_CAUSES): ErrorInfo {
  if (!(error instanceof Error)) return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
  const info: { name: string; message: string; stack?: string; fields?: Record<string, unknown>; cause?: ErrorCause } = {
    name: safeString(error.name),
    message: safeString(error.message),
  };
  if (typeof error.stack === 'string') info.stack = error.stack;
  const fields = fieldsOf(error);
  if (fields) info.fields = fields;
  if (causes > 0 && Object.hasOwn(error, 'cause')) {
    const cause = causeOf(error.cause, causes - 1);
    if (cause) info.cause = cause;
  }
  return info;
}

function fieldsOf(error: Error): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  for (const key of Object.keys(error)) {
    if (NOT_FIELDS.has(key)) continue;
    try {
      const value = fastClone((error as unknown as Record<string, unknown>)[key]);
      if (!fields) fields = {};
      fields[key] = value;
    } catch {
      // Not data (a function, a socket...): left out.
    }
  }
  return fields;
}

function causeOf(cause: unknown, causes: number): ErrorCause | undefined {
  if (cause instanceof Error) return { error: encodeError(cause, causes) };
  try {
    return { value: fastClone(cause) };
  } catch {
    return undefined; // a cause that is not data is left out
  }
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Every error class `errors.ts` exports, by name: each one keeps its class across a boundary. */
const RXMP: Record<string, { prototype: Error }> = Object.fromEntries(
  Object.entries(errors).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error),
) as Record<string, { prototype: Error }>;

/**
 * Rebuilds an error carrying the original's name, message, stack, fields
 * and cause. When the name is a built-in or rxmp error class, the result is
 * an instance of it, so `instanceof` and its context fields work on the
 * receiving side. A description that is not well formed (it may come from
 * a broken peer) still gives an Error.
 */
export function decodeError(info: ErrorInfo, causes: number = MAX_CAUSES): Error {
  const described: Record<string, unknown> = isRecord(info) ? info : {};
  const name = typeof described.name === 'string' ? described.name : 'Error';
  const message = typeof described.message === 'string' ? described.message : '';
  const proto =
    (Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name]?.prototype : undefined) ??
    (Object.hasOwn(RXMP, name) ? RXMP[name]?.prototype : undefined) ??
    Error.prototype;
  // A real Error (not Object.create) so that it is a native error to
  // util.types.isNativeError, util.inspect and assertion libraries.
  const error = new Error(message);
  Object.setPrototypeOf(error, proto);
  define(error, 'name', name, false);
  define(error, 'stack', typeof described.stack === 'string' ? described.stack : `${name}: ${message}`, false);
  if (isRecord(described.fields)) {
    for (const key of Object.keys(described.fields)) {
      if (!NOT_FIELDS.has(key)) define(error, key, (described.fields as Record<string, unknown>)[key], true);
    }
  }
  const cause = described.cause;
  if (causes > 0 && isRecord(cause)) {
    if (isRecord(cause.error)) define(error, 'cause', decodeError(cause.error as unknown as ErrorInfo, causes - 1), false);
    else if (Object.hasOwn(cause, 'value')) define(error, 'cause', cause.value, false);
  }
  return error;
}

function define(error: Error, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
