import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, quote } from '../handle/options.js';
import { kPlace, type LockPlace, MutexLock } from '../sync/lock-base.js';
import type { Lock } from '../sync/lock.js';
import { lockAt } from '../sync/lock-kind.js';
import type { RLock } from '../sync/rlock.js';
import { remember } from '../transport/shm/identity.js';
import { Mapping } from '../transport/shm/mapping.js';
import { MUTEX_BYTES } from '../transport/shm/shared-mutex.js';
import { checkChar, checkElement, type Code, codeOf, type ElementOf, type InputOf, type Typecode } from './typecodes.js';

/** Options for `new Value()`. */
export interface ValueOptions {
  /**
   * `true`: a new `RLock` of its own (in the same shared memory, as
   * Python's default); a `Lock` or `RLock`: that one (several values may
   * share it); `false`: no lock (`getLock()` throws).
   * @default true
   */
  lock?: boolean | Lock | RLock;
}

/** Where a value's bytes are: `offset` into `mapping`, and its lock's place if it has one. */
export interface ValuePlace {
  mapping: Mapping;
  offset: number;
  lock: LockPlace | null;
}

export const kValuePlace = Symbol('rxmp.value.place');
export const kCode = Symbol('rxmp.value.code');

/** Set while `valueAt` builds a value over memory that exists already. */
let placing: ValuePlace | undefined;

/** The 8 bytes a value takes (aligned for every typecode, Atomics included). */
const CELL = 8;

/**
 * One typed element of shared memory: each read and each write is a
 * single atomic access (integer codes through `Atomics`), so no process
 * ever sees half a write. `v.value += 1` is still a read and then a
 * write, as in Python: take the lock (or use `Atomics` on a view) around it.
 */
abstract class Cell<T extends Typecode> {
  /** @internal */
  readonly [kValuePlace]: ValuePlace;
  /** @internal */
  readonly [kCode]: Code;
  private readonly view:
    | Int8Array
    | Uint8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array
    | Float32Array
    | Float64Array;

  constructor(typecode: T, initial: unknown, makePlace: (code: Code) => ValuePlace) {
    const code = codeOf(typecode);
    const revived = placing;
    placing = undefined;
    if (!revived && initial !== undefined) checkInitial(code, initial);
    this[kCode] = code;
    this[kValuePlace] = revived ?? makePlace(code);
    const { mapping, offset } = this[kValuePlace];
    this.view = new (code.Array as Int32ArrayConstructor)(mapping.buffer as unknown as ArrayBuffer, offset, 1);
    if (!revived && initial !== undefined) this.value = initial as InputOf<T>;
  }

  /** The ctypes typecode it was made with (`'i'`, `'d'`, `'c'`…). */
  get typecode(): T {
    return this[kCode].code as T;
  }

  /**
   * The value now, read in one atomic access (a `bigint` for 64-bit
   * integers, one byte as a `Uint8Array` for `'c'`). Setting it writes in one
   * access too, checked against the typecode (`RangeError`/`TypeError`).
   */
  get value(): ElementOf<T> {
    const view = this.view;
    switch (this[kCode].kind) {
      case 'float':
        return view[0] as ElementOf<T>;
      case 'char':
        return new Uint8Array([view[0] as number]) as ElementOf<T>;
      default:
        return Atomics.load(view as Int32Array, 0) as ElementOf<T>;
    }
  }

  /** Writes the value in one atomic access, checked against the typecode (`RangeError`/`TypeError`). */
  set value(value: InputOf<T>) {
    const code = this[kCode];
    const view = this.view;
    if (code.kind === 'float') view[0] = checkElement(code, value, 'value') as number;
    else if (code.kind === 'char') Atomics.store(view as Uint8Array, 0, checkChar(value, 'value'));
    else Atomics.store(view as Int32Array, 0, checkElement(code, value, 'value') as number);
  }

