import * as errors from '../errors.js';

/** An error reduced to what can cross a process boundary. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** Reduces anything thrown to its name, message and stack. */
export function encodeError(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const info: { name: string; message: string; stack?: string } = { name: error.name, message: error.message };
    if (typeof error.stack === 'string') info.stack = error.stack;
    return info;
  }
  return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
}

const BUILT_IN: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

const RXMP: Record<string, { prototype: Error }> = {
  Empty: errors.Empty,
  Full: errors.Full,
  ClosedError: errors.ClosedError,
  EOFError: errors.EOFError,
  SerializationError: errors.SerializationError,
  BufferTooShort: errors.BufferTooShort,
  MessageTooLong: errors.MessageTooLong,
  ProcessError: errors.ProcessError,
  AuthenticationError: errors.AuthenticationError,
  ProtocolError: errors.ProtocolError,
};

/**
 * Rebuilds an error carrying the original's name, message and stack. When the
 * name is a built-in or rxmp error class, the result is an instance of it, so
 * `instanceof` keeps working on the receiving side.
 */
export function decodeError(info: ErrorInfo): Error {
  const proto = BUILT_IN[info.name]?.prototype ?? RXMP[info.name]?.prototype ?? Error.prototype;
  // A real Error (not Object.create) so that it is a native error to
  // util.types.isNativeError, util.inspect and assertion libraries.
  const error = new Error(info.message);
  Object.setPrototypeOf(error, proto);
  Object.defineProperty(error, 'name', { value: info.name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', {
    value: info.stack ?? `${info.name}: ${info.message}`,
    writable: true,
    configurable: true,
  });
  return error;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
