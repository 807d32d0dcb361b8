/**
 * The pool's public surface: `Pool`, its calls (`apply`, `map`, `starmap`,
 * `imap`, `imapUnordered`) and its life (running, closed, terminated,
 * joined). It owns the task and result queues and ties the chunk dispatch
 * (`pool-chunks`) to the workers (`pool-workers`).
 */
import { inspect } from 'node:util';
import type { Observable, Subscription } from 'rxjs';
import { lastValueFrom, toArray } from 'rxjs';
import { ClosedError, type ProcessError } from '../errors.js';
import { JoinableQueue } from '../joinable-queue.js';
import type { Target, UntypedTarget } from '../process/target-types.js';
import { Queue } from '../queue.js';
import { PoolChunks } from './pool-chunks.js';
import type { ResultMsg, TaskMsg } from './pool-messages.js';
import { type CheckedPoolOptions, checkCallOptions, checkPoolOptions, type PoolCallOptions, type PoolOptions } from './pool-options.js';
import { poolStream, type StreamHost } from './pool-stream.js';
import { PoolWorkers } from './pool-workers.js';
import type { TaskInput } from './task-feed.js';

export type { PoolCallOptions, PoolOptions } from './pool-options.js';
export type { TaskInput } from './task-feed.js';

/** What a task of a pool over `F` resolves with: the awaited return value. */
export type PoolResult<F extends Target> = Awaited<ReturnType<F>>;

let pools = 0;

/**
 * A pool of workers running one module's export (Python's
 * `multiprocessing.Pool`), forked or threads, over a `JoinableQueue` of
 * tasks that each worker `consume`s and a `Queue` of results.
 *
 * Typed by the task function: `new Pool<typeof square>(…)` makes `map`
 * take its parameter and emit its awaited return type.
 *
 * - At most `maxsize` tasks are in flight (submitted, no result yet) over
 *   every call; inputs are pulled as slots free.
 * - Tasks travel in chunks of a call's `chunksize` (default 1): one queue
 *   item carries a chunk's tasks to a worker, which runs them one after
 *   another, and one item brings their results back.
 * - A task whose function throws fails that task (its error comes back);
 *   the worker goes on, and so do the other tasks of its chunk.
 * - A worker that dies is replaced. Each task of the chunk it was running
 *   whose result had not come back (a chunk's results come back together:
 *   all of them) is run once more, alone, and fails with `ProcessError` if
 *   its worker dies too: a task that kills its worker fails by itself. So a
 *   task may run twice although its first run finished, as in any
 *   at-least-once delivery; so may the tasks of chunks the dead worker had
 *   fetched ahead (`prefetch`).
 *
 * @example
 * import type square from './square.js';
 * const pool = new Pool<typeof square>({ target: new URL('./square.js', import.meta.url), processes: 2 });
 * const squares = await firstValueFrom(pool.map([1, 2, 3])); // [1, 4, 9]
 * pool.close();
 * await pool.join();
 */
export class Pool<F extends Target = UntypedTarget> {
  private readonly options: CheckedPoolOptions;
  private readonly tasks: JoinableQueue<TaskMsg>;
  private readonly results = new Queue<ResultMsg>();
  private readonly chunks: PoolChunks;
  private readonly workers: PoolWorkers;
  private readonly joiners: (() => void)[] = [];
  private readonly resultsSubscription: Subscription;
  private state: 'running' | 'closed' | 'terminated' = 'running';
  /** Why the pool stopped by itself (a worker that could not start its tasks). */
  private broken: ProcessError | undefined;
  private readonly id = ++pools;

  constructor(options: PoolOptions) {
    this.options = checkPoolOptions(options);
    const o = this.options;
    // A chunk holds one task at least: the in-flight bound is a bound on chunks too.
    this.tasks = new JoinableQueue<TaskMsg>({ maxsize: o.maxsize });
    this.chunks = new PoolChunks(this.tasks, o.maxsize, {
      terminated: () => this.state === 'terminated',
      lastDeath: () => this.workers.lastDeath,
      unfed: () => this.endIfFed(),
      settled: () => this.finishIfGone(),
    });
    this.workers = new PoolWorkers(o, this.tasks, this.results, this.id, {
      state: () => this.state,
      busy: () => this.chunks.busy,
      broke: (error) => this.breakWith(error),
      exited: () => this.finishIfGone(),
    });
    this.resultsSubscription = this.results.observe().subscribe((message) => this.chunks.settle(message));
    for (let i = 0; i < o.processes; i++) this.workers.spawn();
  }

  /** Workers alive now (a dead one counts until its replacement is started). */
  get running(): number {
    return this.workers.running;
  }

  /** The workers' pids (forked pools; `undefined` for threads), for supervision and tests. */
  get pids(): (number | undefined)[] {
    return this.workers.pids;
  }

  /**
   * Runs one task; resolves with its result, rejects with its error
   * (Python's `apply_async(...).get()`). It waits its turn for a slot as
   * the calls over many inputs do, so it too counts toward `maxsize`.
   * (Its arguments are the task's own, so it takes no options: for a
   * signal, `firstValueFrom(pool.imap([x], { signal }))`.)
   */
  apply(...args: Parameters<F>): Promise<PoolResult<F>> {
    return lastValueFrom(this.stream<PoolResult<F>>([args], true, true, undefined));
  }

  /**
   * One array of every result, in input order, then complete (Python's
   * `map` returns a list). Errors at the first failed task, in input order.
   * @example const squares = await firstValueFrom(pool.map(range(0, 100_000), { chunksize: 64 }));
   */
  map(items: TaskInput<Parameters<F>[0]>, options?: PoolCallOptions): Observable<PoolResult<F>[]> {
    return this.stream<PoolResult<F>>(items, false, true, options).pipe(toArray());
  }

