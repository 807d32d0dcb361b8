import v8 from 'node:v8';
import { SerializationError } from '../errors.js';
import type { Codec } from './codec.js';
import { messageOf, uncloneableError } from './find-uncloneable.js';

/** V8's own structured-clone wire format (`v8.serialize`). */
export const v8Codec: Codec = {
  name: 'v8',
  encode(value: unknown): Uint8Array {
    try {
      return v8.serialize(value);
    } catch (cause) {
      throw uncloneableError(value, cause);
    }
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return v8.deserialize(bytes);
    } catch (cause) {
      throw new SerializationError('$', `cannot decode a ${bytes.byteLength}-byte message: ${messageOf(cause)}`, { cause });
    }
  },
};
