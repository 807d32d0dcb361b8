import { quote } from '../handle/options.js';

/** Python's ctypes typecodes (`'l'`/`'L'` are C's 64-bit long, as on Linux and macOS). */
export type Typecode = 'c' | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';

/** The typed array each typecode's elements live in. */
export interface TypedArrayOf {
  /** `char`: one byte. */
  c: Uint8Array;
  /** `signed char`. */
  b: Int8Array;
  /** `unsigned char`. */
  B: Uint8Array;
  /** `short`. */
  h: Int16Array;
  /** `unsigned short`. */
  H: Uint16Array;
  /** `int`. */
  i: Int32Array;
  /** `unsigned int`. */
  I: Uint32Array;
  /** `long` (64-bit here). */
  l: BigInt64Array;
  /** `unsigned long` (64-bit here). */
  L: BigUint64Array;
  /** `long long`. */
  q: BigInt64Array;
  /** `unsigned long long`. */
  Q: BigUint64Array;
  /** `float`. */
  f: Float32Array;
  /** `double`. */
  d: Float64Array;
}

/** What a typecode's value is in JavaScript: 'c' is one byte, 64-bit integers are `bigint`. */
export type ElementOf<T extends Typecode> = T extends 'c' ? Uint8Array : T extends 'l' | 'L' | 'q' | 'Q' ? bigint : number;

/** What a value of a typecode may be set to: a 'c' value also takes a byte as a number. */
export type InputOf<T extends Typecode> = T extends 'c' ? Uint8Array | number : ElementOf<T>;

/** What an array of a typecode is filled with. */
export type ArrayElementOf<T extends Typecode> = T extends 'l' | 'L' | 'q' | 'Q' ? bigint : number;

type AnyTypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export interface Code {
  readonly code: Typecode;
  readonly Array: AnyTypedArrayConstructor;
  readonly size: number;
  readonly kind: 'int' | 'bigint' | 'float' | 'char';
  /** Inclusive bounds of an integer code. */
  readonly min: number | bigint;
  readonly max: number | bigint;
}

function int(code: Typecode, array: AnyTypedArrayConstructor, bits: number, signed: boolean): Code {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return { code, Array: array, size: bits / 8, kind: 'int', min, max };
}

function big(code: Typecode, array: AnyTypedArrayConstructor, signed: boolean): Code {
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  return { code, Array: array, size: 8, kind: 'bigint', min, max };
}

const CODES: Readonly<Record<Typecode, Code>> = {
  c: { code: 'c', Array: Uint8Array, size: 1, kind: 'char', min: 0, max: 255 },
  b: int('b', Int8Array, 8, true),
  B: int('B', Uint8Array, 8, false),
  h: int('h', Int16Array, 16, true),
  H: int('H', Uint16Array, 16, false),
  i: int('i', Int32Array, 32, true),
  I: int('I', Uint32Array, 32, false),
  l: big('l', BigInt64Array, true),
  L: big('L', BigUint64Array, false),
  q: big('q', BigInt64Array, true),
  Q: big('Q', BigUint64Array, false),
  f: { code: 'f', Array: Float32Array, size: 4, kind: 'float', min: -Infinity, max: Infinity },
  d: { code: 'd', Array: Float64Array, size: 8, kind: 'float', min: -Infinity, max: Infinity },
};

/** The typecode's description; anything else is a `TypeError` listing the codes. */
export function codeOf(typecode: unknown): Code {
  if (typeof typecode === 'string' && Object.hasOwn(CODES, typecode)) return CODES[typecode as Typecode];
  throw new TypeError(`typecode must be one of ${Object.keys(CODES).join(' ')}, got ${quote(typecode)}`);
}

/**
 * Checks one element for `code`: the right type (`TypeError`: a float or a
 * bigint for an `int` code, a number for a 64-bit one) and in range
 * (`RangeError`; Python wraps silently). A 'c' element is a byte, 0–255.
 */
export function checkElement(code: Code, value: unknown, what: string): number | bigint {
  switch (code.kind) {
    case 'float':
      if (typeof value !== 'number') throw new TypeError(`${what} must be a number for typecode '${code.code}', got ${quote(value)}`);
      return value;
    case 'bigint':
      if (typeof value !== 'bigint') throw new TypeError(`${what} must be a bigint for typecode '${code.code}', got ${quote(value)}`);
      break;
    default:
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new TypeError(`${what} must be an integer for typecode '${code.code}', got ${quote(value)}`);
      }
  }
  if (value < code.min || value > code.max) {
    throw new RangeError(`${what} ${quote(value)} is out of range for typecode '${code.code}' (${code.min}…${code.max})`);
  }
  return value as number | bigint;
}

/** A 'c' value: one byte, as a number 0–255 or a one-byte `Uint8Array`. */
export function checkChar(value: unknown, what: string): number {
  if (value instanceof Uint8Array) {
    if (value.length !== 1) throw new RangeError(`${what} must be one byte, got ${value.length} bytes`);
    return value[0] as number;
  }
  if (typeof value === 'number') return checkElement(CODES.c, value, what) as number;
  throw new TypeError(`${what} must be one byte (a number 0–255 or a 1-byte Uint8Array) for typecode 'c', got ${quote(value)}`);
}
