import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, checkScheduler, checkWaitOptions, quote, type WaitOptions } from '../handle/options.js';
import { remember } from '../transport/shm/identity.js';
import { Mapping } from '../transport/shm/mapping.js';
import { SHARED_SEMAPHORE_BYTES, SharedSemaphore } from '../transport/shm/shared-semaphore.js';
import { type AcquireOptions, MutexLock, type SavedHold } from './lock-base.js';
import type { Lock } from './lock.js';
import { RLock } from './rlock.js';

/** Options for `new Condition()`. */
export interface ConditionOptions {
  /** Where `wait` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** Where a condition's waiters are, and its lock. */
export interface ConditionPlace {
  mapping: Mapping;
  offset: number;
  lock: Lock | RLock;
}

export const kConditionPlace = Symbol('rxmp.condition.place');
let placing: ConditionPlace | undefined;

/**
 * A condition variable shared by threads and processes (Python's
 * `multiprocessing.Condition`): hold its lock, `wait()` until another
 * party changes the shared state and `notify()`s. Its waiters live in
 * shared memory, in arrival order: `notify(n)` wakes the `n` who waited
 * longest, wherever they are. `notify` never waits for anyone, so a waiter
 * that dies cannot hang it; a notification sent to a waiter that died
 * before taking it goes to the next waiter.
 *
 * @example
 * const ready = new Condition();
 * await ready.runExclusive(() => ready.waitFor(() => queue.length > 0, { timeout: 1000 }));
 */
export class Condition {
  /** @internal */
  readonly [kConditionPlace]: ConditionPlace;
  private readonly sem: SharedSemaphore;
  private readonly lock: Lock | RLock;
  private readonly scheduler: SchedulerLike;

  /** `lock`: the lock to use (default: a new RLock, as Python). */
  constructor(lock?: Lock | RLock, options?: ConditionOptions) {
    const o = checkOptions<ConditionOptions>(options ?? {}, 'Condition options', ['scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    if (lock !== undefined && !(lock instanceof MutexLock)) throw new TypeError(`lock must be a Lock or an RLock, got ${quote(lock)}`);
    const revived = placing;
    placing = undefined;
    this[kConditionPlace] = revived ?? { mapping: Mapping.anonymous(SHARED_SEMAPHORE_BYTES), offset: 0, lock: lock ?? new RLock() };
    this.lock = this[kConditionPlace].lock;
    const { mapping, offset } = this[kConditionPlace];
    this.sem = new SharedSemaphore(mapping.buffer, offset, true);
    if (!revived) this.sem.init(0, -1);
    remember(conditionKey(this[kConditionPlace]), this);
  }

  /** Takes the condition's lock (its `acquire`: `true` once held, `false` after `timeout`). */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.lock.acquire(options);
  }

  /** Takes the condition's lock if it is free now. */
  tryAcquire(): boolean {
    return this.lock.tryAcquire();
  }

  /** Lets the condition's lock go (`NotHeldError` if this task does not hold it). */
  release(): void {
    this.lock.release();
  }

  /** The condition's lock as an Observable: emits once held, releases on unsubscribe. */
  acquire$(): Observable<void> {
    return this.lock.acquire$();
  }

  /** Runs `fn` holding the condition's lock, and lets it go whatever `fn` does. */
  runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    return this.lock.runExclusive(fn);
  }

  /** `await using` support: releases the condition's lock. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.lock.release();
  }

  /**
   * Lets the lock go, waits for a `notify` (or `timeout` ms), and takes the
   * lock back before it resolves — whatever the outcome, as Python's.
   * Resolves `true` when notified, `false` on timeout; an aborted signal
   * rejects with its reason (after the lock is back; a notification it was
   * given meanwhile goes to the next waiter). Without the lock:
   * `NotHeldError`, at once.
   */
  async wait(options?: WaitOptions): Promise<boolean> {
    const { timeout, signal } = checkWaitOptions(options);
    if (!this.lock.owned()) throw new NotHeldError('condition', 'cannot wait on a Condition without holding its lock');
    if (signal?.aborted) throw signal.reason;
    let saved: SavedHold | undefined;
    // Settled once, synchronously, by whichever comes first (so virtual time sees the order).
    const outcome = await new Promise<{ notified: boolean; aborted?: { reason: unknown } }>((resolve) => {
      let settled = false;
      let timer: Subscription | undefined;
      const settle = (result: { notified: boolean; aborted?: { reason: unknown } }): void => {
        if (settled) return;
        settled = true;
        timer?.unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      // A notification that came before the deadline or the abort could withdraw the wait is kept (or passed on).
      const onAbort = (): void => settle({ notified: withdraw(), aborted: { reason: signal?.reason } });
      // In line before the lock goes, so a notify by its next holder finds this waiter.
      const withdraw = this.sem.wait(() => settle({ notified: true }));
      saved = this.lock.saveAndRelease();
      if (settled) return;
      if (timeout !== undefined) timer = this.scheduler.schedule(() => settle({ notified: withdraw() }), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    await this.lock.restore(saved as SavedHold);
    if (outcome.aborted) {
      if (outcome.notified) this.sem.notify(1);
      throw outcome.aborted.reason;
    }
    return outcome.notified;
  }

  /**
   * Waits until `predicate()` is truthy (checked first, and after each
   * wake-up), or `timeout` ms in all; resolves the predicate's last value.
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    const { timeout, signal } = checkWaitOptions(options);
    const end = timeout === undefined ? undefined : this.scheduler.now() + timeout;
    let result = predicate();
    while (!result) {
      let left: number | undefined;
      if (end !== undefined) {
        left = end - this.scheduler.now();
        if (left <= 0) break;
      }
      await this.wait({ timeout: left, signal });
      result = predicate();
    }
    return result;
  }

  /** Wakes the `n` longest waiters (fewer if fewer wait). Without the lock: `NotHeldError`. */
  notify(n = 1): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${quote(n)}`);
    if (!this.lock.owned()) throw new NotHeldError('condition', 'cannot notify on a Condition without holding its lock');
    this.sem.notify(n);
  }

  /** Wakes every waiter. Without the lock: `NotHeldError`. */
  notifyAll(): void {
    if (!this.lock.owned()) throw new NotHeldError('condition', 'cannot notify on a Condition without holding its lock');
    this.sem.notify(Number.MAX_SAFE_INTEGER);
  }
}

markHandle(Condition, 'condition');

export function conditionKey(place: Pick<ConditionPlace, 'mapping' | 'offset'>): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `condition:${key}:${place.offset}`;
}

/** The condition over `place`: a revived handle. */
export function conditionAt(place: ConditionPlace): Condition {
  placing = place;
  try {
    return new Condition();
  } finally {
    placing = undefined;
  }
}
