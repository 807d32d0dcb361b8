import { lastValueFrom, take } from 'rxjs';
import { SerializationError } from '../errors.js';
import type { JoinableQueue } from '../joinable-queue.js';
import { importTarget } from '../process/import-target.js';
import type { Queue } from '../queue.js';
import { consume } from '../rx/consume.js';
import { type ErrorInfo, encodeError } from '../wire/error-codec.js';
import type { PoisonItem } from '../rx/poison.js';
import { type LostMsg, type ResultMsg, START_FAILED, type TaskMsg, type WorkerSpec } from './pool-messages.js';

/**
 * A pool worker: the `Process` target every worker runs. It imports the
 * task module, runs the initializer once, then takes chunks of tasks one at
 * a time with `consume`, runs a chunk's tasks one after another and puts
 * their outcomes on `results` as one item — a task that throws is an
 * outcome too, so the worker survives it. A chunk counts as done
 * (`taskDone`) once its outcomes are on `results`: a worker that dies before
 * that leaves its chunk to be redelivered, and the worker that gets it
 * hands it back to the parent as `lost` instead of running it (the parent
 * retries its tasks one by one, see `Pool`). Returns after `maxTasks` chunks
 * (the pool replaces it) or when the task queue ends.
 */
export default async function poolWorker(spec: WorkerSpec, tasks: JoinableQueue<TaskMsg>, results: Queue<ResultMsg>): Promise<void> {
  const fn = await start(spec);
  const run = async (task: TaskMsg): Promise<true> => {
    const [id, spread, inputs] = task;
    const n = inputs.length;
    const values: unknown[] = new Array(n);
    let errors: [number, ErrorInfo][] | undefined;
    for (let k = 0; k < n; k++) {
      try {
        // A task that returns a value (not a promise) costs no await: most of a chunk of tiny tasks.
        const value = spread ? fn(...(inputs[k] as unknown[])) : fn(inputs[k]);
        values[k] = isThenable(value) ? await value : value;
      } catch (error) {
        errors ??= [];
        errors.push([k, encodeError(error)]);
      }
    }
    try {
      await results.put([id, values, 0, errors ?? 0]);
    } catch (error) {
      if (n === 1) await results.put([id, [undefined], 0, [[0, encodeError(notCopied(error))]]]);
      // One value (or error) that cannot be copied back fails that task, not its chunk: each goes alone.
      else for (let k = 0; k < n; k++) await putOne(results, id, k, values[k], errors);
    }
    return true;
  };
  // Its deaths were seen by the parent (which knows how each worker ended): the chunk goes back to it, to retry.
  const lost = { put$: (poison: PoisonItem<TaskMsg>) => results.put$([...poison.item, poison.attempts] as LostMsg) };
  // One attempt per chunk here: the parent retries a lost chunk's tasks alone (see `Pool`).
  const done = consume(tasks, run, { prefetch: spec.prefetch, maxAttempts: 1, deadLetter: lost });
  await lastValueFrom(spec.maxTasks === 0 ? done : done.pipe(take(spec.maxTasks)), { defaultValue: true });
}

/** Task `k` of chunk `i`'s outcome alone (a chunk that could not be copied back whole). */
async function putOne(
  results: Queue<ResultMsg>,
  i: number,
  k: number,
  value: unknown,
  errors: [number, ErrorInfo][] | undefined,
): Promise<void> {
  const thrown = errors?.find(([at]) => at === k);
  try {
    await results.put(thrown ? [i, [undefined], k, [[0, thrown[1]]]] : [i, [value], k, 0]);
  } catch (error) {
    await results.put([i, [undefined], k, [[0, encodeError(notCopied(error))]]]);
  }
}

function notCopied(error: unknown): SerializationError {
  return error instanceof SerializationError ? error : new SerializationError('$', String((error as Error)?.message ?? error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
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
