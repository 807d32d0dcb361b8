import { addExtension } from 'msgpackr';

/**
 * Errors inside values, on the wire as `structuredClone` keeps them: their
 * class (the standard ones; any other is an `Error`, as structuredClone
 * does), message, stack and cause. msgpackr's own error encoding keeps only
 * name, message and cause, so the receiving side would show the decoder's
 * stack; this extension replaces it, for rxmp's encoders only.
 *
 * msgpackr registers extensions process-wide, so this one claims errors only
 * while an rxmp encoder runs (`withWireErrors`): anyone else's msgpackr in
 * the same process encodes errors as before. Its type code is claimed for
 * decoding everywhere in this process.
 */
export const WIRE_ERROR_TYPE = 0x45; // 'E'

const KINDS: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
const KIND_OF = new Map<object, string>(Object.entries(KINDS).map(([name, ctor]) => [ctor.prototype, name]));

const MESSAGE = 1;
const STACK = 2;
const CAUSE = 4;

let encoding = 0;

/** Runs an rxmp encoder: errors it meets are written with this extension. */
export function withWireErrors<T>(encode: () => T): T {
  encoding++;
  try {
    return encode();
  } finally {
    encoding--;
  }
}

/** Matches errors only while an rxmp encoder runs (msgpackr asks with `instanceof`). */
const WireError = {
  [Symbol.hasInstance]: (value: unknown): boolean => encoding > 0 && value instanceof Error,
};

function write(error: Error): unknown[] {
  const own = (key: string) => Object.hasOwn(error, key);
  const stack = error.stack;
  const flags = (own('message') ? MESSAGE : 0) | (typeof stack === 'string' ? STACK : 0) | (own('cause') ? CAUSE : 0);
  return [
    KIND_OF.get(Object.getPrototypeOf(error)) ?? 'Error',
    flags,
    flags & MESSAGE ? error.message : undefined,
    flags & STACK ? stack : undefined,
    flags & CAUSE ? error.cause : undefined,
  ];
}

function read(data: unknown): Error {
  if (!Array.isArray(data) || typeof data[1] !== 'number') throw new TypeError('malformed error on the wire');
  const [kind, flags, message, stack, cause] = data as [unknown, number, unknown, unknown, unknown];
  const Kind = (typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined) ?? Error;
  const error = new Kind();
  const define = (key: string, value: unknown) =>
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
  if (flags & MESSAGE) define('message', String(message));
  if (flags & STACK) define('stack', String(stack));
  else delete (error as { stack?: string }).stack;
  if (flags & CAUSE) define('cause', cause);
  return error;
}

// biome-ignore lint/complexity/noBannedTypes: msgpackr's typings want a bare Function
addExtension({ Class: WireError as unknown as Function, type: WIRE_ERROR_TYPE, write, read } as unknown as Parameters<
  typeof addExtension
>[0]);
