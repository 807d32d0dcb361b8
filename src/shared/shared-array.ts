import { markHandle } from '../handle/handle-kinds.js';
import { quote } from '../handle/options.js';
import type { Lock } from '../sync/lock.js';
import { lockAt } from '../sync/lock-kind.js';
import type { RLock } from '../sync/rlock.js';
import { once, remember } from '../transport/shm/identity.js';
import { Mapping } from '../transport/shm/mapping.js';
import { checkChar, checkElement, type ArrayElementOf, type Code, codeOf, type Typecode, type TypedArrayOf } from './typecodes.js';
import { checkLockOption, placeWithLock, type ValueOptions, type ValuePlace } from './value.js';

/** Options for `new SharedArray()`: its lock, as a `Value`'s. */
export type SharedArrayOptions = ValueOptions;

/** What an array is made from: a length (zero-filled) or its elements. */
export type ArrayInitializer<T extends Typecode> =
  | number
  | (T extends 'c' ? Uint8Array | Iterable<number> : Iterable<ArrayElementOf<T>> | ArrayLike<ArrayElementOf<T>>);

/** A 'c' array's byte-string faces (Python's `SynchronizedString`). */
export interface CharArray {
  /** The bytes up to the first NUL; setting writes them and a NUL after them when there is room. */
  value: Uint8Array;
  /** Every byte; setting a shorter one overwrites the start. */
  raw: Uint8Array;
}

/** A typed array over shared memory (Python's `RawArray`): index it, iterate it, `set`, `slice`, `Atomics`. */
export type RawArray<T extends Typecode = Typecode> = TypedArrayOf[T] & {
  /** The ctypes typecode it was made with. */
  readonly typecode: T;
} & (T extends 'c' ? CharArray : unknown);

/** A `RawArray` with a lock (Python's `Array`). */
export type SharedArray<T extends Typecode = Typecode> = RawArray<T> & {
  /** The lock that guards the array (`TypeError` for one made with `lock: false`). */
  getLock(): Lock | RLock;
  /** The same memory with no lock around it. */
  getObj(): RawArray<T>;
};

export type ArrayKind = 'raw' | 'shared';

interface ArrayState {
  readonly kind: ArrayKind;
  readonly code: Code;
  readonly place: ValuePlace;
  readonly lock: Lock | RLock | null;
  raw?: RawArray;
}

const states = new WeakMap<object, ArrayState>();

/** The state of an array made here (undefined for any other object). */
export function arrayState(array: object): ArrayState | undefined {
  return states.get(array);
}

// One subclass of the right typed array per kind and typecode, made on first use.
const subclasses = new Map<string, new (buffer: SharedArrayBuffer, offset: number, length: number) => object>();

function subclassOf(kind: ArrayKind, code: Code): new (buffer: SharedArrayBuffer, offset: number, length: number) => object {
  const id = `${kind}:${code.code}`;
  const known = subclasses.get(id);
  if (known) return known;
  const Base = code.Array as unknown as new (...args: unknown[]) => object;
  const Sub = class extends Base {
    // slice(), map(), filter() give plain copies; subarray() a plain view of the same memory.
    static get [Symbol.species]() {
      return Base;
    }
  };
  Object.defineProperty(Sub, 'name', { value: kind === 'raw' ? 'RawArray' : 'SharedArray' });
  const proto = Sub.prototype as object;
  Object.defineProperty(proto, 'typecode', { get: () => code.code, configurable: true });
  if (kind === 'shared') Object.defineProperties(proto, Object.getOwnPropertyDescriptors(SharedMethods.prototype));
  if (code.kind === 'char') Object.defineProperties(proto, Object.getOwnPropertyDescriptors(CharMethods.prototype));
  Object.defineProperty(proto, Symbol.toStringTag, { get: () => (kind === 'raw' ? 'RawArray' : 'SharedArray') });
  markHandle(Sub, kind === 'raw' ? 'raw-array' : 'shared-array');
  subclasses.set(id, Sub as never);
  return Sub as never;
}

class SharedMethods {
  getLock(this: object): Lock | RLock {
    const state = states.get(this);
    if (!state?.lock) throw new TypeError('this SharedArray was made with lock: false and has no lock');
    return state.lock;
  }

  getObj(this: object): RawArray {
    const state = states.get(this) as ArrayState;
    state.raw ??= arrayAt('raw', state.code.code, { ...state.place, lock: null }, (this as Uint8Array).length);
    return state.raw;
  }
}

class CharMethods {
  get value(): Uint8Array {
    const bytes = this as unknown as Uint8Array;
    const end = bytes.indexOf(0);
    return Uint8Array.prototype.slice.call(bytes, 0, end < 0 ? bytes.length : end);
  }

  set value(value: Uint8Array) {
    const bytes = this as unknown as Uint8Array;
    checkBytes(value, bytes.length);
    Uint8Array.prototype.set.call(bytes, value);
    if (value.length < bytes.length) bytes[value.length] = 0;
  }

