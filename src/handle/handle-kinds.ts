import { HANDLE_KIND } from '../wire/find-uncloneable.js';

/**
 * The kinds of handle that travel between runtimes (queues, pipe ends, and
 * the primitives to come), each saying once how it leaves one runtime and
 * how it comes to life in another. Handle passing asks this registry, never
 * a list of classes.
 *
 * A class marks its instances with `markHandle(Class, name)`; the kind of
 * that name says how they travel. `R` is the receiving or sending runtime,
 * opaque here (this layer imports no transport).
 */
/** Where a handle goes: another thread of this process, or another process. */
export type Crossing = 'thread' | 'process';

export interface HandleKind<H extends object = object, D = unknown, R = unknown> {
  /** The name classes mark their prototype with. */
  readonly name: string;
  /**
   * Throws, changing nothing, if `handle` cannot travel now toward
   * `crossing` (a closed or moved pipe end, say, or shared memory with no
   * native addon going to another process).
   */
  check(handle: H, crossing: Crossing): void;
  /**
   * Takes `handle` out of this runtime toward another. Whatever must change
   * here (a pipe end moves) has changed when this returns; the description
   * may take a moment longer (the listener's address).
   */
  export(handle: H, runtime: R, crossing: Crossing): D | Promise<D>;
  /** Brings a description to life in `runtime`. */
  revive(descriptor: D, runtime: R): H;
  /** The description went to a runtime that exited before it could take it in. */
  lost?(descriptor: D, runtime: R): void;
}

const kHandle = Symbol('rxmp.handle');

/**
 * Marks `cls`'s instances (and its subclasses') as handles of the kind
 * `name`; a copy (a queue item, a pipe message) refuses them, naming their class.
 */
export function markHandle(cls: abstract new (...args: never[]) => object, name: string): void {
  Object.defineProperty(cls.prototype, kHandle, { value: name, enumerable: false });
  Object.defineProperty(cls.prototype, HANDLE_KIND, {
    get(this: object) {
      return this.constructor.name;
    },
  });
}

/** Whether `value` is a handle (a queue, a pipe end, a sync primitive…), whatever else it also is. */
export function isHandle(value: object): boolean {
  return kHandle in value;
}

/** The registered kinds, by name. */
export class HandleKinds<R> {
  private readonly byName = new Map<string, HandleKind<object, unknown, R>>();

  // biome-ignore lint/suspicious/noExplicitAny: each kind is invariant in its handle and descriptor types; the registry only pairs them up
  constructor(kinds: readonly HandleKind<any, any, R>[]) {
    for (const kind of kinds) {
      if (this.byName.has(kind.name)) throw new Error(`handle kind ${JSON.stringify(kind.name)} is registered twice`);
      this.byName.set(kind.name, kind);
    }
  }

  /** The kind of `value` if it is a handle; `undefined` for anything else. */
  of(value: unknown): HandleKind<object, unknown, R> | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    const name = (value as { [kHandle]?: string })[kHandle];
    if (name === undefined) return undefined;
    const kind = this.byName.get(name);
    if (!kind) throw new Error(`rxmp: no handle kind ${JSON.stringify(name)} is registered`);
    return kind;
  }

  named(name: string): HandleKind<object, unknown, R> | undefined {
    return this.byName.get(name);
  }
}
