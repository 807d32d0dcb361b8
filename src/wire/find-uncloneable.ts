import { SerializationError } from '../errors.js';

/**
 * Finds where a value stops being structured-cloneable, so that a
 * `SerializationError` can name the path (`$.job.callback is a function`)
 * instead of V8's bare "could not be cloned". Only runs after a clone failed.
 */
export interface Uncloneable {
  readonly path: string;
  readonly reason: string;
}

/** Anything `instanceof` can test against (BigInt has no construct signature, yet boxed bigints are its instances). */
type Prototyped = { readonly prototype: unknown };

const CLONEABLE_OBJECTS: readonly Prototyped[] = [Date, RegExp, ArrayBuffer, DataView, Boolean, Number, String, BigInt];

/** Marks rxmp's handle classes (queues, pipe ends, shared memory, locks), which travel only as Process arguments and output. */
export const HANDLE_KIND = Symbol.for('rxmp.handleKind');

/** How deep the search goes: deeper values are refused for their depth before anyone asks why. */
const SEARCH_DEPTH = 600;

export function findUncloneable(value: unknown, path = '$', seen = new Set<object>(), depth = 0): Uncloneable | undefined {
  switch (typeof value) {
    case 'function':
      return { path, reason: 'is a function' };
    case 'symbol':
      return { path, reason: 'is a symbol' };
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || seen.has(value)) return undefined;
  if (depth > SEARCH_DEPTH) return { path, reason: `is nested more than ${SEARCH_DEPTH} levels deep` };
  seen.add(value);
  const deeper = depth + 1;
  const handle = (value as { [HANDLE_KIND]?: string })[HANDLE_KIND];
  if (handle) {
    return {
      path,
      reason: `is a ${handle}: pass queues, pipe ends, shared memory and locks to a Process in its args (or back through output$), not inside an item or a message`,
    };
  }
  if (value instanceof Promise) return { path, reason: 'is a Promise' };
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    return { path, reason: `is a ${value.constructor.name}` };
  }
  if (ArrayBuffer.isView(value) || CLONEABLE_OBJECTS.some((c) => value instanceof (c as unknown as abstract new () => unknown)))
    return undefined;
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      const found =
        findUncloneable(k, `${path}.<key ${i}>`, seen, deeper) ?? findUncloneable(v, `${path}.get(${describeKey(k)})`, seen, deeper);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const found = findUncloneable(v, `${path}.<item ${i}>`, seen, deeper);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUncloneable(value[i], `${path}[${i}]`, seen, deeper);
      if (found) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype && !(value instanceof Error)) {
    // Host objects (sockets, streams, MessagePorts, …) fail as a whole; their fields are not the point.
    const name = proto.constructor?.name;
    if (name && isHostObject(value)) return { path, reason: `is a ${name}, which cannot be cloned` };
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__')
      return { path: `${path}["__proto__"]`, reason: 'is an own property named "__proto__", which cannot be carried' };
    const found = findUncloneable((value as Record<string, unknown>)[key], `${path}${formatKey(key)}`, seen, deeper);
    if (found) return found;
  }
  return undefined;
}

function isHostObject(value: object): boolean {
  // Event emitters and anything holding a native handle are not plain data.
  return typeof (value as { on?: unknown }).on === 'function' || '_handle' in value;
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  return typeof key;
}

/** Builds the error for a value that failed to clone, naming the path when it can be found. */
export function uncloneableError(value: unknown, cause: unknown): SerializationError {
  let found: Uncloneable | undefined;
  try {
    found = findUncloneable(value);
  } catch {
    found = undefined; // the search itself ran out of stack
  }
  if (found) return new SerializationError(found.path, `${found.path} ${found.reason}`, { cause });
  return new SerializationError('$', `$ cannot be cloned: ${messageOf(cause)}`, { cause });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
