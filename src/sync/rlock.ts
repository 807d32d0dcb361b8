import { NotHeldError } from '../errors.js';
import { markHandle } from '../handle/handle-kinds.js';
import { checkAcquire, type SharedWaitSteps, sharedWait } from '../handle/shared-wait.js';
import { waits } from '../transport/shm/mutex-waits.js';
import { type AcquireOptions, type LockOptions, MutexLock, type SavedHold } from './lock-base.js';
import { anonymousTask, currentTask, inTask, type Task } from './task.js';

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
  /** The task holding it in this thread, and how many times. */
  private holder: Task | undefined;
  private count = 0;
  /** The task of the `acquire` being started (read by its wait steps). */
  private asking: Task | undefined;

  constructor(options?: LockOptions) {
    super(options, 'RLock', true);
  }

  tryAcquire(): boolean {
    const task = currentTask() ?? anonymousTask();
    if (this.holder === task) return this.again();
    if (waits.has(this.mutex) || !this.mutex.tryLock()) return false;
    return this.gotFor(task);
  }

  /**
   * Resolves `true` once held (at once if this task holds it already);
   * `false` when `block: false` or `timeout` ms found it taken. An aborted
   * signal withdraws the wait and rejects with its reason.
   */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.acquireFor(currentTask() ?? anonymousTask(), options);
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
  queueFor(task: Task, granted: () => void): () => void {
    if (this.holder === task || (!waits.has(this.mutex) && this.mutex.tryLock())) {
      if (this.holder === task) this.again();
      else this.gotFor(task);
      granted();
      return () => {};
    }
    const waiter = waits.add(this.mutex, () => {
      this.gotFor(task);
      granted();
    });
    return () => void waits.remove(this.mutex, waiter);
  }

  /** @internal */
  acquireFor(task: Task | undefined, options?: AcquireOptions): Promise<boolean> {
    const owner = task ?? anonymousTask();
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
      !waits.has(this.mutex) && (patient ? this.mutex.spinLock() : this.mutex.tryLock()) && this.gotFor(this.asking as Task),
    enter: (granted) => {
      const task = this.asking as Task;
      const waiter = waits.add(this.mutex, () => {
        this.gotFor(task);
        granted();
      });
      return () => !waits.remove(this.mutex, waiter);
    },
    giveBack: () => this.releaseFor(this.holder),
  };

  /** @internal */
  releaseFor(task: Task | undefined): void {
    const holder = this.holder;
    // A hold taken outside any task is released from outside any task.
    const owner = holder !== undefined && (holder === task || (holder.anonymous === true && task === undefined));
    if (!owner) throw new NotHeldError('rlock', 'cannot release an RLock this task does not hold');
    if (--this.count > 0) return;
    this.holder = undefined;
    this.mutex.unlock();
    this.freed();
  }

  /** @internal */
  owned(): boolean {
    const task = currentTask();
    const holder = this.holder;
    return holder !== undefined && (holder === task || (holder.anonymous === true && task === undefined));
  }

  /** @internal */
  saveAndRelease(): SavedHold {
    if (!this.owned()) throw new NotHeldError('rlock', 'cannot release an RLock this task does not hold');
    const saved = { task: this.holder, count: this.count };
    this.count = 1;
    this.releaseFor(saved.task?.anonymous ? undefined : saved.task);
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

  private gotFor(task: Task): true {
    this.took();
    this.holder = task;
    this.count = 1;
    return true;
  }
}

markHandle(RLock, 'rlock');
