import type { ErrorInfo } from '../wire/error-codec.js';

/** What the pool's parent and its workers say to each other through the pool's two queues. */

/** What a worker is started with (its first `Process` argument). */
export interface WorkerSpec {
  /** The task module's file URL. */
  target: string;
  /** The export run for each task. */
  exportName: string;
  /** An export of the same module run once before the first task, with `initargs`. */
  initializer: string | undefined;
  initargs: unknown[];
  /** Chunks this worker runs before it exits (and is replaced); 0: no limit (a number every codec carries). */
  maxTasks: number;
  /** Chunks fetched ahead of the one running. */
  prefetch: number;
}

/**
 * One chunk of tasks, one queue item: its id in the pool, and each task's
 * argument list (`a`), or, for tasks of one argument, each task's argument
 * (`x`: no array per task to build, copy and spread). `r`: a retry, the
 * last attempt its tasks get.
 */
export type TaskMsg = { i: number; a: unknown[][]; r?: 1 } | { i: number; x: unknown[]; r?: 1 };

/**
 * What became of a chunk, one queue item: each task's value (`v`, in the
 * chunk's order, from its task `o` on when a chunk comes back in parts),
 * with the errors its function threw by task (`e`, described so that
 * rxmp's own error classes and any error's fields survive the crossing); or
 * `lost`: the worker running it died, and here is the chunk back to retry.
 */
export type ResultMsg = { i: number; v: unknown[]; o?: number; e?: [number, ErrorInfo][] } | ({ lost: number } & TaskMsg);

/** A task whose worker died is run once more, alone; its second worker's death fails it. */
export const TASK_ATTEMPTS = 2;

/**
 * The field a worker sets on the error that stopped it before its first
 * task (the module, its export, the initializer): every replacement would
 * fail the same way, so the pool breaks instead of restarting it forever.
 * A worker that dies later (a task's stray uncaught error) is only replaced.
 */
export const START_FAILED = 'rxmpPoolStartFailed';
