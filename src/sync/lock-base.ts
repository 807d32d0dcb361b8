import { asyncScheduler, from, Observable, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { checkOptions, checkScheduler, type PutOptions } from '../handle/options.js';
import { once, remember } from '../transport/shm/identity.js';
import { Mapping } from '../transport/shm/mapping.js';
import { MUTEX_BYTES, SharedMutex } from '../transport/shm/shared-mutex.js';
import { currentTask, newTask, runIn, type Task } from './task.js';

/** Options for `new Lock()` / `new RLock()`. */
export interface LockOptions {
  /** Where `acquire` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** Options for `acquire()`: as a put's, Python's `block` and `timeout` plus a signal. */
export type AcquireOptions = PutOptions;

/** Where a lock lives: its words in some shared memory, and which kind it is. */
export interface LockPlace {
  mapping: Mapping;
  offset: number;
  reentrant: boolean;
}

export const kPlace = Symbol('rxmp.lock.place');

/** Set while `lockAt` builds a lock over memory that exists already. */
let placing: LockPlace | undefined;

/** The one object of the lock over `place` in this thread, built by `make` the first time. */
export function lockOver<L extends MutexLock>(place: LockPlace, make: () => L): L {
  return once(lockKey(place), () => {
    placing = place;
    try {
      return make();
    } finally {
      placing = undefined;
    }
  });
}

/** A Condition's hold on its lock, given up while it waits and taken back after. */
export interface SavedHold {
  task: Task | number | undefined;
  count: number;
}

/**
 * What Lock and RLock share: a fair `SharedMutex` in shared memory, the
 * abandoned-holder report, and the Promise, Rx and `await using` faces.
 * Their difference is who may take it again and who may release it.
 */
export abstract class MutexLock {
  /** @internal */
  readonly [kPlace]: LockPlace;
  /** @internal */
  protected readonly mutex: SharedMutex;
  /** @internal */
  protected readonly scheduler: SchedulerLike;
  private tookOver = false;

  protected constructor(options: LockOptions | undefined, what: string, reentrant: boolean) {
    const place = placing;
    placing = undefined;
    const o = checkOptions<LockOptions>(options ?? {}, `${what} options`, ['scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    this[kPlace] = place ?? { mapping: Mapping.anonymous(MUTEX_BYTES), offset: 0, reentrant };
    const { mapping, offset } = this[kPlace];
    this.mutex = new SharedMutex(new Int32Array(mapping.buffer, offset, MUTEX_BYTES / 4));
    remember(lockKey(this[kPlace]), this);
  }

  /**
   * `true` while this object holds the lock it took over from a holder
   * that died holding it (pthread's EOWNERDEAD): what the lock protects may
   * be half-updated. Set when such a lock is acquired (with a process
   * warning, code `RXMP_LOCK_ABANDONED`), cleared by the release that frees it.
   */
  get abandoned(): boolean {
    return this.tookOver;
  }

  /** Is it held (by anyone, anywhere)? */
  locked(): boolean {
    return this.mutex.locked();
  }

  abstract tryAcquire(): boolean;
  abstract acquire(options?: AcquireOptions): Promise<boolean>;
  abstract release(): void;

  /** Acquires, runs `fn`, and releases, also when `fn` throws or rejects. */
  abstract runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R>;

  /**
   * Emits once the lock is held, and holds it while you stay subscribed:
   * unsubscribing (or the end of what you piped it into) releases it, and
   * unsubscribing before it is held withdraws the wait. It never completes
   * by itself; to hold it around an inner Observable, use `withLock`.
   */
  acquire$(): Observable<void> {
    return this.holding$(() => new Observable<void>((subscriber) => subscriber.next()));
  }

  /** `await using` releases it: `await lock.acquire(); await using _ = lock;`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /**
   * Holds the lock around `inner`: subscribes to it once held (in the
   * holder's task, so an RLock can be taken again inside), releases when
   * it completes, errors or is unsubscribed; unsubscribing sooner withdraws the wait.
   * @internal
   */
  holding$<R>(inner: () => ObservableInput<R>): Observable<R> {
    return new Observable<R>((subscriber) => {
      const task = currentTask() ?? newTask();
      let held = false;
      let running: Subscription | undefined;
      const letGo = (): void => {
        if (held) this.releaseFor(task);
        held = false;
      };
      // The grant comes synchronously (at once, or inside the release that hands it over), so virtual time sees it.
      const withdraw = this.queueFor(task, () => {
        held = true;
        runIn(task, () => {
          running = from(inner()).subscribe({
            next: (value) => subscriber.next(value),
            error: (error) => {
              letGo();
              subscriber.error(error);
            },
            complete: () => {
              letGo();
              subscriber.complete();
            },
          });
        });
      });
      return () => {
        withdraw();
        running?.unsubscribe();
        letGo();
      };
    });
  }

  /**
   * Takes it for `task`, or queues for it: `granted` is called (perhaps at
   * once) when it is held. The returned function withdraws a wait.
   * @internal
   */
  abstract queueFor(task: Task, granted: () => void): () => void;

  /** Releases what `task` took (the owner an RLock knows; a Lock has none). @internal */
  abstract releaseFor(task: Task | number | undefined): void;
  /** Does the calling code hold it (Python's `_is_owned`, for a Condition)? @internal */
  abstract owned(): boolean;
  /** Lets it go entirely, for a Condition's wait. @internal */
  abstract saveAndRelease(): SavedHold;
  /** Takes it back as it was before the wait (however long that takes). @internal */
  abstract restore(saved: SavedHold): Promise<void>;

  /** Just took the mutex: was it from a holder that died? */
  protected took(): true {
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

  /** The mutex is free again: the next taker's report is its own. */
  protected freed(): void {
    this.tookOver = false;
  }
}

/** The one key a lock is known by in each thread. */
export function lockKey(place: Pick<LockPlace, 'mapping' | 'offset'>): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `lock:${key}:${place.offset}`;
}
