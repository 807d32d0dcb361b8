import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkAcquire, queueWith, type SharedWaitSteps, sharedWait, whileHeld } from '../handle/shared-wait.js';
import { waits } from '../transport/shm/mutex-waits.js';
import { type AcquireOptions, type LockOptions, MutexLock, type SavedHold } from './lock-base.js';

export type { AcquireOptions, LockOptions } from './lock-base.js';

/**
 * A mutual-exclusion lock shared by threads and processes (Python's
 * `multiprocessing.Lock`): its state is shared memory, so taking a free
 * lock is one atomic operation, and waiting never blocks an event loop.
 * Waiters are served in arrival order, across processes too. Any holder
 * may release it (as Python's). A holder that dies (its `Process` sees it
 * exit) does not keep it: the lock goes on, and its next taker is told (`abandoned`).
 *
 * @example
 * const lock = new Lock();
 * await lock.runExclusive(() => { counter.value += 1; });
 */
export class Lock extends MutexLock {
  constructor(options?: LockOptions) {
    super(options, 'Lock', false);
  }

  /** Takes the lock if it is free and nobody here waits for it; never waits. */
  tryAcquire(): boolean {
    return !waits.has(this.mutex) && this.mutex.tryLock() && this.took();
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
    now: (patient) => !waits.has(this.mutex) && (patient ? this.mutex.spinLock() : this.mutex.tryLock()) && this.took(),
    enter: (granted) => {
      const waiter = waits.add(this.mutex, () => {
        this.took();
        granted();
      });
      return () => !waits.remove(this.mutex, waiter);
    },
    giveBack: () => this.release(),
  };

  /** Frees the lock (or hands it to the next waiter). Releasing a lock nobody holds throws `NotHeldError`. */
  release(): void {
    if (!this.mutex.unlock()) throw new NotHeldError('lock');
    this.freed();
  }

  runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    return whileHeld(this, fn);
  }

  /** @internal */
  queueFor(_task: unknown, granted: () => void): () => void {
    return queueWith(this.waitSteps, granted);
  }

  /** @internal */
  releaseFor(): void {
    this.release();
  }

  /** @internal */
  owned(): boolean {
    return this.locked();
  }

  /** @internal */
  saveAndRelease(): SavedHold {
    this.release();
    return { task: undefined, count: 1 };
  }

  /** @internal */
  async restore(): Promise<void> {
    await this.acquire();
  }
}

markHandle(Lock, 'lock');
