import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { FileExistsError, FileNotFoundError, NativeUnavailableError } from '../../errors.js';
import { nativeMissingReason, nativeOrUndefined, requireNative } from '../../native/native.js';
import { once, remember } from './identity.js';
import { Tree } from './tree.js';

/** Where a handle goes: another thread of this process, or another process. */
export type Crossing = 'thread' | 'process';

/**
 * How a mapping is found from another runtime. Between processes, by
 * `/proc/<pid>/fd/<fd>` of a holder that is alive (checked against `dev`
 * and `ino`, so a reused descriptor number is never taken for it), or by
 * `name` where there is no `/proc`; between threads, the buffer itself.
 */
export interface MemoryDescriptor {
  size: number;
  pid?: number;
  fd?: number;
  dev?: number;
  ino?: number;
  name?: string;
  sab?: SharedArrayBuffer;
}

// A holder keeps its descriptor open while its mapping object lives, so that
// others can still open the memory through it; the memory itself lives as
// long as any process maps it or holds a descriptor.
const descriptors = new FinalizationRegistry<Descriptor>((d) => {
  try {
    closeDescriptor(d);
  } catch {
    // Closed already.
  }
});

/**
 * A descriptor and who opened it: the addon (memfd, shm_open) or node:fs.
 * Each is closed by its opener (see native/shm.cc); in a worker thread Node
 * closes at the thread's end what node:fs opened, and the addon what it
 * opened (`closeAtThreadEnd`), so a thread that ends frees its memory.
 */
interface Descriptor {
  fd: number;
  byAddon: boolean;
  /** Closed already: never again (the number may be another's by then). */
  closed?: true;
}

function closeDescriptor(d: Descriptor): void {
  if (d.closed) return;
  d.closed = true;
  if (d.byAddon) requireNative('closing shared memory').closeFd(d.fd);
  else closeSync(d.fd);
}

/**
 * In a worker, the addon closes at the thread's end (terminate() included:
 * no JavaScript runs then) the descriptors it opened that this thread's
 * mappings still hold: all but those described to another thread, which
 * are left open until the process ends (see `describe`). The process's end
 * closes the main thread's.
 */
function closeAtThreadEnd(d: Descriptor, yes: boolean): void {
  if (!isMainThread && d.byAddon && !d.closed) requireNative('shared memory').closeAtThreadEnd(d.fd, yes);
}

const HAS_PROC = process.platform === 'linux';

/**
 * Shared bytes mapped in this thread: a real `SharedArrayBuffer`, so
 * `Atomics` work on it across threads and, when the native addon mapped it,
 * across processes.
 */
export class Mapping {
  private descriptor: Descriptor | undefined;
  private identity: { dev: number; ino: number } | undefined;
  /** The segment's name, for a named mapping (how it is found where there is no `/proc`). */
  private name: string | undefined;

  /** `shared`: other handles in this thread may use this mapping too (never for one `close()` may end). */
  private constructor(
    readonly buffer: SharedArrayBuffer,
    fd: Descriptor | undefined,
    shared = true,
  ) {
    if (fd !== undefined) this.hold(fd, shared);
  }

  /**
   * Fresh zeroed memory with no name: a memfd on Linux, freed by the kernel
   * when the last process holding it dies, however it dies. Without the
   * addon, a plain `SharedArrayBuffer`, shared only by this process's threads.
   */
  static anonymous(size: number): Mapping {
    const native = nativeOrUndefined();
    if (!native) return new Mapping(new SharedArrayBuffer(size), undefined);
    // Without /proc (macOS) a memfd could not be opened by another process: a tracked named segment instead.
    if (!HAS_PROC) return Mapping.fresh(size, true, true).mapping;
    const fd = native.memfd(size);
    try {
      return new Mapping(native.map(fd, size), { fd, byAddon: true });
    } catch (error) {
      native.closeFd(fd);
      throw error;
    }
  }

