import { Packr, Unpackr } from 'msgpackr';
import { SerializationError } from '../errors.js';
import { messageOf } from './find-uncloneable.js';

/**
 * One pipe message as bytes, in the same structured-clone encoding the
 * frames use: what `recvBytes` returns for a message sent with `send`, and
 * what `recv` decodes for one sent with `sendBytes`.
 */
const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true });

/** Encodes a value that was already copied (and so checked) by `fastClone`. */
export function encodeMessage(value: unknown): Uint8Array {
  // Copied out: the encoder's buffer is shared with later messages.
  return Uint8Array.prototype.slice.call(packr.pack(value));
}

/** Decodes raw bytes as a message; bytes that are not one reject `SerializationError`. */
export function decodeMessage(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch (cause) {
    throw new SerializationError('$', `cannot decode a ${bytes.byteLength}-byte message: ${messageOf(cause)}`, { cause });
  }
}

/**
 * About how many bytes `value` takes encoded: what it counts against a
 * pipe's window. Cheap for primitives; nested data is walked a few levels.
 */
export function approximateSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
      return 9;
    case 'string':
      return value.length + 5;
    case 'bigint':
      return 16;
    case 'object':
      break;
    default:
      return 1;
  }
  if (value === null) return 1;
  if (ArrayBuffer.isView(value)) return value.byteLength + 6;
  if (value instanceof ArrayBuffer) return value.byteLength + 6;
  if (depth >= 8) return 16;
  let size = 5;
  if (Array.isArray(value)) {
    for (const v of value) size += approximateSize(v, depth + 1);
    return size;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) size += approximateSize(k, depth + 1) + approximateSize(v, depth + 1);
    return size;
  }
  if (value instanceof Set) {
    for (const v of value) size += approximateSize(v, depth + 1);
    return size;
  }
  for (const key of Object.keys(value)) size += key.length + 2 + approximateSize((value as Record<string, unknown>)[key], depth + 1);
  return size;
}