  /** `map` for functions of many arguments: each input is an argument list (Python's `starmap`). */
  starmap(argsList: TaskInput<Parameters<F>>, options?: PoolCallOptions): Observable<PoolResult<F>[]> {
    return this.stream<PoolResult<F>>(argsList, true, true, options).pipe(toArray());
  }

  /**
   * Each result in input order, as soon as it and those before it are in
   * (Python's `imap`). A failed task errors the Observable at its place, as
   * Python's iterator raises at that item: the results before it are emitted.
   */
  imap(items: TaskInput<Parameters<F>[0]>, options?: PoolCallOptions): Observable<PoolResult<F>> {
    return this.stream<PoolResult<F>>(items, false, true, options);
  }

  /**
   * Each result as its task finishes (Python's `imap_unordered`; with a
   * `chunksize`, as its chunk comes back). A failed task errors the
   * Observable when it fails.
   * @example pool.imapUnordered(inputs, { chunksize: 256 }).subscribe(handle); // 100k tiny tasks
   */
  imapUnordered(items: TaskInput<Parameters<F>[0]>, options?: PoolCallOptions): Observable<PoolResult<F>> {
    return this.stream<PoolResult<F>>(items, false, false, options);
  }

  /**
   * No more tasks: calls made after this fail with `ClosedError`; calls
   * already running still take their inputs; workers exit once every task is done.
   */
  close(): void {
    if (this.state !== 'running') return;
    this.state = 'closed';
    this.endIfFed();
  }

  /**
   * Stops the workers now. Every task not yet done fails with a
   * `ClosedError` whose `resource` is `'pool'`; calls made after fail the same way.
   */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.chunks.failAll(new ClosedError('pool', 'the pool was terminated'));
    this.workers.terminate();
    this.finishIfGone();
  }

  /** After `close()` or `terminate()`: resolves once every worker has exited. Before: rejects `TypeError`. */
  join(): Promise<void> {
    if (this.state === 'running') return Promise.reject(new TypeError('Pool.join() needs close() or terminate() first'));
    return new Promise((resolve) => {
      if (this.finished) return resolve();
      this.joiners.push(resolve);
      this.finishIfGone();
    });
  }

  /** `Pool { processes: 2, kind: 'fork', running: 2, closed: false }`. */
  [inspect.custom](_depth: number, options: object): string {
    const { processes, kind } = this.options;
    const shown = { processes, kind, running: this.running, closed: this.state !== 'running' };
    return `Pool ${inspect(shown, { ...options, breakLength: Number.POSITIVE_INFINITY })}`;
  }

  /** The same as `inspect` shows, without colours: `Pool { processes: 2, kind: 'fork', running: 2, closed: false }`. */
  toString(): string {
    return this[inspect.custom](0, {});
  }

  /** Why a new call cannot start, if it cannot. */
  private refusal(): Error | undefined {
    if (this.broken) return this.broken;
    if (this.state === 'terminated') return new ClosedError('pool', 'the pool was terminated');
    if (this.state === 'closed') return new ClosedError('pool', 'the pool is closed: it takes no new tasks');
    return undefined;
  }

  /** A call over many inputs (see `poolStream`); its options are checked at the call. */
  private stream<R>(input: TaskInput<unknown>, spread: boolean, ordered: boolean, options: PoolCallOptions | undefined): Observable<R> {
    const { chunksize, signal } = checkCallOptions(options);
    return poolStream<R>(this.host, input, { spread, ordered, chunksize, signal });
  }

  /** What a call's stream uses of the pool. */
  private readonly host: StreamHost = {
    refusal: () => this.refusal(),
    submit: (base, waiter, args, items) => this.chunks.submit(base, waiter, args, items),
    drop: (waiter) => this.chunks.drop(waiter),
    feed: (feeder) => this.chunks.feed(feeder),
    unfeed: (feeder) => this.chunks.unfeed(feeder),
    pump: () => this.chunks.pump(),
  };

  /**
   * Closed, every call fed and every task's outcome in: the task queue
   * ends, so workers exit once it is drained. Not before: a lost chunk's
   * tasks are retried through it.
   */
  private endIfFed(): void {
    if (this.state !== 'closed' || this.chunks.busy || this.tasksEnded) return;
    this.tasksEnded = true;
    void this.tasks.end();
  }

  private tasksEnded = false;

  private breakWith(error: ProcessError): void {
    this.broken = error;
    this.state = 'terminated';
    this.chunks.failAll(error);
    this.workers.terminate();
  }

  /** Every worker gone for good: the queues end, `join()` resolves. */
  private finishIfGone(): void {
    this.endIfFed();
    if (this.workers.running > 0 || this.state === 'running') return;
    if (this.state === 'closed' && this.chunks.busy) return;
    if (this.finishing) return;
    this.finishing = true;
    this.resultsSubscription.unsubscribe();
    void this.dropTasks().then(() => {
      void this.tasks.end();
      void this.results.end();
      this.finished = true;
      for (const resolve of this.joiners.splice(0)) resolve();
    });
  }

  private finishing = false;
  private finished = false;

  /**
   * Tasks a terminated pool never ran (its workers' tasks came back to the
   * queue when they died) are marked done, so the queue does not warn that
   * no consumer is left for them.
   */
  private async dropTasks(): Promise<void> {
    for (;;) {
      try {
        await this.tasks.getNowait();
      } catch {
        return;
      }
      this.tasks.taskDone();
    }
  }
}
