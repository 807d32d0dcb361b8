import { fastClone } from '../wire/fast-clone.js';
import { decodeMessage, encodeMessage } from '../wire/message-codec.js';

/** The bytes every entry starts with: `rx`, version 1. */
const MAGIC = [0x72, 0x78, 0x01] as const;
const HEADER = 7;

/**
 * An item as an entry (see `protocol.ts`): copied (throwing
 * `SerializationError` synchronously when it cannot be) and encoded.
 */
export function encodeEntry(item: unknown, attempts = 0): Buffer {
  const body = encodeMessage(fastClone(item));
  const entry = Buffer.allocUnsafe(HEADER + body.byteLength);
  entry[0] = MAGIC[0];
  entry[1] = MAGIC[1];
  entry[2] = MAGIC[2];
  entry.writeUInt32BE(Math.min(attempts, 0xffffffff), 3);
  entry.set(body, HEADER);
  return entry;
}

/** The same entry with another attempt count (the body is not re-encoded). */
export function withAttempts(entry: Buffer, attempts: number): Buffer {
  const copy = Buffer.from(entry);
  copy.writeUInt32BE(Math.min(attempts, 0xffffffff), 3);
  return copy;
}

/** Whether `entry` starts like one rxmp wrote. */
export function isEntry(entry: Buffer): boolean {
  return entry.byteLength > HEADER && entry[0] === MAGIC[0] && entry[1] === MAGIC[1] && entry[2] === MAGIC[2];
}

/** The item and its attempts; throws (`SerializationError`) when `entry` is not one rxmp wrote. */
export function decodeEntry<T>(entry: Buffer): { item: T; attempts: number } {
  if (!isEntry(entry)) throw new TypeError('not an rxmp entry');
  return { item: decodeMessage(entry.subarray(HEADER)) as T, attempts: entry.readUInt32BE(3) };
}
