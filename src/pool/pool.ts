import { inspect } from 'node:util';
import type { Observable, Subscription } from 'rxjs';
import { lastValueFrom, toArray } from 'rxjs';
import { ClosedError, ProcessError } from '../errors.js';
import { JoinableQueue } from '../joinable-queue.js';
import { Process } from '../process/process.js';
import type { Target, UntypedTarget } from '../process/target-types.js';
import { Queue } from '../queue.js';
import { decodeError } from '../wire/error-codec.js';
import { type ResultMsg, START_FAILED, type TaskMsg, type WorkerSpec } from './pool-messages.js';
import { type CheckedPoolOptions, checkPoolOptions, type PoolOptions } from './pool-options.js';
import type poolWorker from './pool-worker.js';
import { type Feeder, poolStream, type StreamHost, type Waiter } from './pool-stream.js';
import type { TaskInput } from './task-feed.js';

export type { PoolOptions } from './pool-options.js';
export type { TaskInput } from './task-feed.js';

/** What a task of a pool over `F` resolves with: the awaited return value. */
export type PoolResult<F extends Target> = Awaited<ReturnType<F>>;

const WORKER = new URL('./pool-worker.js', import.meta.url);

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
 * - A task whose function throws fails that task (its error comes back);
 *   the worker goes on.
 * - A worker that dies is replaced; the task it was running is run once
 *   more, and fails with `ProcessError` if that worker dies too.
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
  private readonly spec: WorkerSpec;
  private readonly tasks: JoinableQueue<TaskMsg>;
  private readonly results = new Queue<ResultMsg>();
  private readonly workers = new Set<Process<typeof poolWorker>>();
  /** Tasks in flight by id; `undefined`: its caller left, its result is dropped when it comes. */
  private readonly pending = new Map<number, Waiter | undefined>();
  private readonly feeders: Feeder[] = [];
  private readonly joiners: (() => void)[] = [];
  private readonly resultsSubscription: Subscription;
  private state: 'running' | 'closed' | 'terminated' = 'running';
  /** Why the pool stopped by itself (a worker that could not start its tasks). */
  private broken: ProcessError | undefined;
  /** How the last worker that died mid-task ended: what a task that lost its workers fails with. */
  private lastDeath: ProcessError | undefined;
  private nextId = 0;
  private spawned = 0;
  private pumping = false;
  private readonly id = ++pools;

  constructor(options: PoolOptions) {
    this.options = checkPoolOptions(options);
    const o = this.options;
    this.spec = {
      target: o.target.href,
      exportName: o.exportName,
      initializer: o.initializer,
      initargs: o.initargs,
      maxTasks: o.maxTasksPerChild === Infinity ? 0 : o.maxTasksPerChild,
      prefetch: o.prefetch,
    };
    this.tasks = new JoinableQueue<TaskMsg>({ maxsize: o.maxsize });
    this.resultsSubscription = this.results.observe().subscribe((message) => this.settle(message));
    for (let i = 0; i < o.processes; i++) this.spawn();
  }

  /** Workers alive now (a dead one counts until its replacement is started). */
  get running(): number {
    return this.workers.size;
  }

  /** The workers' pids (forked pools; `undefined` for threads), for supervision and tests. */
  get pids(): (number | undefined)[] {
    return [...this.workers].map((w) => w.pid);
  }

  /**
   * Runs one task; resolves with its result, rejects with its error
   * (Python's `apply_async(...).get()`). It waits its turn for a slot as
   * the calls over many inputs do, so it too counts toward `maxsize`.
   */
  apply(...args: Parameters<F>): Promise<PoolResult<F>> {
    return lastValueFrom(this.stream<PoolResult<F>>([args], (a) => a as unknown[], true));
  }

  /**
   * One array of every result, in input order, then complete (Python's
   * `map` returns a list). Errors at the first failed task, in input order.
   */
  map(items: TaskInput<Parameters<F>[0]>): Observable<PoolResult<F>[]> {
    return this.stream<PoolResult<F>>(items, (item) => [item], true).pipe(toArray());
  }

  /** `map` for functions of many arguments: each input is an argument list (Python's `starmap`). */
  starmap(argsList: TaskInput<Parameters<F>>): Observable<PoolResult<F>[]> {
    return this.stream<PoolResult<F>>(argsList, (args) => args as unknown[], true).pipe(toArray());
  }

  /**
   * Each result in input order, as soon as it and those before it are in
   * (Python's `imap`). A failed task errors the Observable at its place, as
   * Python's iterator raises at that item: the results before it are emitted.
   */
  imap(items: TaskInput<Parameters<F>[0]>): Observable<PoolResult<F>> {
    return this.stream<PoolResult<F>>(items, (item) => [item], true);
  }

  /** Each result as its task finishes (Python's `imap_unordered`). A failed task errors the Observable when it fails. */
  imapUnordered(items: TaskInput<Parameters<F>[0]>): Observable<PoolResult<F>> {
    return this.stream<PoolResult<F>>(items, (item) => [item], false);
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
    this.failAll(new ClosedError('pool', 'the pool was terminated'));
    for (const worker of this.workers) worker.terminate();
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

  /** A call over many inputs (see `poolStream`). */
  private stream<R>(input: TaskInput<unknown>, toArgs: (item: unknown) => unknown[], ordered: boolean): Observable<R> {
    return poolStream<R>(this.host, input, toArgs, ordered);
  }

  /** What a call's stream uses of the pool. */
  private readonly host: StreamHost = {
    refusal: () => this.refusal(),
    submit: (args, waiter) => this.submit(args, waiter),
    inFlight: (id) => this.pending.has(id),
    drop: (id) => {
      if (this.pending.has(id)) this.pending.set(id, undefined);
    },
    feed: (feeder) => {
      this.feeders.push(feeder);
      this.pump();
    },
    unfeed: (feeder) => this.unfeed(feeder),
    pump: () => this.pump(),
  };

  /** Submits a task; returns its id. */
  private submit(args: unknown[], waiter: Waiter): number {
    const id = this.nextId++;
    this.pending.set(id, waiter);
    // The queue's maxsize is the in-flight bound, so this put never waits; it can still refuse the arguments.
    this.tasks.put({ i: id, a: args }).catch((error: unknown) => {
      const refused = this.pending.get(id);
      if (!this.pending.delete(id)) return;
      refused?.failed(error);
      this.pump();
      this.finishIfGone();
    });
    return id;
  }

  /** A task's outcome came back (a duplicate of a redelivered task's finds it already settled). */
  private settle(message: ResultMsg): void {
    if (!this.pending.has(message.i)) return;
    const waiter = this.pending.get(message.i);
    this.pending.delete(message.i);
    if ('v' in message) waiter?.done(message.v);
    else if ('e' in message) waiter?.failed(decodeError(message.e));
    else waiter?.failed(this.lostTask(message.i, message.lost));
    this.pump();
    this.finishIfGone();
  }

  private lostTask(id: number, attempts: number): ProcessError {
    const death = this.lastDeath;
    const error = new ProcessError(
      `pool worker (task ${id}, ${attempts} attempts)`,
      death?.exitCode ?? null,
      death?.signal ?? null,
      death?.childError,
      {
        cause: death,
      },
    );
    return error;
  }

  /** Submits inputs while slots are free, taking from the calls in turn. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let waiting = 0;
      while (this.state !== 'terminated' && this.pending.size < this.options.maxsize && waiting < this.feeders.length) {
        const feeder = this.feeders.shift() as Feeder;
        this.feeders.push(feeder);
        const pulled = feeder.feed.pull();
        if (pulled === 'wait') {
          waiting++;
          continue;
        }
        waiting = 0;
        if (pulled === 'done') {
          this.unfeed(feeder);
          feeder.ended();
        } else if ('error' in pulled) {
          this.unfeed(feeder);
          feeder.failed(pulled.error);
        } else feeder.offer(pulled.value);
      }
    } finally {
      this.pumping = false;
    }
  }

  private unfeed(feeder: Feeder): void {
    const i = this.feeders.indexOf(feeder);
    if (i < 0) return;
    this.feeders.splice(i, 1);
    feeder.feed.stop();
    this.endIfFed();
  }

  /** Closed and every call fed: the task queue ends, so workers exit once it is drained. */
  private endIfFed(): void {
    if (this.state === 'closed' && this.feeders.length === 0) void this.tasks.end();
  }

  private spawn(): void {
    const worker = new Process<typeof poolWorker>({
      target: WORKER,
      args: [this.spec, this.tasks, this.results],
      kind: this.options.kind,
      name: `PoolWorker-${this.id}.${++this.spawned}`,
    }).start();
    this.workers.add(worker);
    void worker.join().then((code) => this.exited(worker, code ?? 1));
  }

  private exited(worker: Process<typeof poolWorker>, code: number): void {
    this.workers.delete(worker);
    if (this.state !== 'terminated') {
      const error = worker.error;
      if (code !== 0 && error) this.lastDeath = error;
      // It could not start (the module, its export, the initializer): every replacement would fail the same way.
      if (error?.childError?.fields?.[START_FAILED] === true) return this.breakWith(error);
      // Running, a pool keeps its size; closed, a worker is needed only when none is left for what is still to run.
      const needed = this.pending.size > 0 || this.feeders.length > 0;
      if (this.state === 'running' || (this.workers.size === 0 && needed)) this.spawn();
    }
    this.finishIfGone();
  }

  private breakWith(error: ProcessError): void {
    this.broken = error;
    this.state = 'terminated';
    this.failAll(error);
    for (const worker of this.workers) worker.terminate();
  }

  private failAll(error: unknown): void {
    for (const feeder of [...this.feeders]) {
      this.unfeed(feeder);
      feeder.failed(error);
    }
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) waiter?.failed(error);
  }

  /** Every worker gone for good: the queues end, `join()` resolves. */
  private finishIfGone(): void {
    if (this.workers.size > 0 || this.state === 'running') return;
    if (this.state === 'closed' && (this.pending.size > 0 || this.feeders.length > 0)) return;
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