  /** `Value('i', 42)`, as Python's `repr`. */
  toString(): string {
    return `${this.constructor.name}('${this.typecode}', ${String(this.value)})`;
  }
}

function checkInitial(code: Code, initial: unknown): void {
  if (code.kind === 'char') checkChar(initial, 'initial value');
  else checkElement(code, initial, 'initial value');
}

/**
 * A typed value in shared memory with no lock (Python's `RawValue`),
 * zero when no initial value is given.
 *
 * @example
 * const flag = new RawValue('B');
 * new Process({ target, args: [flag] }).start();   // the child sets flag.value = 1
 */
export class RawValue<T extends Typecode = Typecode> extends Cell<T> {
  constructor(typecode: T, initial?: InputOf<T>) {
    super(typecode, initial, () => ({ mapping: Mapping.anonymous(CELL), offset: 0, lock: null }));
    remember(valueKey('raw', this[kValuePlace]), this);
  }
}

/**
 * A typed value in shared memory with a lock (Python's `Value`): `value`
 * reads and writes it (each access atomic), `getLock()` is the lock to hold
 * around a read-modify-write, `getObj()` the same memory as a `RawValue`.
 *
 * @example
 * const counter = new Value('i', 0);
 * await counter.getLock().runExclusive(() => { counter.value += 1; });
 */
export class Value<T extends Typecode = Typecode> extends Cell<T> {
  private readonly lock: Lock | RLock | null;
  private raw: RawValue<T> | undefined;

  constructor(typecode: T, initial?: InputOf<T>, options?: ValueOptions) {
    const lockOption = checkLockOption(options);
    super(typecode, initial, () => placeWithLock(CELL, lockOption));
    const place = this[kValuePlace];
    this.lock = place.lock ? lockAt(place.lock) : null;
    remember(valueKey('value', place), this);
  }

  /** The lock that guards this value (`TypeError` for a value made with `lock: false`). */
  getLock(): Lock | RLock {
    if (!this.lock) throw new TypeError('this Value was made with lock: false and has no lock');
    return this.lock;
  }

  /** The same memory with no lock around it (Python's `get_obj()`). */
  getObj(): RawValue<T> {
    this.raw ??= valueAt('raw', { ...this[kValuePlace], lock: null }, this.typecode) as RawValue<T>;
    return this.raw;
  }
}

markHandle(RawValue, 'raw-value');
markHandle(Value, 'value');

/** A value (or raw value) over memory that exists already: a revived handle, or `getObj()`. */
export function valueAt(kind: 'raw' | 'value', place: ValuePlace, typecode: Typecode): RawValue | Value {
  placing = place;
  try {
    return kind === 'raw' ? new RawValue(typecode) : new Value(typecode);
  } finally {
    placing = undefined;
  }
}

/** The one key a value is known by in each thread. */
export function valueKey(kind: 'raw' | 'value', place: ValuePlace): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `${kind}:${key}:${place.offset}`;
}

export function checkLockOption(options: unknown): boolean | Lock | RLock {
  const o = checkOptions<ValueOptions>(options ?? {}, 'options', ['lock']);
  if (o.lock === undefined) return true;
  if (typeof o.lock === 'boolean' || o.lock instanceof MutexLock) return o.lock;
  throw new TypeError(`lock must be true, false, a Lock or an RLock, got ${quote(o.lock)}`);
}

/** Memory for `bytes` of data, with its own RLock in front of it when `lock` is `true`. */
export function placeWithLock(bytes: number, lock: boolean | Lock | RLock): ValuePlace {
  if (lock !== true) {
    return { mapping: Mapping.anonymous(bytes), offset: 0, lock: lock === false ? null : lock[kPlace] };
  }
  const mapping = Mapping.anonymous(MUTEX_BYTES + bytes);
  return { mapping, offset: MUTEX_BYTES, lock: { mapping, offset: 0, reentrant: true } };
}
