import { SerializationError } from '../errors.js';
import { findUncloneable, messageOf, uncloneableError } from './find-uncloneable.js';

/**
 * Copies `value` with structured-clone semantics, fast for plain data:
 * primitives are returned as they are (they are immutable), plain objects and
 * arrays are copied in JavaScript, and anything else (Map, Set, Date, typed
 * arrays, Errors, class instances…) goes through `structuredClone`. Shared
 * references and cycles are preserved. Throws `SerializationError` naming the
 * path of the first value that cannot be copied (a function, a symbol…).
 *
 * This is the copy a `put`/`send` takes at the call; the wire encodes it later,
 * in a batch with others.
 */
export function fastClone<T>(value: T): T {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return value;
    case 'object':
      if (value === null) return value;
      try {
        return copy(value as object, undefined) as T;
      } catch (cause) {
        if (cause instanceof SerializationError) throw rooted(value, cause);
        throw uncloneableError(value, cause);
      }
    default:
      throw uncloneableError(value, new TypeError(`${typeof value} could not be cloned`));
  }
}

/** Copies an object; `seen` maps originals to copies once there is nesting (cycles, shared references). */
function copy(object: object, seen: Map<object, unknown> | undefined): unknown {
  const known = seen?.get(object);
  if (known !== undefined) return known;
  if (Array.isArray(object)) {
    const out: unknown[] = new Array(object.length);
    const map = seen ?? new Map<object, unknown>();
    map.set(object, out);
    for (let i = 0; i < object.length; i++) out[i] = element(object[i], map);
    return out;
  }
  const proto = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    let map = seen;
    map?.set(object, out);
    for (const key of Object.keys(object)) {
      // Assigning it would set the copy's prototype, and the wire encoding renames it: refuse it plainly.
      if (key === '__proto__') throw new SerializationError('$', 'an own property named "__proto__" cannot be carried');
      const v = (object as Record<string, unknown>)[key];
      if (v !== null && typeof v === 'object') {
        if (!map) {
          map = new Map<object, unknown>();
          map.set(object, out);
        }
        out[key] = copy(v, map);
      } else {
        out[key] = element(v, map);
      }
    }
    return out;
  }
  // Containers are walked here, so that what they hold keeps its identity (a Map holding its owner).
  if (object instanceof Map) {
    const out = new Map<unknown, unknown>();
    const map = seen ?? new Map<object, unknown>();
    map.set(object, out);
    for (const [k, v] of object) out.set(element(k, map), element(v, map));
    return out;
  }
  if (object instanceof Set) {
    const out = new Set<unknown>();
    const map = seen ?? new Map<object, unknown>();
    map.set(object, out);
    for (const v of object) out.add(element(v, map));
    return out;
  }
  // Boxed primitives travel as their value (the wire encoding would keep none of it).
  if (object instanceof Number || object instanceof String || object instanceof Boolean || object instanceof BigInt) {
    return object.valueOf();
  }
  // Exotic objects: the platform's own structured clone (it copies, and refuses what it must).
  const cloned = structuredClone(object);
  seen?.set(object, cloned);
  return cloned;
}

function element(v: unknown, seen: Map<object, unknown> | undefined): unknown {
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return v;
    case 'object':
      return v === null ? v : copy(v, seen ?? new Map());
    default:
      throw new SerializationError('$', `${typeof v} cannot be cloned`);
  }
}

/** The same error, with the path found from the root value. */
function rooted(root: unknown, error: SerializationError): SerializationError {
  const found = findUncloneable(root);
  return found ? new SerializationError(found.path, `${found.path} ${found.reason}`, { cause: error }) : new SerializationError('$', messageOf(error), { cause: error });
}
