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
 * One chunk of tasks, one queue item: its id in the pool; whether each
 * input is the task's argument list (`spread`, as `starmap`) or its one
 * argument; the inputs; whether it is a retry (the last attempt its tasks
 * get). A tuple, not an object: the codec then writes no field names, and
 * the parent and a worker exchange one per chunk.
 */
export type TaskMsg = [id: number, spread: 0 | 1, inputs: unknown[], retry: 0 | 1];

/**
 * What became of a chunk's tasks: each task's value, in the chunk's order
 * from its task `from` on (a chunk comes back in parts only when it could
 * not be copied back whole), and the errors their functions threw, by task
 * (`[k, info]`, described so that rxmp's own error classes and any error's
 * fields survive the crossing), or 0 for none.
 */
export type OutcomeMsg = [id: number, values: unknown[], from: number, errors: [number, ErrorInfo][] | 0];

/** A chunk whose worker died running it: the chunk itself, handed back to the parent to retry, and its attempts. */
export type LostMsg = [...task: TaskMsg, attempts: number];

/** What a worker puts on the results queue (told apart by length: 4, 5). */
export type ResultMsg = OutcomeMsg | LostMsg;

/** A task whose worker died is run once more, alone; its second worker's death fails it. */
export const TASK_ATTEMPTS = 2;

/**
 * The field a worker sets on the error that stopped it before its first
 * task (the module, its export, the initializer): every replacement would
 * fail the same way, so the pool breaks instead of restarting it forever.
 * A worker that dies later (a task's stray uncaught error) is only replaced.
 */
export const START_FAILED = 'rxmpPoolStartFailed';
