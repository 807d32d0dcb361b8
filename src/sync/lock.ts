import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, checkScheduler, type PutOptions } from '../handle/options.js';
import { checkAcquire, type SharedWaitSteps, sharedWait } from '../handle/shared-wait.js';
import { Mapping } from '../transport/shm/mapping.js';
import { once, remember } from '../transport/shm/identity.js';
import { waits } from '../transport/shm/mutex-waits.js';
import { MUTEX_BYTES, SharedMutex } from '../transport/shm/shared-mutex.js';

/** Options for `new Lock()`. */
export interface LockOptions {
  /** Where `acquire` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** Options for `acquire()`: as a put's, Python's `block` and `timeout` plus a signal. */
export type AcquireOptions = PutOptions;

/** Where a lock lives: its 64 bytes in some shared memory. */
export interface LockPlace {
  mapping: Mapping;
  offset: number;
}

export const kPlace = Symbol('rxmp.lock.place');

/** Set while `lockAt` builds a lock over memory that exists already. */
let placing: LockPlace | undefined;

/** The lock over `place` (a revived handle, or the lock inside a `Value`'s memory): one object per thread. */
export function lockAt(place: LockPlace): Lock {
  return once(lockKey(place), () => {
    placing = place;
    try {
      return new Lock();
    } finally {
      placing = undefined;
    }
  });
}

/**
 * A mutual-exclusion lock shared by threads and processes (Python's
 * `multiprocessing.Lock`): its state is a word of shared memory, so taking
 * a free lock is one atomic operation, and waiting never blocks an event
 * loop. Any holder may release it (as Python's). A holder that dies (its
 * `Process` sees it exit) does not keep it: the lock is freed, and the next
 * taker is told (`abandoned`).
 *
 * @example
 * const lock = new Lock();
 * await lock.runExclusive(() => { counter.value += 1; });
 */
export class Lock {
  /** @internal */
  readonly [kPlace]: LockPlace;
  private readonly mutex: SharedMutex;
  private readonly scheduler: SchedulerLike;

  constructor(options?: LockOptions) {
    const place = placing;
    placing = undefined;
    const o = checkOptions<LockOptions>(options ?? {}, 'Lock options', ['scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    this[kPlace] = place ?? { mapping: Mapping.anonymous(MUTEX_BYTES), offset: 0 };
    const { mapping, offset } = this[kPlace];
    this.mutex = new SharedMutex(new Int32Array(mapping.buffer, offset, MUTEX_BYTES / 4));
    remember(lockKey(this[kPlace]), this);
  }

  /**
   * `true` while this object holds the lock it took over from a holder
   * that died holding it (pthread's EOWNERDEAD): what the lock protects may
   * be half-updated. Set when such a lock is acquired (with a process
   * warning, code `RXMP_LOCK_ABANDONED`), cleared by `release()`.
   */
  get abandoned(): boolean {
    return this.tookOver;
  }

  private tookOver = false;

  /** Takes the lock if it is free; never waits. */
  tryAcquire(): boolean {
    return !waits.has(this.mutex) && this.mutex.tryLock() && this.acquired();
  }

  /** Just acquired: was it from a dead holder? */
  private acquired(): true {
    if (this.mutex.abandonedTaken) {
      this.mutex.abandonedTaken = false;
      this.tookOver = true;
      process.emitWarning('a Lock was taken over from a holder that died holding it; what it protects may be inconsistent', {
        type: 'RxmpWarning',
        code: 'RXMP_LOCK_ABANDONED',
      });
    }
    return true;
  }

  /**
   * Resolves `true` once held; `false` when `block: false` or `timeout` ms
   * found it taken (as Python). An aborted signal withdraws the wait and
   * rejects with its reason. Bad options reject at once.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return sharedWait(options, checkAcquire, this.scheduler, this.waitSteps);
  }

  private readonly waitSteps: SharedWaitSteps = {
    now: (patient) => !waits.has(this.mutex) && (patient ? this.mutex.spinLock() : this.mutex.tryLock()) && this.acquired(),
    enter: (granted) => {
      const waiter = waits.add(this.mutex, () => {
        this.acquired();
        granted();
      });
      return () => !waits.remove(this.mutex, waiter);
    },
    giveBack: () => this.release(),
  };

  /** Frees the lock (and wakes a waiter). Releasing a lock nobody holds throws `NotHeldError`. */
  release(): void {
    if (!this.mutex.unlock()) throw new NotHeldError('lock');
    this.tookOver = false;
  }

  /** Is it held (by anyone)? */
  locked(): boolean {
    return this.mutex.locked();
  }

  /** Acquires, runs `fn`, and releases, also when `fn` throws or rejects. */
  async runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

markHandle(Lock, 'lock');

/** The one key a lock is known by in each thread. */
export function lockKey(place: LockPlace): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `lock:${key}:${place.offset}`;
}
