/**
 * Every error rxmp raises on purpose. Each is a real subclass of `Error` with
 * its own `name`, so callers can branch on `instanceof` (or on `name` after the
 * error crossed a process boundary) and read structured context fields.
 */

/** Options shared by every rxmp error: the standard `cause`. */
export interface RxmpErrorOptions {
  /** What led to this error (the standard `Error` option). */
  cause?: unknown;
}

abstract class RxmpError extends Error {
  constructor(message: string, options?: RxmpErrorOptions) {
    super(message, options);
    // `new.target.name` survives minification-free builds and subclassing alike.
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
}

/** A get found nothing within its timeout (Python's `queue.Empty`). */
export class Empty extends RxmpError {
  /** The timeout that ran out, in ms; `0` for a non-blocking get. */
  readonly timeout: number;
  constructor(timeout: number, message = timeout === 0 ? 'queue is empty' : `no item within ${timeout} ms`) {
    super(message);
    this.timeout = timeout;
  }
}

/** A put found no free slot within its timeout (Python's `queue.Full`). */
export class Full extends RxmpError {
  /** The queue's bound, or the pipe window in bytes. */
  readonly maxsize: number;
  /** The timeout that ran out, in ms; `0` for a non-blocking put. */
  readonly timeout: number;
  constructor(maxsize: number, timeout: number, message?: string) {
    super(message ?? (timeout === 0 ? `queue is full (maxsize ${maxsize})` : `no free slot within ${timeout} ms (maxsize ${maxsize})`));
    this.maxsize = maxsize;
    this.timeout = timeout;
  }
}

/**
 * `JoinableQueue.join({ timeout })` found tasks still unfinished when its
 * timeout ran out.
 *
 * A class of its own rather than `Empty` or RxJS's `TimeoutError`: `Empty`
 * means "no item to get", and a consumer loop that catches it would take a
 * join timeout for an idle queue; `TimeoutError` belongs to RxJS's `timeout`
 * operator, which a pipeline may use next to `join$`. Named like `Empty` and
 * `Full` after the state the wait ended in, and carrying what a caller needs to
 * decide what next: how long it waited, and how many tasks were still open.
 */
export class Unfinished extends RxmpError {
  /** The timeout that ran out, in ms; `0` for a join that was not to wait. */
  readonly timeout: number;
  /**
   * Tasks still unfinished when the timeout ran out (put and not yet marked
   * done, anywhere); `undefined` when the queue's owner could not be asked
   * (it is gone).
   */
  readonly unfinished: number | undefined;
  constructor(timeout: number, unfinished: number | undefined) {
    const open = unfinished === undefined ? 'tasks' : `${unfinished} task${unfinished === 1 ? '' : 's'}`;
    super(timeout === 0 ? `${open} unfinished: join() would wait` : `${open} still unfinished after ${timeout} ms`);
    this.timeout = timeout;
    this.unfinished = unfinished;
  }
}

/** An operation on a closed queue handle or connection end (Python's ValueError/OSError/BrokenPipeError). */
export class ClosedError extends RxmpError {
  /** What was closed, e.g. `'queue'`, `'connection'`, `'peer'`. */
  readonly resource: string;
  constructor(resource: string, message = `${resource} is closed`, options?: RxmpErrorOptions) {
    super(message, options);
    this.resource = resource;
  }
}

/** `recv` on a connection whose peer has closed its sending side, with nothing left to read. */
export class EOFError extends RxmpError {
  constructor(message = 'peer closed the connection and nothing is left to receive') {
    super(message);
  }
}

/** A value cannot be copied across a process boundary (or bytes cannot be decoded back). */
export class SerializationError extends RxmpError {
  /** JSONPath-like location of the offending value, e.g. `$.job.callback`. */
  readonly path: string;
  constructor(path: string, message: string, options?: RxmpErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/** `recvBytesInto` was given a buffer too small for the message; the message is in `.bytes`. */
export class BufferTooShort extends RxmpError {
  /** The whole message, which has been consumed from the connection. */
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, available: number) {
    super(`message of ${bytes.byteLength} bytes does not fit in the ${available} bytes available`);
    this.bytes = bytes;
  }
}

/** A message was longer than the `maxlength` given to `recvBytes`; the connection end is closed (as Python). */
export class MessageTooLong extends RxmpError {
  /** The message's length, in bytes. */
  readonly length: number;
  /** The most the receiver asked for (`recvBytes(maxlength)`). */
  readonly maxlength: number;
  constructor(length: number, maxlength: number) {
    super(`bad message length: ${length} bytes exceeds maxlength ${maxlength}; the connection can no longer be read`);
    this.length = length;
    this.maxlength = maxlength;
  }
}

/** What a child process reported about the error that ended it. */
export interface RemoteErrorInfo {
  /** The error's `name` there (`'TypeError'`, `'Full'`…). */
  name: string;
  /** Its message there. */
  message: string;
  /** Its stack, as the other runtime printed it. */
  stack?: string;
  /** Its own enumerable fields (`code`, `Full.maxsize`…), as copies. */
  fields?: Readonly<Record<string, unknown>>;
}

/**
 * A child process failed. Its `stack` is the child's: this error's own
 * line followed by the frames of the child's error (rxmp's frames left
 * out), and its `cause` is the child's error revived (its class when it is
 * a built-in or rxmp error, with its name, message, stack, fields and cause chain).
 */
export class ProcessError extends RxmpError {
  /** The child's exit code, minus the signal number after a signal (as `Process.exitCode`); `null` if unknown. */
  readonly exitCode: number | null;
  /** The signal that ended the child (`'SIGKILL'`…), or `null`. */
  readonly signal: NodeJS.Signals | null;
  /** The child's own error, when it reported one before exiting. */
  readonly childError: RemoteErrorInfo | undefined;
  constructor(
    processName: string,
    exitCode: number | null,
    signal: NodeJS.Signals | null,
    childError?: RemoteErrorInfo,
    options?: RxmpErrorOptions,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const why = childError ? `: ${childError.name}: ${childError.message}` : '';
    super(`process ${processName} ${how}${why}`, options);
    this.exitCode = exitCode;
    this.signal = signal;
    this.childError = childError;
    // Where the parent noticed the exit says nothing; where the child failed does.
    const frames = childError?.stack === undefined ? undefined : framesOf(childError.stack, `${childError.name}: ${childError.message}`);
    if (frames !== undefined) {
      Object.defineProperty(this, 'stack', { value: `${this.name}: ${this.message}${frames}`, writable: true, configurable: true });
    }
  }
}

/** The frames of a stack (from its first line break), after the `header` line(s) that name the error. */
function framesOf(stack: string, header: string): string | undefined {
  if (stack.startsWith(header)) return stack.slice(header.length);
  // A stack whose message was changed after it was taken: its frames are its `at` lines.
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? `\n${frames.join('\n')}` : undefined;
}

/** A peer failed the authkey challenge, or the challenge itself was malformed. */
export class AuthenticationError extends RxmpError {
  constructor(message = 'authentication failed: digest does not match the authkey') {
    super(message);
  }
}

/** The peer broke the wire protocol (malformed, truncated or oversize frame). */
export class ProtocolError extends RxmpError {
  constructor(message: string, options?: RxmpErrorOptions) {
    super(message, options);
  }
}

/** What an OS call said: Node's errno fields, kept on the errors below. */
export interface SystemErrorInfo {
  /** `'ENOENT'`, `'EEXIST'`, … */
  code: string;
  /** The call that failed (`'shm_open'`, `'open'`…). */
  syscall?: string;
  /** The name or path it was called with. */
  path?: string;
}

/** An OS call refused a name: the errno fields Node's own errors carry, on a typed error. */
abstract class SystemNameError extends RxmpError {
  /** The errno code (`'ENOENT'`, `'EEXIST'`). */
  abstract readonly code: string;
  /** The call that failed (`'shm_open'`, `'open'`…). */
  readonly syscall: string | undefined;
  /** The name or path it was called with. */
  readonly path: string | undefined;
  constructor(message: string, info: Partial<SystemErrorInfo> = {}, options?: RxmpErrorOptions) {
    super(message, options);
    this.syscall = info.syscall;
    this.path = info.path;
  }
}

/** A named thing (a shared memory segment) does not exist (Python's `FileNotFoundError`; `code` is `'ENOENT'`). */
export class FileNotFoundError extends SystemNameError {
  /** Always `'ENOENT'`. */
  readonly code = 'ENOENT';
}

/** A name asked to be created is already taken (Python's `FileExistsError`; `code` is `'EEXIST'`). */
export class FileExistsError extends SystemNameError {
  /** Always `'EEXIST'`. */
  readonly code = 'EEXIST';
}

/**
 * Memory shared across processes needs rxmp's native addon, and it could not
 * be loaded here. `reason` says why; the message says how to fix it.
 * Between threads of one process no addon is needed.
 */
export class NativeUnavailableError extends RxmpError {
  /** Why the addon did not load (the loader's own first line, or `RXMP_NATIVE=off`). */
  readonly reason: string;
  constructor(what: string, reason: string, options?: RxmpErrorOptions) {
    super(
      `${what} needs rxmp's native addon, which did not load (${reason}). ` +
        'Build it with `npm rebuild rxmp` (a C++ compiler, make, python3 and Node headers are needed; ' +
        'npm 11 also needs the install script allowed: `npm install-scripts approve rxmp`).',
      options,
    );
    this.reason = reason;
  }
}

/** `release()` of a lock that is not held, or of a BoundedSemaphore past its bound (Python's `ValueError: semaphore or lock released too many times`). */
export class NotHeldError extends RxmpError {
  constructor(what = 'lock', message = `${what} released while not held`) {
    super(message);
  }
}

/**
 * A Barrier's wait could not complete (Python's `threading.BrokenBarrierError`):
 * the barrier was aborted or reset, a wait timed out, its action threw, or
 * a party died inside it. A broken barrier refuses new waits until `reset()`.
 */
export class BrokenBarrierError extends RxmpError {
  constructor(message = 'the barrier is broken', options?: { cause?: unknown }) {
    super(message, options);
  }
}