  get raw(): Uint8Array {
    return Uint8Array.prototype.slice.call(this as unknown as Uint8Array);
  }

  set raw(value: Uint8Array) {
    const bytes = this as unknown as Uint8Array;
    checkBytes(value, bytes.length);
    Uint8Array.prototype.set.call(bytes, value);
  }
}

function checkBytes(value: unknown, length: number): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`bytes expected (a Uint8Array), got ${quote(value)}`);
  if (value.length > length) throw new RangeError(`${value.length} bytes do not fit in ${length}`);
}

/** The array of `kind` over `place` (a revived handle, or `getObj()`): one object per thread. */
export function arrayAt<T extends Typecode>(kind: ArrayKind, typecode: T, place: ValuePlace, length: number): RawArray<T> {
  const key = place.mapping.key;
  return once(key === undefined ? undefined : `${kind}-array:${key}:${place.offset}`, () =>
    build(kind, codeOf(typecode), place, length),
  ) as RawArray<T>;
}

function build(kind: ArrayKind, code: Code, place: ValuePlace, length: number): object {
  const array = Reflect.construct(code.Array, [place.mapping.buffer, place.offset, length], subclassOf(kind, code)) as object;
  states.set(array, { kind, code, place, lock: place.lock ? lockAt(place.lock) : null });
  return array;
}

/** The elements of an initializer, checked; a number is a length. */
function elementsOf(code: Code, init: unknown): { length: number; elements: (number | bigint)[] | undefined } {
  if (typeof init === 'number') {
    if (!Number.isSafeInteger(init) || init < 0) throw new RangeError(`array length must be a whole number ≥ 0, got ${quote(init)}`);
    return { length: init, elements: undefined };
  }
  const iterable = init !== null && typeof init === 'object' && Symbol.iterator in init;
  const arrayLike = init !== null && typeof init === 'object' && typeof (init as ArrayLike<unknown>).length === 'number';
  if (!iterable && !arrayLike) {
    throw new TypeError(`sizeOrInitializer must be a length or an iterable of elements, got ${quote(init)}`);
  }
  const items = Array.from(init as Iterable<unknown>);
  const elements = items.map((item, i) =>
    code.kind === 'char' ? checkChar(item, `element ${i}`) : checkElement(code, item, `element ${i}`),
  );
  return { length: elements.length, elements };
}

function make(kind: ArrayKind, typecode: unknown, init: unknown, options: unknown): object {
  const code = codeOf(typecode);
  const lock = kind === 'shared' ? checkLockOption(options) : false;
  const { length, elements } = elementsOf(code, init);
  const bytes = length * code.size;
  const place = kind === 'shared' ? placeWithLock(bytes, lock) : { mapping: Mapping.anonymous(bytes), offset: 0, lock: null };
  const array = build(kind, code, place, length);
  if (elements) (array as unknown as { set(values: ArrayLike<number | bigint>): void }).set(elements);
  const key = place.mapping.key;
  if (key !== undefined) remember(`${kind}-array:${key}:${place.offset}`, array);
  return array;
}

/** `new RawArray(typecode, sizeOrInitializer)`: what `RawArray` is called with. */
export interface RawArrayConstructor {
  /**
   * A zero-filled array of `length`, or one holding the given elements
   * (each type- and range-checked: `TypeError`/`RangeError`).
   * @example const a = new RawArray('d', 1024);
   */
  new <T extends Typecode>(typecode: T, sizeOrInitializer: ArrayInitializer<T>): RawArray<T>;
}

/** `new SharedArray(typecode, sizeOrInitializer, options?)`: what `SharedArray` is called with. */
export interface SharedArrayConstructor {
  /**
   * As `RawArray`, with a lock (`options.lock`, as `Value`'s).
   * @example const totals = new SharedArray('i', 8); await totals.getLock().runExclusive(() => { totals[0] += 1; });
   */
  new <T extends Typecode>(typecode: T, sizeOrInitializer: ArrayInitializer<T>, options?: SharedArrayOptions): SharedArray<T>;
}

/** Python's `RawArray`: a typed array over shared memory, passed to children as a handle. */
export const RawArray = class RawArray {
  constructor(typecode: Typecode, sizeOrInitializer: unknown) {
    // biome-ignore lint/correctness/noConstructorReturn: the array is a real typed array (indexing at native speed)
    return make('raw', typecode, sizeOrInitializer, undefined) as RawArray;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && states.get(value)?.kind === 'raw';
  }
} as unknown as RawArrayConstructor;

/** Python's `Array` (renamed: it would shadow JavaScript's own): a `RawArray` with a lock. */
export const SharedArray = class SharedArray {
  constructor(typecode: Typecode, sizeOrInitializer: unknown, options?: SharedArrayOptions) {
    // biome-ignore lint/correctness/noConstructorReturn: as RawArray's
    return make('shared', typecode, sizeOrInitializer, options) as SharedArray;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && states.get(value)?.kind === 'shared';
  }
} as unknown as SharedArrayConstructor;
