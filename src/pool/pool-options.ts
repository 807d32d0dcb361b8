import { availableParallelism } from 'node:os';
import { checkCount, checkOptions, checkSignal, DEFAULT_PREFETCH, quote } from '../handle/options.js';
import { resolveTarget } from '../process/target.js';

/**
 * `new Pool()`'s options.
 * @example new Pool<typeof square>({ target: new URL('./square.js', import.meta.url), processes: 2 })
 */
export interface PoolOptions {
  /** The task module: a file URL or a path (as `Process`'s `target`). */
  target: URL | string;
  /** The export each task calls (its type is the pool's `F`). @default 'default' */
  export?: string;
  /** Workers. A positive integer. @default os.availableParallelism() */
  processes?: number;
  /** Forked processes or worker threads. @default 'fork' */
  kind?: 'fork' | 'thread';
  /**
   * Tasks a worker runs before it exits and a fresh one takes its place
   * (Python's `maxtasksperchild`). A positive integer.
   * @default undefined (workers live as long as the pool)
   */
  maxTasksPerChild?: number;
  /**
   * The name of an export of the `target` module that each worker runs
   * once, awaited, before its first task (Python's `initializer`, named
   * as `export` is). A worker whose initializer throws breaks the pool: its
   * pending tasks fail with that `ProcessError` (Python would restart it forever).
   * @example initializer: 'connect', initargs: ['postgres://…']
   */
  initializer?: string;
  /** Arguments for `initializer` (copied to each worker). @default [] */
  initargs?: unknown[];
  /**
   * The task queue's bound: the most tasks in flight at once (submitted,
   * result not yet back), over every call. Inputs are pulled only as
   * slots free. A chunk takes a slot per task: with a `chunksize`, leave
   * room for a few chunks per worker (`16 × chunksize` runs 100k tiny tasks
   * well on 2 workers). A positive integer. @default 128 × processes
   * @example new Pool({ target, maxsize: 4096 }).imapUnordered(inputs, { chunksize: 256 })
   */
  maxsize?: number;
  /**
   * Queue items (tasks, or chunks of them) each worker fetches ahead of
   * the one it runs, so that short tasks need no round trip each. Fetched
   * items wait for that worker (another idle one cannot take them): for
   * long tasks, `1` spreads them best.
   * A positive integer. @default 16
   * @example new Pool({ target, prefetch: 256 }) // 100k tiny tasks
   */
  prefetch?: number;
}

export interface CheckedPoolOptions {
  target: URL;
  exportName: string;
  processes: number;
  kind: 'fork' | 'thread';
  maxTasksPerChild: number;
  initializer: string | undefined;
  initargs: unknown[];
  maxsize: number;
  prefetch: number;
}

const KNOWN = ['target', 'export', 'processes', 'kind', 'maxTasksPerChild', 'initializer', 'initargs', 'maxsize', 'prefetch'] as const;

/** Every option checked: an unknown key or a bad value throws `TypeError`/`RangeError` quoting it. */
export function checkPoolOptions(options: unknown): CheckedPoolOptions {
  if (options === undefined) throw new TypeError('new Pool() needs options with a target module');
  const o = checkOptions<PoolOptions>(options, 'Pool options', [...KNOWN]);
  if (o.target === undefined) throw new TypeError('Pool options need a target: the module whose export runs each task');
  const target = resolveTarget(o.target);
  if (o.export !== undefined && typeof o.export !== 'string') throw new TypeError(`export must be a string, got ${quote(o.export)}`);
  if (o.kind !== undefined && o.kind !== 'fork' && o.kind !== 'thread') {
    throw new TypeError(`kind must be 'fork' or 'thread', got ${quote(o.kind)}`);
  }
  const processes = checkCount(o.processes, 'processes', availableParallelism());
  if (processes === Infinity) throw new RangeError('processes must be a positive integer, got Infinity');
  const maxTasksPerChild = checkCount(o.maxTasksPerChild, 'maxTasksPerChild', Infinity);
  if (o.initializer !== undefined && typeof o.initializer !== 'string') {
    throw new TypeError(`initializer must be the name of an export of the target module, got ${quote(o.initializer)}`);
  }
  if (o.initargs !== undefined && !Array.isArray(o.initargs)) throw new TypeError(`initargs must be an array, got ${quote(o.initargs)}`);
  if (o.initargs !== undefined && o.initializer === undefined) throw new TypeError('initargs needs an initializer to pass them to');
  const maxsize = checkCount(o.maxsize, 'maxsize', 128 * processes);
  if (maxsize === Infinity) throw new RangeError('maxsize must be a positive integer, got Infinity');
  const prefetch = checkCount(o.prefetch, 'prefetch', DEFAULT_PREFETCH);
  if (prefetch === Infinity) throw new RangeError('prefetch must be a positive integer, got Infinity');
  return {
    prefetch,
    target,
    exportName: o.export ?? 'default',
    processes,
    kind: o.kind ?? 'fork',
    maxTasksPerChild,
    initializer: o.initializer,
    initargs: o.initargs ?? [],
    maxsize,
  };
}

/** Options of a call over many inputs: `map`, `imap`, `imapUnordered`, `starmap`. */
export interface PoolCallOptions {
  /**
   * Tasks one queue item carries to a worker, and one item of results
   * carries back (Python's `chunksize`): for many tiny tasks, most of a
   * task's cost is its trip, and a chunk makes that one trip for all of it.
   * A chunk takes as many `maxsize` slots as it has tasks, and is sent
   * short when fewer slots are free or the input has no more items now. A
   * worker runs a chunk's tasks one after another and sends their results
   * together; `maxTasksPerChild` counts chunks (as Python's does). A
   * positive integer. @default 1
   * @example pool.imapUnordered(inputs, { chunksize: 256 })
   */
  chunksize?: number;
  /**
   * Aborting stops the call as unsubscribing does (no more inputs are
   * taken; the outcomes of its tasks in flight are dropped) and errors its
   * Observable with `signal.reason`.
   */
  signal?: AbortSignal;
}

/** A call's options, checked at the call: `TypeError`/`RangeError` quoting a bad value. */
export function checkCallOptions(options: unknown): { chunksize: number; signal: AbortSignal | undefined } {
  if (options === undefined) return NO_CALL_OPTIONS;
  const o = checkOptions<PoolCallOptions>(options, 'Pool call options', ['chunksize', 'signal']);
  const chunksize = checkCount(o.chunksize, 'chunksize', 1);
  if (chunksize === Infinity) throw new RangeError('chunksize must be a positive integer, got Infinity');
  return { chunksize, signal: checkSignal(o.signal) };
}

const NO_CALL_OPTIONS = Object.freeze({ chunksize: 1, signal: undefined });
