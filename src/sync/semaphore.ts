import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkOptions, checkScheduler, quote } from '../handle/options.js';
import { checkAcquire, type SharedWaitSteps, sharedWait, whileHeld } from '../handle/shared-wait.js';
import { remember } from '../transport/shm/identity.js';
import { Mapping } from '../transport/shm/mapping.js';
import { SHARED_SEMAPHORE_BYTES, SharedSemaphore } from '../transport/shm/shared-semaphore.js';
import type { AcquireOptions } from './lock.js';

/** Options for `new Semaphore()` / `new BoundedSemaphore()`. */
export interface SemaphoreOptions {
  /** Where `acquire` timeouts are measured. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

export interface SemaphorePlace {
  mapping: Mapping;
  offset: number;
}

export const kSemPlace = Symbol('rxmp.semaphore.place');

/** Set while `semaphoreAt` builds a semaphore over memory that exists already. */
let placing: SemaphorePlace | undefined;

/**
 * A counting semaphore shared by threads and processes (Python's
 * `multiprocessing.Semaphore`). Its count and its waiters live in shared
 * memory: waiters are served in arrival order, across processes too, and a
 * unit held by a process or thread that dies comes back when rxmp sees it
 * die (its parent's `Process` sees the exit).
 *
 * @example
 * const slots = new Semaphore(3);
 * await slots.runExclusive(() => download(url)); // at most 3 at a time, across the workers
 */
export class Semaphore {
  /** @internal */
  readonly [kSemPlace]: SemaphorePlace;
  private readonly sem: SharedSemaphore;
  private readonly scheduler: SchedulerLike;

  constructor(value = 1, options?: SemaphoreOptions) {
    const o = checkOptions<SemaphoreOptions>(options ?? {}, 'Semaphore options', ['scheduler']);
    this.scheduler = checkScheduler(o.scheduler) ?? asyncScheduler;
    const revived = placing;
    placing = undefined;
    if (!revived) checkValue(value);
    this[kSemPlace] = revived ?? { mapping: Mapping.anonymous(SHARED_SEMAPHORE_BYTES), offset: 0 };
    this.sem = new SharedSemaphore(this[kSemPlace].mapping.buffer, this[kSemPlace].offset);
    if (!revived) this.sem.init(value, this.bound(value));
    remember(semaphoreKey(this[kSemPlace]), this);
  }

  /** The bound on the count: none (-1) for a Semaphore. */
  protected bound(_value: number): number {
    return -1;
  }

  /** Takes a unit if one is free and nobody waits ahead; never waits. */
  tryAcquire(): boolean {
    return this.sem.tryTake() !== undefined;
  }

  /**
   * Resolves `true` once a unit is held; `false` when `block: false` or
   * `timeout` ms found none (as Python). An aborted signal withdraws the
   * wait and rejects with its reason. Waiters are served in arrival order.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return sharedWait(options, checkAcquire, this.scheduler, this.waitSteps);
  }

  private readonly waitSteps: SharedWaitSteps = {
    now: () => this.sem.tryTake() !== undefined,
    enter: (granted) => this.sem.wait(granted),
    giveBack: () => this.sem.release(),
  };

  /** Gives back `n` units (anyone may, as Python). A BoundedSemaphore past its bound throws, changing nothing. */
  release(n = 1): void {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be a whole number ≥ 1, got ${quote(n)}`);
    if (!this.sem.release(n)) throw new NotHeldError('BoundedSemaphore', 'BoundedSemaphore released too many times');
  }

  /** The free units now (Python's `get_value()`, which macOS lacks; here everywhere). */
  getValue(): number {
    return this.sem.value;
  }

  /** Acquires, runs `fn`, and releases, also when `fn` throws or rejects. */
  runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    return whileHeld(this, fn);
  }

  /**
   * Emits once a unit is held, and holds it while you stay subscribed:
   * unsubscribing gives it back, and unsubscribing before withdraws the
   * wait. It never completes by itself.
   */
  acquire$(): Observable<void> {
    return new Observable<void>((subscriber) => {
      let held = false;
      let withdraw: (() => boolean) | undefined;
      const granted = (): void => {
        held = true;
        subscriber.next();
      };
      // A grant comes synchronously (at once, or inside the release that gives it), so virtual time sees it.
      if (this.sem.tryTake() !== undefined) granted();
      else withdraw = this.sem.wait(granted);
      return () => {
        if (!held && withdraw?.()) held = true; // granted, not yet seen
        if (held) this.sem.release();
        held = false;
      };
    });
  }

  /** `await using` gives the unit back: `await sem.acquire(); await using _ = sem;`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /** @internal */
  get shared(): SharedSemaphore {
    return this.sem;
  }
}

/** A semaphore whose count may never pass its initial value (Python's `BoundedSemaphore`). */
export class BoundedSemaphore extends Semaphore {
  protected override bound(value: number): number {
    return value;
  }
}

markHandle(Semaphore, 'semaphore');
markHandle(BoundedSemaphore, 'bounded-semaphore');

function checkValue(value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`value must be a number, got ${quote(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`value must be a whole number ≥ 0, got ${quote(value)}`);
}

export function semaphoreKey(place: SemaphorePlace): string | undefined {
  const key = place.mapping.key;
  return key === undefined ? undefined : `semaphore:${key}:${place.offset}`;
}

/** The semaphore over `place`, of `bounded` kind: a revived handle. */
export function semaphoreAt(place: SemaphorePlace, bounded: boolean): Semaphore {
  placing = place;
  try {
    return bounded ? new BoundedSemaphore() : new Semaphore();
  } finally {
    placing = undefined;
  }
}
