/**
 * A pool's workers, in the parent: starting them, and on each one's exit
 * deciding whether it is replaced (a running pool keeps its size; a closed
 * one only while tasks are left and no worker is), remembering how the
 * last one that died mid-task ended, and breaking the pool when a worker
 * could not start its tasks at all.
 */
import type { ProcessError } from '../errors.js';
import type { JoinableQueue } from '../joinable-queue.js';
import { Process } from '../process/process.js';
import type { Queue } from '../queue.js';
import { type ResultMsg, START_FAILED, type TaskMsg, type WorkerSpec } from './pool-messages.js';
import type { CheckedPoolOptions } from './pool-options.js';
import type poolWorker from './pool-worker.js';

const WORKER = new URL('./pool-worker.js', import.meta.url);

/** What the workers need of their pool. */
export interface WorkersHost {
  state(): 'running' | 'closed' | 'terminated';
  /** Tasks in flight, or calls with inputs still to submit: a closed pool still needs a worker. */
  busy(): boolean;
  /** A worker could not start (the module, its export, the initializer): the pool breaks with its error. */
  broke(error: ProcessError): void;
  /** A worker exited (and was replaced if needed): the pool may be done. */
  exited(): void;
}

/** The workers of one pool, each a `Process` running `pool-worker`. */
export class PoolWorkers {
  private readonly spec: WorkerSpec;
  private readonly workers = new Set<Process<typeof poolWorker>>();
  private spawned = 0;
  /** How the last worker that died mid-task ended: what a task that lost its workers fails with. */
  lastDeath: ProcessError | undefined;

  constructor(
    private readonly options: CheckedPoolOptions,
    private readonly tasks: JoinableQueue<TaskMsg>,
    private readonly results: Queue<ResultMsg>,
    /** The pool's number, in the workers' names. */
    private readonly pool: number,
    private readonly host: WorkersHost,
  ) {
    const o = options;
    this.spec = {
      target: o.target.href,
      exportName: o.exportName,
      initializer: o.initializer,
      initargs: o.initargs,
      maxTasks: o.maxTasksPerChild === Infinity ? 0 : o.maxTasksPerChild,
      prefetch: o.prefetch,
    };
  }

  /** Workers alive now (a dead one counts until its replacement is started). */
  get running(): number {
    return this.workers.size;
  }

  /** The workers' pids (forked pools; `undefined` for threads). */
  get pids(): (number | undefined)[] {
    return [...this.workers].map((w) => w.pid);
  }

  spawn(): void {
    const worker = new Process<typeof poolWorker>({
      target: WORKER,
      args: [this.spec, this.tasks, this.results],
      kind: this.options.kind,
      name: `PoolWorker-${this.pool}.${++this.spawned}`,
    }).start();
    this.workers.add(worker);
    void worker.join().then((code) => this.exited(worker, code ?? 1));
  }

  /** Stops every worker now. */
  terminate(): void {
    for (const worker of this.workers) worker.terminate();
  }

  private exited(worker: Process<typeof poolWorker>, code: number): void {
    this.workers.delete(worker);
    if (this.host.state() !== 'terminated') {
      const error = worker.error;
      if (code !== 0 && error) this.lastDeath = error;
      // It could not start (the module, its export, the initializer): every replacement would fail the same way.
      if (error?.childError?.fields?.[START_FAILED] === true) return this.host.broke(error);
      // Running, a pool keeps its size; closed, a worker is needed only when none is left for what is still to run.
      const needed = this.host.busy();
      if (this.host.state() === 'running' || (this.workers.size === 0 && needed)) this.spawn();
    }
    this.host.exited();
  }
}