  /**
   * A named POSIX segment (`/dev/shm/<name>` on Linux): created exclusively
   * (written down in the tree first when `track`), or attached, its size read
   * back from the segment.
   */
  static named(name: string, create: boolean, size: number, track: boolean, shared = false): { mapping: Mapping; size: number } {
    const native = requireNative('SharedMemory');
    const tree = create && track ? Tree.get() : undefined;
    if (tree) {
      try {
        tree.track(name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists(name, error);
        throw error;
      }
    }
    let opened: [number, number];
    try {
      opened = native.shmOpen(`/${name}`, create, size);
    } catch (error) {
      tree?.untrack(name);
      throw translate(error, name);
    }
    const [fd, actual] = opened;
    try {
      const mapping = new Mapping(native.map(fd, actual), { fd, byAddon: true }, shared);
      mapping.name = name;
      return { mapping, size: actual };
    } catch (error) {
      native.closeFd(fd);
      if (create) {
        native.shmUnlink(`/${name}`); // ours, made a moment ago and never handed out
        tree?.untrack(name);
      }
      throw error;
    }
  }

  /** A new named segment under a fresh name `rxmp_<8 hex>`. */
  static fresh(size: number, track: boolean, shared = false): { name: string; mapping: Mapping; size: number } {
    for (;;) {
      const name = `rxmp_${randomBytes(4).toString('hex')}`;
      try {
        return { name, ...Mapping.named(name, true, size, track, shared) };
      } catch (error) {
        if (!(error instanceof FileExistsError)) throw error;
      }
    }
  }

  /** Attaches to memory another runtime described (the mapping this thread has of it already, if any). */
  static revive(d: MemoryDescriptor): Mapping {
    return once(d.ino === undefined ? undefined : `mapping:${d.dev}:${d.ino}`, () => Mapping.open(d, true));
  }

  /** Attaches with a mapping of its own, which `release()` may end without touching anyone else's. */
  static reviveOwn(d: MemoryDescriptor): Mapping {
    return Mapping.open(d, false);
  }

  private static open(d: MemoryDescriptor, shared: boolean): Mapping {
    if (d.sab) {
      // Another thread of this process: the same buffer, and a descriptor of our own when there is one to copy.
      const mapping = new Mapping(d.sab, undefined);
      if (HAS_PROC && d.fd !== undefined && d.pid === process.pid) mapping.adopt(d);
      return mapping;
    }
    const native = requireNative('shared memory from another process');
    if (d.name !== undefined && !(HAS_PROC && d.fd !== undefined)) {
      return Mapping.named(d.name, false, d.size, false, shared).mapping;
    }
    let fd: number;
    try {
      fd = openSync(`/proc/${d.pid}/fd/${d.fd}`, 'r+');
    } catch (error) {
      throw gone(d, error);
    }
    const { dev, ino } = fstatSync(fd);
    if (dev !== d.dev || ino !== d.ino) {
      closeSync(fd);
      throw gone(d);
    }
    try {
      return new Mapping(native.map(fd, d.size), { fd, byAddon: false }, shared);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get size(): number {
    return this.buffer.byteLength;
  }

  /** The descriptor this thread holds the memory by, while it does. */
  private get fd(): number | undefined {
    return this.descriptor?.fd;
  }

  /** The same memory, and the same object, for every handle on it in one thread. */
  get key(): string | undefined {
    return this.identity ? `${this.identity.dev}:${this.identity.ino}` : undefined;
  }

  /** Throws, changing nothing, if this memory cannot be described toward `crossing`. */
  check(crossing: Crossing, what: string): void {
    if (crossing === 'process' && this.fd === undefined) {
      throw new NativeUnavailableError(`${what} passed to another process`, nativeMissingReason() ?? 'its memory is no longer open here');
    }
  }

  /**
   * How another runtime finds this memory. `own`: the receiver maps it
   * itself, even in this process, so that it can close its mapping alone.
   */
  describe(crossing: Crossing, options: { own?: boolean } = {}): MemoryDescriptor {
    this.check(crossing, 'shared memory');
    const d: MemoryDescriptor = { size: this.size };
    if (this.fd !== undefined && this.identity) Object.assign(d, { pid: process.pid, fd: this.fd, ...this.identity });
    if (this.name !== undefined) d.name = this.name;
    if (crossing === 'thread' && !(options.own && this.fd !== undefined)) d.sab = this.buffer;
    // Another thread opens its own descriptor by this number when it attaches, maybe after this thread has ended.
    if (crossing === 'thread' && this.descriptor) closeAtThreadEnd(this.descriptor, false);
    return d;
  }

  /**
   * Lets the memory go now: this thread's descriptor is closed and its
   * pages are replaced by private zero pages (views of the buffer stay
   * usable but share nothing any more).
   */
  release(): void {
    const descriptor = this.descriptor;
    if (descriptor === undefined) return;
    descriptors.unregister(this);
    this.descriptor = undefined;
    closeDescriptor(descriptor);
    requireNative('SharedMemory.close()').release(this.buffer);
  }

  private hold(d: Descriptor, shared: boolean): void {
    const { dev, ino } = fstatSync(d.fd);
    this.descriptor = d;
    this.identity = { dev, ino };
    closeAtThreadEnd(d, true);
    descriptors.register(this, d, this);
    if (shared) remember(`mapping:${dev}:${ino}`, this);
  }

  private adopt(d: MemoryDescriptor): void {
    try {
      const fd = openSync(`/proc/self/fd/${d.fd}`, 'r+');
      const { dev, ino } = fstatSync(fd);
      if (dev === d.dev && ino === d.ino) this.hold({ fd, byAddon: false }, true);
      else closeSync(fd);
    } catch {
      // Its sender closed it already: this thread can share the buffer with threads, not with processes.
    }
  }
}

function exists(name: string, cause?: unknown): FileExistsError {
  return new FileExistsError(`shared memory ${JSON.stringify(name)} already exists`, { syscall: 'shm_open', path: `/${name}` }, { cause });
}

function gone(d: MemoryDescriptor, cause?: unknown): FileNotFoundError {
  return new FileNotFoundError(
    `the shared memory sent by process ${d.pid} is gone: no process holds it open any more`,
    { syscall: 'open', path: `/proc/${d.pid}/fd/${d.fd}` },
    { cause },
  );
}

/** Node's errno errors from the addon, as the typed errors users branch on. */
function translate(error: unknown, name: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return exists(name, error);
  if (code === 'ENOENT') {
    return new FileNotFoundError(
      `no shared memory named ${JSON.stringify(name)}`,
      { syscall: 'shm_open', path: `/${name}` },
      { cause: error },
    );
  }
  return error;
}
