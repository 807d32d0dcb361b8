import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkAcquire, queueWith, type SharedWaitSteps, sharedWait } from '../handle/shared-wait.js';
import { waits } from '../transport/shm/mutex-waits.js';
import { type AcquireOptions, type LockOptions, MutexLock, type SavedHold } from './lock-base.js';
import { currentTask, inTask, type Task } from './task.js';

/** A task, or one acquire outside any task (numbered). */
type Owner = Task | number;
let anonymous = 0;

/**
 * A re-entrant lock shared by threads and processes (Python's
 * `multiprocessing.RLock`): its owner may take it again, and must release
 * it as many times. The owner is an async task, not a thread, so two
 * unrelated async tasks in one thread exclude each other:
 *
 * - inside `runExclusive(fn)` (and `acquire$()`, `withLock`), `fn` and
 *   everything it awaits or starts are one task, which may acquire again;
 * - an `acquire()` outside any task is its own owner (not re-entrant), and
 *   only code outside any task may release it.
 *
 * Releasing it from anyone but its owner throws `NotHeldError`. Across
 * threads and processes it is the same fair lock as `Lock`, with the same
 * dead-holder recovery.
 *
 * @example
 * const rlock = new RLock();
 * await rlock.runExclusive(async () => {
 *   await rlock.runExclusive(() => update()); // the same task: taken again, not a deadlock
 * });
 */
export class RLock extends MutexLock {
  /**
   * Who holds it in this thread, and how many times: a task, or (a number)
   * an acquire outside any task, its own owner.
   */
  private holder: Owner | undefined;
  private count = 0;
  /** The owner of the `acquire` being started (read by its wait steps). */
  private asking: Owner | undefined;

  constructor(options?: LockOptions) {
    super(options, 'RLock', true);
  }

  /** Takes the lock if it is free now, or again if this task holds it already (re-entrant). */
  tryAcquire(): boolean {
    const task = currentTask();
    if (task !== undefined && this.holder === task) return this.again();
    if (waits.has(this.mutex) || !this.mutex.tryLock()) return false;
    return this.gotFor(task ?? ++anonymous);
  }

  /**
   * Resolves `true` once held (at once if this task holds it already);
   * `false` when `block: false` or `timeout` ms found it taken. An aborted
   * signal withdraws the wait and rejects with its reason.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.acquireFor(currentTask(), options);
  }

  /** Releases one level; the last frees it. Not held by this task: `NotHeldError`. */
  release(): void {
    this.releaseFor(currentTask());
  }

  runExclusive<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    return inTask(async (task) => {
      await this.acquireFor(task);
      try {
        return await fn();
      } finally {
        this.releaseFor(task);
      }
    });
  }

  /** @internal */
  queueFor(task: Owner, granted: () => void): () => void {
    if (this.holder === task) {
      this.again();
      granted();
      return () => {};
    }
    this.asking = task;
    try {
      return queueWith(this.waitSteps, granted);
    } finally {
      this.asking = undefined;
    }
  }

  /** @internal */
  acquireFor(task: Owner | undefined, options?: AcquireOptions): Promise<boolean> {
    const owner = task ?? ++anonymous;
    if (this.holder === owner) {
      try {
        checkAcquire(options);
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve(this.again());
    }
    this.asking = owner;
    try {
      return sharedWait(options, checkAcquire, this.scheduler, this.waitSteps);
    } finally {
      this.asking = undefined;
    }
  }

  private readonly waitSteps: SharedWaitSteps = {
    now: (patient) =>
      !waits.has(this.mutex) && (patient ? this.mutex.spinLock() : this.mutex.tryLock()) && this.gotFor(this.asking as Owner),
    enter: (granted) => {
      const task = this.asking as Owner;
      const waiter = waits.add(this.mutex, () => {
        this.gotFor(task);
        granted();
      });
      return () => !waits.remove(this.mutex, waiter);
    },
    giveBack: () => this.releaseFor(this.holder),
  };

  /** @internal */
  releaseFor(task: Owner | undefined): void {
    if (!this.ownedBy(task)) throw new NotHeldError('rlock', 'cannot release an RLock this task does not hold');
    if (--this.count > 0) return;
    this.holder = undefined;
    this.mutex.unlock();
    this.freed();
  }

  /** @internal */
  owned(): boolean {
    return this.ownedBy(currentTask());
  }

  /** A hold taken outside any task is released from outside any task. */
  private ownedBy(task: Owner | undefined): boolean {
    const holder = this.holder;
    return holder !== undefined && (holder === task || (typeof holder === 'number' && task === undefined));
  }

  /** @internal */
  saveAndRelease(): SavedHold {
    if (!this.owned()) throw new NotHeldError('rlock', 'cannot release an RLock this task does not hold');
    const saved = { task: this.holder, count: this.count };
    this.count = 1;
    this.releaseFor(saved.task);
    return saved;
  }

  /** @internal */
  async restore(saved: SavedHold): Promise<void> {
    await this.acquireFor(saved.task);
    this.count = saved.count;
  }

  private again(): true {
    this.count++;
    return true;
  }

  private gotFor(task: Owner): true {
    this.took();
    this.holder = task;
    this.count = 1;
    return true;
  }
}

markHandle(RLock, 'rlock');
