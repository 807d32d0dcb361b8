import { types } from 'node:util';
import { SerializationError } from '../errors.js';
import { HANDLE_KIND, uncloneableError } from './find-uncloneable.js';
import { MAX_ITEM_BYTES } from './framing.js';
import { LARGE_ITEM_BYTES, noteSize } from './item-size.js';
import {
  describeKey,
  explained,
  formatKey,
  LONE_SURROGATE,
  nameOf,
  Refusal,
  serializationError,
  SHARED,
  sizeReason,
  tooLarge,
  within,
} from './refusal.js';

declare global {
  interface String {
    /** ES2024; in Node since 20. */
    isWellFormed(): boolean;
  }
}

/**
 * The deepest a value may nest (objects, arrays, Maps in one another; a Set
 * or an Error's cause counts twice, as the wire encoder spends two levels of
 * its stack on each).
 *
 * Measured on Node 20 with the default stack (984 KiB): msgpackr's encoder
 * overflows at about 1,200 nested objects, 1,400 arrays, 1,700 Maps or 700
 * Sets, its decoder at about 3,000 objects, `structuredClone` at 1,900 and
 * this copy at 2,400. At 512 the encoder needs less than half the stack, so
 * a flush still fits when it runs from a caller that already uses the other
 * half (a flush can run inside a `put`), and the decoder needs a fifth. A
 * worker thread's stack is four times larger.
 */
export const MAX_DEPTH = 512;

/**
 * Copies `value` with structured-clone semantics, fast for plain data, and
 * refuses — with a `SerializationError` naming the path — every value the
 * wire between processes could not carry as it is: functions, symbols,
 * promises, handles, shared memory (`SharedArrayBuffer` and views over it),
 * `Blob`s and other host objects, strings or keys holding a lone surrogate
 * (UTF-8 cannot), nesting deeper than `MAX_DEPTH`, and values too large for
 * one frame (`MAX_ITEM_BYTES`). The copy is what arrives in another process
 * too, so a queue behaves the same before and after it is shared:
 *
 * - primitives are returned as they are (`-0` becomes `0`, a boxed one its value);
 * - plain objects, arrays (holes become `undefined`, non-index properties
 *   are left out), Maps and Sets are copied here, keeping shared references
 *   and cycles;
 * - a Buffer stays a Buffer, a typed array or DataView becomes a copy of
 *   exactly the bytes it views;
 * - Dates and RegExps are copied as structuredClone copies them, Errors too
 *   (their cause copied here, within the value);
 * - other objects go through `structuredClone` (a class instance becomes a
 *   plain object of its own enumerable properties), then are copied here.
 *
 * This is the copy a `put`/`send` takes at the call; the wire encodes it
 * later, in a batch with others.
 */
export function fastClone<T>(value: T): T {
  switch (typeof value) {
    case 'number':
      return (value === 0 ? 0 : value) as T; // -0 too: msgpack has no negative integer zero
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return value;
    case 'string':
      if (!value.isWellFormed()) throw new SerializationError('$', `$ ${LONE_SURROGATE}`);
      if (value.length >= LARGE_STRING && Buffer.byteLength(value) > MAX_ITEM_BYTES)
        throw new SerializationError('$', tooLarge('$', Buffer.byteLength(value)));
      return value;
    case 'object':
      if (value === null) return value;
      break;
    default:
      throw uncloneableError(value, new TypeError(`${typeof value} could not be cloned`));
  }
  // A getter read during the copy may itself copy a value (a put inside a getter).
  const outerDepth = depth;
  const outerBytes = bytes;
  depth = 0;
  bytes = 0;
  try {
    const copied = copy(value as object, undefined);
    if (bytes > MAX_ITEM_BYTES) throw new Refusal(sizeReason(bytes), undefined, true);
    if (bytes >= LARGE_ITEM_BYTES) noteSize(copied as object, bytes);
    return copied as T;
  } catch (error) {
    throw serializationError(error);
  } finally {
    depth = outerDepth;
    bytes = outerBytes;
  }
}

const LARGE_STRING = 1 << 16;

/** Nesting of the object being copied (see MAX_DEPTH). */
let depth = 0;
/** Bytes the copy so far takes encoded, at least. */
let bytes = 0;

function copy(object: object, seen: Map<object, unknown> | undefined): unknown {
  const known = seen?.get(object);
  if (known !== undefined) return known;
  if (++depth > MAX_DEPTH) throw new Refusal(`is nested more than ${MAX_DEPTH} levels deep, deeper than the wire encoding can carry`);
  let out: unknown;
  if (Array.isArray(object)) out = copyArray(object, seen ?? new Map());
  else {
    const proto = Object.getPrototypeOf(object);
    if (proto === Object.prototype || proto === null) out = copyObject(object as Record<string, unknown>, seen);
    else out = copyExotic(object, seen ?? new Map(), undefined);
  }
  depth--;
  return out;
}

