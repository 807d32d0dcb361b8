import { inspect } from 'node:util';
import type { Observable, Subscription } from 'rxjs';
import { lastValueFrom, toArray } from 'rxjs';
import { ClosedError, ProcessError } from '../errors.js';
import { JoinableQueue } from '../joinable-queue.js';
import { Process } from '../process/process.js';
import type { Target, UntypedTarget } from '../process/target-types.js';
import { Queue } from '../queue.js';
import { decodeError, type ErrorInfo } from '../wire/error-codec.js';
import { type LostMsg, type ResultMsg, START_FAILED, TASK_ATTEMPTS, type TaskMsg, type WorkerSpec } from './pool-messages.js';
import { type CheckedPoolOptions, checkCallOptions, checkPoolOptions, type PoolCallOptions, type PoolOptions } from './pool-options.js';
import type poolWorker from './pool-worker.js';
import { type CallWaiter, type Feeder, poolStream, type StreamHost } from './pool-stream.js';
import type { TaskInput } from './task-feed.js';

export type { PoolCallOptions, PoolOptions } from './pool-options.js';
export type { TaskInput } from './task-feed.js';

/** What a task of a pool over `F` resolves with: the awaited return value. */
export type PoolResult<F extends Target> = Awaited<ReturnType<F>>;

const WORKER = new URL('./pool-worker.js', import.meta.url);

