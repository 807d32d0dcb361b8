import { ClosedError, FileNotFoundError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, quote } from '../handle/options.js';
import { requireNative } from '../native/native.js';
import { Mapping } from '../transport/shm/mapping.js';
import { Tree } from '../transport/shm/tree.js';

/** Options for `new SharedMemory()` (Python's `SharedMemory(name, create, size, track)`). */
export interface SharedMemoryOptions {
  /**
   * The segment's name (`/dev/shm/<name>` on Linux): letters, digits and
   * `._-`, at most 200 characters; a leading `/` is dropped.
   * @default a fresh `rxmp_<8 hex>` when creating; required when attaching
   */
  name?: string;
  /** Create a new segment (its name must be free) rather than attach to one. @default false */
  create?: boolean;
  /** Bytes, a positive integer, when creating; attaching takes the segment's own size. */
  size?: number;
  /**
   * The process tree's root unlinks the segment when it exits if nobody did
   * (also after a SIGKILL of its creator). `false`: it outlives the tree.
   * Only the creator's choice counts; attaching never unlinks.
   * @default true
   */
  track?: boolean;
}

/** Set while a handle is revived: the memory another runtime described. */
let reviving: { name: string; mapping: Mapping } | undefined;

/**
 * A block of memory shared with any process of this user by name, and with
 * threads and child processes as a handle in `Process` args: every view of
 * `buf` in every process sees the same bytes, with no copy and no message.
 *
 * The creator owns the name: attachers never unlink it, and with `track`
 * (the default) the root of the process tree unlinks what is left when it
 * exits. `close()` lets this object's mapping go; `unlink()` removes the
 * name (mappings that are open stay valid).
 *
 * @example
 * const shm = new SharedMemory({ create: true, size: 1 << 20 });
 * shm.buf.set(bytes);                                  // in one process
 * const same = new SharedMemory({ name: shm.name });   // in another
 */
export class SharedMemory {
  /** The segment's name (`rxmp_<8 hex>` when none was asked for): how another process attaches. */
  readonly name: string;
  /** Its size in bytes (an attacher reads it back from the segment). */
  readonly size: number;
  private mapping: Mapping | undefined;
  private view: Uint8Array | undefined;

  constructor(options: SharedMemoryOptions = {}) {
    if (reviving) {
      const r = reviving;
      reviving = undefined;
      this.name = r.name;
      this.mapping = r.mapping;
      this.size = r.mapping.size;
      return;
    }
    const o = checkOptions<SharedMemoryOptions>(options, 'SharedMemory options', ['name', 'create', 'size', 'track']);
    const create = checkFlag(o.create, 'create', false);
    const track = checkFlag(o.track, 'track', true);
    const size = checkSize(o.size, create);
    if (o.name === undefined && !create) throw new TypeError('SharedMemory needs a name to attach to (or create: true)');
    requireNative('SharedMemory');
    let opened: { name: string; mapping: Mapping; size: number };
    if (o.name !== undefined) {
      const name = checkName(o.name);
      opened = { name, ...Mapping.named(name, create, size, track) };
    } else {
      opened = Mapping.fresh(size, track);
    }
    this.name = opened.name;
    this.mapping = opened.mapping;
    this.size = opened.size;
  }

  /**
   * The bytes, as a `Uint8Array` over a `SharedArrayBuffer` (so `Atomics`
   * work on `new Int32Array(buf.buffer)`). After `close()` it throws `ClosedError`.
   */
  get buf(): Uint8Array {
    if (!this.mapping) throw new ClosedError('shared memory', `shared memory ${JSON.stringify(this.name)} is closed`);
    this.view ??= new Uint8Array(this.mapping.buffer);
    return this.view;
  }

  /** Whether `close()` has let this object's mapping go. */
  get closed(): boolean {
    return this.mapping === undefined;
  }

  /**
   * Lets this object's mapping go, at once and whole (Python raises
   * `BufferError` while views exist and leaves a half-closed object; this
   * never does). Views made from `buf` stay usable but no longer share
   * anything: they read zeros. The segment and its name stay. Calling it
   * again does nothing.
   */
  close(): void {
    const mapping = this.mapping;
    if (!mapping) return;
    this.mapping = undefined;
    this.view = undefined;
    mapping.release();
  }

  /**
   * Removes the name: nobody can attach any more, and the memory goes
   * when the last mapping does. Mappings already open stay valid. A name
   * already gone is `FileNotFoundError` (as Python).
   */
  unlink(): void {
    try {
      requireNative('SharedMemory.unlink()').shmUnlink(`/${this.name}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FileNotFoundError(
          `no shared memory named ${JSON.stringify(this.name)}`,
          { syscall: 'shm_unlink', path: `/${this.name}` },
          { cause: error },
        );
      }
      throw error;
    } finally {
      // Whoever unlinks (the creator or not), the tree has nothing left to do for this name.
      Tree.known()?.untrack(this.name);
    }
  }

  /** @internal This process's mapping, for handle passing. */
  get memory(): Mapping | undefined {
    return this.mapping;
  }

  /** `SharedMemory("rxmp_1a2b3c4d", size=4096)`, as Python's `repr`. */
  toString(): string {
    return `SharedMemory(${JSON.stringify(this.name)}, size=${this.size})`;
  }
}

markHandle(SharedMemory, 'shared-memory');

/** A handle revived in this runtime: a new object with its own mapping. */
export function attachedSharedMemory(name: string, mapping: Mapping): SharedMemory {
  reviving = { name, mapping };
  return new SharedMemory();
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

function checkName(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`name must be a string, got ${quote(value)}`);
  const name = value.startsWith('/') ? value.slice(1) : value;
  if (!NAME.test(name) || name === '.' || name === '..') {
    throw new RangeError(`name must be 1–200 letters, digits, '.', '_' or '-' (an optional leading '/'), got ${quote(value)}`);
  }
  return name;
}

function checkFlag(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${quote(value)}`);
  return value;
}

function checkSize(value: unknown, create: boolean): number {
  if (value === undefined) {
    if (create) throw new TypeError('SharedMemory with create: true needs a size');
    return 0;
  }
  if (typeof value !== 'number') throw new TypeError(`size must be a number, got ${quote(value)}`);
  if (!Number.isSafeInteger(value) || value < 0 || (create && value === 0)) {
    throw new RangeError(`size must be a positive whole number of bytes, got ${quote(value)}`);
  }
  return value;
}
