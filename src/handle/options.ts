import { checkDefaultScheduler, checkSchedulerCopy } from './one-rxjs.js';
import type { SchedulerLike } from 'rxjs';

/** Options for `new Queue()` / `new JoinableQueue()`. */
export interface QueueOptions {
  /**
   * Most items the queue holds; a put waits for a free slot beyond it.
   * `≤ 0`, `Infinity` or absent: unbounded (as Python). Otherwise a positive integer.
   * @default 0 (unbounded)
   * @example new Queue({ maxsize: 100 })
   */
  maxsize?: number;
  /**
   * Where timeouts are measured. Under `TestScheduler.run()` the default is
   * already virtual, so marble tests need not pass one.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/** Options for `put`/`put$`. */
export interface PutOptions {
  /** `false`: do not wait for space; `timeout` is then ignored (as Python). @default true */
  block?: boolean;
  /** Milliseconds to wait for space before rejecting `Full`; `undefined` waits forever, `0` not at all. */
  timeout?: number;
  /** Aborting withdraws the waiting put (the item is not enqueued) and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options for `get`/`get$`. */
export interface GetOptions {
  /** `false`: do not wait for an item; `timeout` is then ignored (as Python). @default true */
  block?: boolean;
  /** Milliseconds to wait for an item before rejecting `Empty`; `undefined` waits forever, `0` not at all. */
  timeout?: number;
  /** Aborting withdraws the waiting get (no item is taken) and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options for `JoinableQueue.join`/`join$`. */
export interface JoinOptions {
  /**
   * Milliseconds to wait for every task to be done before rejecting
   * `Unfinished` (which carries how many were still open); `undefined` waits
   * forever, `0` not at all. Measured on the queue's scheduler.
   * @example await q.join({ timeout: 30_000 })
   */
  timeout?: number;
  /** Aborting stops waiting (no task is touched) and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options for `observe()`. */
export interface ObserveOptions {
  /**
   * Items a remote consumer may hold ahead of its subscriber. In-process
   * delivery is synchronous, so nothing is held ahead.
   * @default 16
   */
  prefetch?: number;
  /** Error the stream with `Empty` when no item arrives within this many ms. @default undefined (wait forever) */
  timeout?: number;
}

/** Options for `Pipe()`. */
export interface PipeOptions {
  /** `false`: a one-way pipe, `[receiver, sender]` (Python's order). @default true */
  duplex?: boolean;
  /**
   * Bytes a receiving end buffers before `send` waits (the pipe's window).
   * One message larger than the window still goes through when the buffer is empty.
   * @default 262144 (256 KiB)
   */
  window?: number;
  /** Where timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** Options for `Connection.send`/`recv`. */
export interface WaitOptions {
  /** Milliseconds to wait; `undefined` waits forever, `0` not at all. */
  timeout?: number;
  /** Aborting withdraws the waiting call and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

export const DEFAULT_PREFETCH = 16;
export const DEFAULT_PIPE_WINDOW = 256 * 1024;

/** Quotes a bad argument for an error message. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The longest delay a timer can hold (about 24.8 days); longer ones would fire at once. */
export const LONGEST_TIMER = 2_147_483_647;

/**
 * A timeout in ms: `undefined` (forever), `Infinity`, or a number ≥ 0. One
 * longer than a timer can hold means no deadline (`Infinity`).
 */
export function checkTimeout(value: unknown, what = 'timeout'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number of milliseconds, got ${quote(value)}`);
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`${what} must be ≥ 0 ms (or undefined to wait forever), got ${quote(value)}`);
  }
  return value > LONGEST_TIMER ? Infinity : value;
}

/** `maxsize ≤ 0`, `Infinity` or absent → `Infinity`; otherwise a positive integer. */
export function checkMaxsize(value: unknown): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number') throw new TypeError(`maxsize must be a number, got ${quote(value)}`);
  if (Number.isNaN(value)) throw new RangeError(`maxsize must be a number, got NaN`);
  if (value <= 0 || value === Infinity) return Infinity;
  if (!Number.isInteger(value)) throw new RangeError(`maxsize must be an integer, got ${quote(value)}`);
  return value;
}

/** A positive integer (counts such as `prefetch` or `concurrency`). */
export function checkCount(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${what} must be a positive integer, got ${quote(value)}`);
  if (value === Infinity) return value;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${quote(value)}`);
  return value;
}

/**
 * An options argument: `undefined` or an object whose keys are all among
 * `known` — a misspelt key (`{ maxSize: 10 }`) is a `TypeError` naming it,
 * never an option silently left at its default.
 */
export function checkOptions<T extends object>(value: unknown, what: string, known: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw new TypeError(`${what} must be an options object, got ${quote(value)}`);
  for (const key of Object.keys(value)) {
    if (!(known as readonly string[]).includes(key)) throw unknownOption(what, key, known);
  }
  return value as Partial<T>;
}

function unknownOption(what: string, key: string, known: readonly string[]): TypeError {
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
  const hint = near ? ` — did you mean ${JSON.stringify(near)}?` : '';
  const list = known.length > 0 ? `known options: ${known.join(', ')}` : 'it takes no options';
  return new TypeError(`${what}: unknown option ${JSON.stringify(key)}${hint} (${list})`);
}

/** Levenshtein distance, for "did you mean" hints on short option names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

export function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new TypeError(`signal must be an AbortSignal, got ${quote(value)}`);
  return value;
}

/**
 * A `scheduler` option: `undefined` (rxmp's own `asyncScheduler` then) or
 * a `SchedulerLike` — never one of another copy of rxjs, whose virtual
 * time would not be rxmp's (see `one-rxjs`).
 */
export function checkScheduler(value: unknown): SchedulerLike | undefined {
  if (value === undefined) {
    checkDefaultScheduler();
    return undefined;
  }
  if (value === null || typeof (value as SchedulerLike).schedule !== 'function' || typeof (value as SchedulerLike).now !== 'function') {
    throw new TypeError(`scheduler must be an RxJS SchedulerLike, got ${quote(value)}`);
  }
  checkSchedulerCopy(value as object);
  return value as SchedulerLike;
}

/** How long a call may wait, and what may withdraw it. */
export interface Wait {
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** No deadline, no signal: what a call without options waits. */
export const WAIT_FOREVER: Wait = Object.freeze({ timeout: undefined, signal: undefined });

/**
 * The effective wait of a put/get: `block: false` means 0 whatever the
 * timeout (Python's rule); otherwise the validated timeout.
 */
export function checkWait(opts: unknown, what: string): Wait {
  if (opts === undefined) return WAIT_FOREVER;
  const o = checkOptions<PutOptions>(opts, what, ['block', 'timeout', 'signal']);
  if (o.block !== undefined && typeof o.block !== 'boolean') {
    throw new TypeError(`block must be a boolean, got ${quote(o.block)}`);
  }
  const timeout = checkTimeout(o.timeout);
  return { timeout: o.block === false ? 0 : timeout, signal: checkSignal(o.signal) };
}

/** A connection's `{ timeout, signal }` (no `block`: a pipe has `poll` for that). */
export function checkWaitOptions(opts: unknown, what = 'options'): Wait {
  if (opts === undefined) return WAIT_FOREVER;
  const o = checkOptions<WaitOptions>(opts, what, ['timeout', 'signal']);
  return { timeout: checkTimeout(o.timeout), signal: checkSignal(o.signal) };
}

/** Views any bytes-like argument as a `Uint8Array` over the same memory (offsets count bytes, as Python). */
export function asBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`${what} must be a Uint8Array, Buffer, typed array, DataView or ArrayBuffer, got ${quote(value)}`);
}

function checkByteIndex(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number of bytes, got ${quote(value)}`);
  if (!Number.isInteger(value)) throw new RangeError(`${what} must be an integer, got ${quote(value)}`);
  if (value < 0) throw new RangeError(`${what} is negative: ${value}`);
  return value;
}

/** `sendBytes(buf, offset, size)` arguments, checked as Python checks them. Returns the bytes to send. */
export function checkSendRange(buf: unknown, offset: unknown, size: unknown): Uint8Array {
  const bytes = asBytes(buf, 'buf');
  const start = offset === undefined ? 0 : checkByteIndex(offset, 'offset');
  if (start > bytes.byteLength) throw new RangeError(`buffer length ${bytes.byteLength} < offset ${start}`);
  const length = size === undefined ? bytes.byteLength - start : checkByteIndex(size, 'size');
  if (start + length > bytes.byteLength) {
    throw new RangeError(`buffer length ${bytes.byteLength} < offset + size (${start} + ${length})`);
  }
  return bytes.subarray(start, start + length);
}

/** `recvBytesInto(buf, offset)` arguments. Returns the writable view and the offset. */
export function checkRecvInto(buf: unknown, offset: unknown): { bytes: Uint8Array; offset: number } {
  const bytes = asBytes(buf, 'buf');
  const start = offset === undefined ? 0 : checkByteIndex(offset, 'offset');
  if (start > bytes.byteLength) throw new RangeError(`offset ${start} is too large for a buffer of ${bytes.byteLength} bytes`);
  return { bytes, offset: start };
}

/** `recvBytes(maxlength)`: `undefined` for no limit, else an integer ≥ 0. */
export function checkMaxlength(value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  return checkByteIndex(value, 'maxlength');
}
