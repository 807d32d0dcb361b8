/**
 * How values become bytes and back. Every codec keeps structured-clone
 * semantics (Map, Set, Date, BigInt, typed arrays, Errors, cycles) and fails
 * with a `SerializationError` that names the offending path.
 */
export interface Codec {
  readonly name: string;
  /** Throws `SerializationError` when `value` cannot be copied. */
  encode(value: unknown): Uint8Array;
  /** Throws `SerializationError` when `bytes` are not a message of this codec. */
  decode(bytes: Uint8Array): unknown;
}
