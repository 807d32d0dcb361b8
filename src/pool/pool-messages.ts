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
  /** Tasks this worker runs before it exits (and is replaced); 0: no limit (a number every codec carries). */
  maxTasks: number;
  /** Tasks fetched ahead of the one running. */
  prefetch: number;
}

/** One task: its id in the pool, and the arguments its function is called with. */
export interface TaskMsg {
  i: number;
  a: unknown[];
}

/**
 * What became of a task: its value (`v`), the error its function threw
 * (`e`, described so that rxmp's own error classes and any error's fields
 * survive the crossing), or `lost`: the attempts whose workers died running it.
 */
export type ResultMsg = { i: number; v: unknown } | { i: number; e: ErrorInfo } | { i: number; lost: number };

/** A task whose worker died is run once more; its second worker's death fails it. */
export const TASK_ATTEMPTS = 2;

/**
 * The field a worker sets on the error that stopped it before its first
 * task (the module, its export, the initializer): every replacement would
 * fail the same way, so the pool breaks instead of restarting it forever.
 * A worker that dies later (a task's stray uncaught error) is only replaced.
 */
export const START_FAILED = 'rxmpPoolStartFailed';