/** One chunk in flight: a queue item of `n` tasks, the inputs `base…` of its call. */
interface Chunk {
  /** Its caller; `undefined` once the caller left (its outcomes are then dropped). */
  waiter: CallWaiter | undefined;
  readonly base: number;
  readonly n: number;
  /** The pool's number of its first task (for errors). */
  readonly task: number;
  /** Its tasks' attempt, 1 or (a retry) `TASK_ATTEMPTS`. */
  readonly attempt: number;
  /** Tasks not yet settled. */
  left: number;
  /** Which tasks are settled, once it came back in parts. */
  settled: Uint8Array | undefined;
}

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
  private readonly spec: WorkerSpec;
  private readonly tasks: JoinableQueue<TaskMsg>;
  private readonly results = new Queue<ResultMsg>();
  private readonly workers = new Set<Process<typeof poolWorker>>();
  /** Chunks in flight by id. */
  private readonly pending = new Map<number, Chunk>();
  /** Tasks in flight (submitted, outcome not yet back), over every chunk: what `maxsize` bounds. */
  private inFlight = 0;
  private readonly feeders: Feeder[] = [];
  private readonly joiners: (() => void)[] = [];
  private readonly resultsSubscription: Subscription;
  private state: 'running' | 'closed' | 'terminated' = 'running';
  /** Why the pool stopped by itself (a worker that could not start its tasks). */
  private broken: ProcessError | undefined;
  /** How the last worker that died mid-task ended: what a task that lost its workers fails with. */
  private lastDeath: ProcessError | undefined;
  private nextId = 0;
  private nextTask = 0;
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
    // A chunk holds one task at least: the in-flight bound is a bound on chunks too.
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
    submit: (base, waiter, args, items) => {
      const n = (args ?? (items as unknown[])).length;
      this.inFlight += n;
      this.submit(base, waiter, n, args, items, 1, this.nextTask);
      this.nextTask += n;
    },
    drop: (waiter) => {
      for (const chunk of this.pending.values()) if (chunk.waiter === waiter) chunk.waiter = undefined;
    },
    feed: (feeder) => {
      this.feeders.push(feeder);
      this.pump();
    },
    unfeed: (feeder) => this.unfeed(feeder),
    pump: () => this.pump(),
  };

  /** Puts one chunk on the task queue (its tasks are already counted in flight). */
  private submit(
    base: number,
    waiter: CallWaiter | undefined,
    n: number,
    args: unknown[][] | undefined,
    items: unknown[] | undefined,
    attempt: number,
    task: number,
  ): void {
    const id = this.nextId++;
    this.pending.set(id, { waiter, base, n, task, attempt, left: n, settled: undefined });
    const message: TaskMsg = args ? [id, 1, args, attempt > 1 ? 1 : 0] : [id, 0, items as unknown[], attempt > 1 ? 1 : 0];
    // The queue's maxsize is the in-flight bound, so this put never waits; it can still refuse the arguments.
    this.tasks.put(message).catch((error: unknown) => {
      const chunk = this.pending.get(id);
      if (!chunk || !this.pending.delete(id)) return;
      if (n === 1) {
        this.inFlight--;
        chunk.waiter?.error(chunk.base, error);
      } else {
        // Which task's arguments could not go is not known: each goes alone, and only its own fails.
        for (let k = 0; k < n; k++) {
          this.submit(
            base + k,
            chunk.waiter,
            1,
            args ? [args[k] as unknown[]] : undefined,
            items ? [items[k]] : undefined,
            attempt,
            task + k,
          );
        }
      }
      this.pump();
      this.finishIfGone();
    });
  }

  /** A chunk's outcomes came back, or the chunk itself, lost with its worker (a duplicate of a redelivered one finds it settled). */
  private settle(message: ResultMsg): void {
    const id = message[0];
    const chunk = this.pending.get(id);
    if (!chunk) return;
    if (message.length === 5) this.lost(chunk, id, message);
    else {
      const [, v, o, e] = message;
      const parts = o !== 0 || v.length !== chunk.n;
      if (parts) chunk.settled ??= new Uint8Array(chunk.n);
      let errors = 0;
      for (let k = 0; k < v.length; k++) {
        const at = o + k;
        if (chunk.settled) {
          if (chunk.settled[at] === 1) continue;
          chunk.settled[at] = 1;
        }
        chunk.left--;
        this.inFlight--;
        if (e !== 0 && errors < e.length && (e[errors] as [number, unknown])[0] === k) {
          const info = (e[errors++] as [number, ErrorInfo])[1];
          chunk.waiter?.error(chunk.base + at, decodeError(info));
        } else chunk.waiter?.value(chunk.base + at, v[k]);
      }
      if (chunk.left === 0) this.pending.delete(id);
    }
    this.pump();
    this.finishIfGone();
  }

  /**
   * A chunk's worker died before its outcomes were on their way: each of
   * its tasks not yet settled is retried once, alone (so a task that kills
   * its worker fails by itself); a retry lost too fails with `ProcessError`.
   */
  private lost(chunk: Chunk, id: number, message: LostMsg): void {
    this.pending.delete(id);
    const [, spread, inputs] = message;
    for (let k = 0; k < chunk.n; k++) {
      if (chunk.settled?.[k] === 1) continue;
      // Its caller left: its outcome would be dropped, so it is not run again.
      if (!chunk.waiter) {
        this.inFlight--;
        continue;
      }
      if (chunk.attempt >= TASK_ATTEMPTS) {
        this.inFlight--;
        chunk.waiter?.error(chunk.base + k, this.lostTask(chunk.task + k, chunk.attempt));
        continue;
      }
      const args = spread ? [inputs[k] as unknown[]] : undefined;
      const items = spread ? undefined : [inputs[k]];
      this.submit(chunk.base + k, chunk.waiter, 1, args, items, chunk.attempt + 1, chunk.task + k);
    }
  }

  /** What a task fails with once its workers died running it: how the last worker that died ended. */
  private lostTask(task: number, attempts: number): ProcessError {
    const death = this.lastDeath;
    return new ProcessError(
      `pool worker (task ${task}, ${attempts} attempts)`,
      death?.exitCode ?? null,
      death?.signal ?? null,
      death?.childError,
      {
        cause: death,
      },
    );
  }

  /** Submits inputs while slots are free, taking from the calls in turn. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let waiting = 0;
      const { maxsize } = this.options;
      while (this.state !== 'terminated' && this.inFlight < maxsize && waiting < this.feeders.length) {
        const feeder = this.feeders.shift() as Feeder;
        this.feeders.push(feeder);
        // One chunk: as many inputs as it carries, as slots allow, or as the input has now.
        const room = Math.min(feeder.chunksize, maxsize - this.inFlight);
        const items: unknown[] = [];
        const pulled = feeder.feed.pullInto(items, room);
        if (items.length > 0) {
          waiting = 0;
          feeder.offer(items);
        }
        if (pulled === 'more') continue;
        if (pulled === 'wait') {
          if (items.length === 0) waiting++;
          continue;
        }
        waiting = 0;
        if (pulled === 'done') {
          this.unfeed(feeder);
          feeder.ended();
        } else if ('error' in pulled) {
          this.unfeed(feeder);
          feeder.failed(pulled.error);
        }
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

  /**
   * Closed, every call fed and every task's outcome in: the task queue
   * ends, so workers exit once it is drained. Not before: a lost chunk's
   * tasks are retried through it.
   */
  private endIfFed(): void {
    if (this.state !== 'closed' || this.feeders.length > 0 || this.inFlight > 0 || this.tasksEnded) return;
    this.tasksEnded = true;
    void this.tasks.end();
  }

  private tasksEnded = false;

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
      const needed = this.inFlight > 0 || this.feeders.length > 0;
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
    const chunks = [...this.pending.values()];
    this.pending.clear();
    this.inFlight = 0;
    for (const chunk of chunks) {
      for (let k = 0; k < chunk.n; k++) if (chunk.settled?.[k] !== 1) chunk.waiter?.error(chunk.base + k, error);
    }
  }

  /** Every worker gone for good: the queues end, `join()` resolves. */
  private finishIfGone(): void {
    this.endIfFed();
    if (this.workers.size > 0 || this.state === 'running') return;
    if (this.state === 'closed' && (this.inFlight > 0 || this.feeders.length > 0)) return;
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
