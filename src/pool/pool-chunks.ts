/**
 * A pool's chunk dispatch, in the parent: the calls feeding it, the chunks
 * in flight and the count of tasks in flight that `maxsize` bounds. It
 * pulls inputs as slots free, puts chunks on the task queue, hands each
 * outcome that comes back to its call, and retries once, alone, each task
 * of a chunk lost with its worker.
 */
import { ProcessError } from '../errors.js';
import type { JoinableQueue } from '../joinable-queue.js';
import { decodeError, type ErrorInfo } from '../wire/error-codec.js';
import { type LostMsg, type ResultMsg, TASK_ATTEMPTS, type TaskMsg } from './pool-messages.js';
import type { CallWaiter, Feeder } from './pool-stream.js';

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

/** What the chunk dispatch needs of its pool. */
export interface ChunksHost {
  /** The pool was terminated: nothing more is submitted. */
  terminated(): boolean;
  /** How the last worker that died mid-task ended: what a task that lost its workers fails with. */
  lastDeath(): ProcessError | undefined;
  /** A call stopped feeding: the task queue may end. */
  unfed(): void;
  /** Outcomes came in, or a chunk could not go: the pool may be done. */
  settled(): void;
}

/** The chunks of a pool's calls, from their inputs to their outcomes. */
export class PoolChunks {
  /** Chunks in flight by id. */
  private readonly pending = new Map<number, Chunk>();
  /** Tasks in flight (submitted, outcome not yet back), over every chunk: what `maxsize` bounds. */
  private inFlight = 0;
  private readonly feeders: Feeder[] = [];
  private nextId = 0;
  private nextTask = 0;
  private pumping = false;

  constructor(
    private readonly tasks: JoinableQueue<TaskMsg>,
    private readonly maxsize: number,
    private readonly host: ChunksHost,
  ) {}

  /** Tasks in flight, or calls with inputs still to submit. */
  get busy(): boolean {
    return this.inFlight > 0 || this.feeders.length > 0;
  }

  /** A call's chunk (see `StreamHost.submit`): its tasks count in flight from now. */
  submit(base: number, waiter: CallWaiter, args: unknown[][] | undefined, items: unknown[] | undefined): void {
    const n = (args ?? (items as unknown[])).length;
    this.inFlight += n;
    this.put(base, waiter, n, args, items, 1, this.nextTask);
    this.nextTask += n;
  }

  /** Its caller left: the outcomes of its chunks in flight are dropped when they come. */
  drop(waiter: CallWaiter): void {
    for (const chunk of this.pending.values()) if (chunk.waiter === waiter) chunk.waiter = undefined;
  }

  feed(feeder: Feeder): void {
    this.feeders.push(feeder);
    this.pump();
  }

  unfeed(feeder: Feeder): void {
    const i = this.feeders.indexOf(feeder);
    if (i < 0) return;
    this.feeders.splice(i, 1);
    feeder.feed.stop();
    this.host.unfed();
  }

  /** Submits inputs while slots are free, taking from the calls in turn. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let waiting = 0;
      const { maxsize } = this;
      while (!this.host.terminated() && this.inFlight < maxsize && waiting < this.feeders.length) {
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

  /** A chunk's outcomes came back, or the chunk itself, lost with its worker (a duplicate of a redelivered one finds it settled). */
  settle(message: ResultMsg): void {
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
    this.host.settled();
  }

  /** The pool stopped: every call still feeding and every task not yet settled fails with `error`. */
  failAll(error: unknown): void {
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

  /** Puts one chunk on the task queue (its tasks are already counted in flight). */
  private put(
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
          this.put(base + k, chunk.waiter, 1, args ? [args[k] as unknown[]] : undefined, items ? [items[k]] : undefined, attempt, task + k);
        }
      }
      this.pump();
      this.host.settled();
    });
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
      this.put(chunk.base + k, chunk.waiter, 1, args, items, chunk.attempt + 1, chunk.task + k);
    }
  }

  /** What a task fails with once its workers died running it: how the last worker that died ended. */
  private lostTask(task: number, attempts: number): ProcessError {
    const death = this.host.lastDeath();
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
}
