import { Packr, Unpackr } from 'msgpackr';
import { SerializationError } from '../errors.js';
import { messageOf } from './find-uncloneable.js';
import { withWireErrors } from './wire-errors.js';

/**
 * One pipe message as bytes, in the same structured-clone encoding the
 * frames use: what `recvBytes` returns for a message sent with `send`, and
 * what `recv` decodes for one sent with `sendBytes`.
 */
const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true, copyBuffers: true });

/** Encodes a value that was already copied (and so checked) by `fastClone`. */
export function encodeMessage(value: unknown): Uint8Array {
  let packed: Uint8Array;
  try {
    packed = withWireErrors(() => packr.pack(value));
  } catch (cause) {
    // Only when called with much of the stack already used (fastClone bounds the nesting).
    throw new SerializationError('$', `$ could not be encoded here: ${messageOf(cause)}`, { cause });
  }
  // Copied out: the encoder's buffer is shared with later messages.
  const bytes = Buffer.allocUnsafeSlow(packed.byteLength);
  bytes.set(packed);
  if (packed.buffer.byteLength > 1024 * 1024) packr.useBuffer(Buffer.allocUnsafeSlow(8192));
  return bytes;
}

/** Decodes raw bytes as a message; bytes that are not one reject `SerializationError`. */
export function decodeMessage(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch (cause) {
    throw new SerializationError('$', `cannot decode a ${bytes.byteLength}-byte message: ${messageOf(cause)}`, { cause });
  }
}

/** Past this many objects the estimate stops walking (a send must never stall on a dense graph). */
const SIZE_WALK_LIMIT = 10_000;

/**
 * About how many bytes `value` takes encoded: what it counts against a
 * pipe's window. Cheap for primitives; objects are each counted once
 * (shared references and cycles cost nothing more), up to a walk limit.
 */
export function approximateSize(value: unknown): number {
  if (value === null || typeof value !== 'object') return primitiveSize(value);
  let size = 0;
  let walked = 0;
  const seen = new Set<object>();
  const stack: object[] = [value];
  while (stack.length > 0) {
    const object = stack.pop() as object;
    if (seen.has(object)) continue;
    seen.add(object);
    if (++walked > SIZE_WALK_LIMIT) return size + 16 * stack.length;
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      size += object.byteLength + 6;
      continue;
    }
    size += 5;
    const add = (v: unknown): void => {
      if (v !== null && typeof v === 'object') stack.push(v);
      else size += primitiveSize(v);
    };
    if (Array.isArray(object) || object instanceof Set) for (const v of object) add(v);
    else if (object instanceof Map) {
      for (const [k, v] of object) {
        add(k);
        add(v);
      }
    } else {
      for (const key of Object.keys(object)) {
        size += key.length + 2;
        add((object as Record<string, unknown>)[key]);
      }
    }
  }
  return size;
}

function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return 9;
    case 'string':
      return value.length + 5;
    case 'bigint':
      return 16;
    default:
      return 1;
  }
}