function copyArray(array: unknown[], seen: Map<object, unknown>): unknown[] {
  const n = array.length;
  if (n > MAX_ITEM_BYTES) throw new Refusal(sizeReason(n), undefined, true);
  const out: unknown[] = new Array(n);
  seen.set(array, out);
  let i = 0;
  try {
    let small = 0;
    for (; i < n; i++) {
      const v = array[i];
      if (typeof v === 'number') {
        // The most common leaves, inline: their sizes summed here, -0 as it arrives elsewhere.
        small += numberBytes(v);
        out[i] = v === 0 ? 0 : v;
      } else if (typeof v === 'string' && v.length < LARGE_STRING) {
        if (!v.isWellFormed()) throw new Refusal(LONE_SURROGATE);
        small += v.length;
        out[i] = v;
      } else out[i] = v !== null && typeof v === 'object' ? copy(v, seen) : leaf(v);
    }
    bytes += small;
  } catch (error) {
    throw within(error, `[${i}]`);
  }
  return out;
}

function copyObject(object: Record<string, unknown>, seen: Map<object, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let map = seen;
  map?.set(object, out);
  const keys = Object.keys(object);
  let key = '';
  try {
    let small = 0;
    for (let i = 0; i < keys.length; i++) {
      key = keys[i] as string;
      // Assigning it would set the copy's prototype, and the wire encoding renames it: refuse it plainly.
      if (key === '__proto__') throw new Refusal('is an own property named "__proto__", which cannot be carried');
      if (!key.isWellFormed()) throw new Refusal(LONE_SURROGATE_KEY);
      const v = object[key];
      if (typeof v === 'number') {
        small += numberBytes(v);
        out[key] = v === 0 ? 0 : v;
      } else if (typeof v === 'string' && v.length < LARGE_STRING) {
        // Short strings, inline too (a long one may need its UTF-8 length, in `leaf`).
        if (!v.isWellFormed()) throw new Refusal(LONE_SURROGATE);
        small += v.length;
        out[key] = v;
      } else if (v !== null && typeof v === 'object') {
        if (!map) {
          map = new Map<object, unknown>();
          map.set(object, out);
        }
        out[key] = copy(v, map);
      } else {
        out[key] = leaf(v);
      }
    }
    bytes += small;
  } catch (error) {
    throw within(error, formatKey(key));
  }
  // msgpackr takes an object whose `constructor` is not Object for a class
  // instance, and calls its `toJSON` if it has one: it would throw on this one.
  if (out.constructor !== Object && out.toJSON)
    throw new Refusal('has own properties "constructor" and "toJSON", which the wire encoding cannot carry together');
  return out;
}

/** Everything that is not a plain object or array; `cloneOf` is the original when `object` is its structured clone. */
function copyExotic(object: object, seen: Map<object, unknown>, cloneOf: object | undefined): unknown {
  // Containers are walked here, so that what they hold keeps its identity (a Map holding its owner).
  if (object instanceof Map) return copyMap(object, seen);
  if (object instanceof Set) return copySet(object, seen);
  if (ArrayBuffer.isView(object)) return copyView(object, seen);
  if (types.isArrayBuffer(object)) return keep(seen, object, copyBytes(object, 0, object.byteLength));
  if (types.isSharedArrayBuffer(object)) throw new Refusal(SHARED);
  if (types.isDate(object)) return keep(seen, object, new Date(Date.prototype.getTime.call(object)));
  if (types.isRegExp(object)) {
    const re = structuredClone(object); // as the platform copies it: source and flags, lastIndex 0
    checkString(re.source);
    return keep(seen, object, re);
  }
  // Boxed primitives travel as their value (the wire encoding would keep none of it).
  if (types.isBoxedPrimitive(object)) return leaf((object as { valueOf(): unknown }).valueOf());
  if (types.isNativeError(object)) return copyError(object as Error, seen);
  if ((object as { [HANDLE_KIND]?: string })[HANDLE_KIND] !== undefined) throw explained(object, undefined);
  if (cloneOf)
    throw new Refusal(
      `is a ${nameOf(cloneOf)}, which cannot be copied to another process${object instanceof Blob ? ' (its bytes can only be read asynchronously: put new Uint8Array(await blob.arrayBuffer()) instead)' : ''}`,
    );
  // Anything else: the platform's own structured clone decides what it is as data (a RegExp,
  // a class instance as a plain object, a value from another realm...), then it is copied as that.
  let clone: unknown;
  try {
    clone = structuredClone(object);
  } catch (cause) {
    throw explained(object, cause);
  }
  let out: unknown;
  if (clone === null || typeof clone !== 'object') out = leaf(clone);
  else if (Array.isArray(clone)) out = copyArray(clone, seen);
  else {
    const proto = Object.getPrototypeOf(clone);
    out =
      proto === Object.prototype || proto === null ? copyObject(clone as Record<string, unknown>, seen) : copyExotic(clone, seen, object);
  }
  seen.set(object, out);
  return out;
}

