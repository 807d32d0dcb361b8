import { lastValueFrom, take } from 'rxjs';
import { SerializationError } from '../errors.js';
import type { JoinableQueue } from '../joinable-queue.js';
import { importTarget } from '../process/import-target.js';
import type { Queue } from '../queue.js';
import { consume } from '../rx/consume.js';
import { encodeError } from '../wire/error-codec.js';
import type { PoisonItem } from '../rx/poison.js';
import { type ResultMsg, START_FAILED, TASK_ATTEMPTS, type TaskMsg, type WorkerSpec } from './pool-messages.js';

/**
 * A pool worker: the `Process` target every worker runs. It imports the
 * task module, runs the initializer once, then takes tasks one at a time
 * with `consume` and puts each outcome on `results` — a task that throws
 * is an outcome too, so the worker survives it. A task counts as done
 * (`taskDone`) once its outcome is on `results`: a worker that dies before
 * that leaves its task to be redelivered with one more attempt, and a task
 * that comes with `TASK_ATTEMPTS` attempts is reported lost instead of run.
 * Returns after `maxTasks` tasks (the pool replaces it) or when the task
 * queue ends.
 */
export default async function poolWorker(spec: WorkerSpec, tasks: JoinableQueue<TaskMsg>, results: Queue<ResultMsg>): Promise<void> {
  const fn = await start(spec);
  const run = async (task: TaskMsg): Promise<true> => {
    let outcome: ResultMsg;
    try {
      outcome = { i: task.i, v: await fn(...task.a) };
    } catch (error) {
      outcome = { i: task.i, e: encodeError(error) };
    }
    try {
      await results.put(outcome);
    } catch (error) {
      // A value (or error) that cannot be copied back fails that task, not the worker.
      const why = error instanceof SerializationError ? error : new SerializationError('$', String((error as Error)?.message ?? error));
      await results.put({ i: task.i, e: encodeError(why) });
    }
    return true;
  };
  // Its deaths were seen by the parent (which knows how each worker ended): say only which task and how often.
  const lost = { put$: (poison: PoisonItem<TaskMsg>) => results.put$({ i: poison.item.i, lost: poison.attempts }) };
  const done = consume(tasks, run, { prefetch: spec.prefetch, maxAttempts: TASK_ATTEMPTS, deadLetter: lost });
  await lastValueFrom(spec.maxTasks === 0 ? done : done.pipe(take(spec.maxTasks)), { defaultValue: true });
}

/** Imports the task function and runs the initializer; a failure is marked as one (see `START_FAILED`). */
async function start(spec: WorkerSpec): Promise<(...args: unknown[]) => unknown> {
  try {
    const module = await importTarget(spec.target);
    const fn = module[spec.exportName];
    if (typeof fn !== 'function') throw new TypeError(`${spec.target} has no function export ${JSON.stringify(spec.exportName)}`);
    if (spec.initializer !== undefined) {
      const init = module[spec.initializer];
      if (typeof init !== 'function') {
        throw new TypeError(`${spec.target} has no function export ${JSON.stringify(spec.initializer)} (the initializer)`);
      }
      await init(...spec.initargs);
    }
    return fn as (...args: unknown[]) => unknown;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    try {
      Object.defineProperty(failure, START_FAILED, { value: true, enumerable: true });
    } catch {
      // A frozen error: the pool then replaces the worker as after any death.
    }
    throw failure;
  }
}