function copyMap(map: Map<unknown, unknown>, seen: Map<object, unknown>): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  seen.set(map, out);
  let i = 0;
  let key: unknown;
  let atKey = true;
  try {
    for (const [k, v] of map) {
      key = k;
      atKey = true;
      const kc = k !== null && typeof k === 'object' ? copy(k, seen) : leaf(k);
      atKey = false;
      out.set(kc, v !== null && typeof v === 'object' ? copy(v, seen) : leaf(v));
      i++;
    }
  } catch (error) {
    throw within(error, atKey ? `.<key ${i}>` : `.get(${describeKey(key)})`);
  }
  return out;
}

function copySet(set: Set<unknown>, seen: Map<object, unknown>): Set<unknown> {
  const out = new Set<unknown>();
  seen.set(set, out);
  depth++;
  let i = 0;
  try {
    for (const v of set) {
      out.add(v !== null && typeof v === 'object' ? copy(v, seen) : leaf(v));
      i++;
    }
  } catch (error) {
    throw within(error, `.<item ${i}>`);
  }
  depth--;
  return out;
}

const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)?.get as (
  this: unknown,
) => string | undefined;

/** A copy of exactly the bytes a view covers (a Buffer stays a Buffer; a subclass becomes its standard type). */
function copyView(view: ArrayBufferView, seen: Map<object, unknown>): unknown {
  if (types.isSharedArrayBuffer(view.buffer)) throw new Refusal(SHARED);
  const { byteOffset, byteLength } = view;
  addBytes(byteLength);
  let out: ArrayBufferView;
  if (Buffer.isBuffer(view)) {
    out = Buffer.allocUnsafeSlow(byteLength);
    (out as Buffer).set(view);
  } else {
    const bytesCopy = copyBytes(view.buffer, byteOffset, byteLength);
    const name = typedArrayName.call(view);
    out =
      name === undefined
        ? new DataView(bytesCopy)
        : new (
            (globalThis as unknown as Record<string, new (b: ArrayBuffer) => ArrayBufferView>)[name] as new (
              b: ArrayBuffer,
            ) => ArrayBufferView
          )(bytesCopy);
  }
  return keep(seen, view, out);
}

function copyBytes(buffer: ArrayBufferLike, offset: number, length: number): ArrayBuffer {
  addBytes(length);
  const out = new ArrayBuffer(length);
  new Uint8Array(out).set(new Uint8Array(buffer, offset, length));
  return out;
}

/** An Error as structuredClone copies it (class, message, stack), with its cause copied here. */
function copyError(error: Error, seen: Map<object, unknown>): Error {
  let out: Error;
  try {
    out = structuredClone(error);
  } catch (cause) {
    throw explained(error, cause);
  }
  seen.set(error, out);
  depth++;
  try {
    if (Object.hasOwn(out, 'message')) checkString(out.message);
    if (typeof out.stack === 'string') checkString(out.stack);
  } catch (failure) {
    throw within(failure, '');
  }
  if (Object.hasOwn(error, 'cause')) {
    let cause: unknown;
    try {
      const v = error.cause;
      cause = v !== null && typeof v === 'object' ? copy(v, seen) : leaf(v);
    } catch (failure) {
      throw within(failure, '.cause');
    }
    Object.defineProperty(out, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }
  depth--;
  return out;
}

function leaf(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      // msgpack takes 1 to 5 bytes for a 32-bit integer, 9 for any other number.
      bytes += numberBytes(v);
      return v === 0 ? 0 : v; // -0 arrives as 0 in another process: here too
    case 'string':
      checkString(v);
      return v;
    case 'boolean':
    case 'undefined':
      bytes += 1;
      return v;
    case 'bigint':
      bytes += 9;
      return v;
    case 'object':
      bytes += 1;
      return v; // null: other objects are copied by the caller
    default:
      throw new Refusal(`is a ${typeof v}`);
  }
}

function checkString(s: string): void {
  if (!s.isWellFormed()) throw new Refusal(LONE_SURROGATE);
  addBytes(s.length < LARGE_STRING ? s.length : Buffer.byteLength(s));
}

/** What a number takes in msgpack, at least: 1 to 5 bytes for a 32-bit integer, 9 for any other. */
function numberBytes(v: number): number {
  return v >>> 0 === v || v >> 0 === v ? 1 : 9;
}

const LONE_SURROGATE_KEY = 'is a key with a lone surrogate (not valid Unicode text), which UTF-8 cannot carry';

function addBytes(n: number): void {
  bytes += n;
  if (bytes > MAX_ITEM_BYTES) throw new Refusal(sizeReason(bytes), undefined, true);
}

function keep<T>(seen: Map<object, unknown>, original: object, out: T): T {
  seen.set(original, out);
  return out;
}
