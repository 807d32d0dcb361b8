import { lastValueFrom } from 'rxjs';
import { consume, type Queue } from '../../src/index.js';

/** Takes each task with `consume`, runs the trivial task, and puts its result back. */
export default async function taskWorker(tasks: Queue<number>, results: Queue<number>, ready: Queue<number>): Promise<void> {
  await ready.put(1);
  await lastValueFrom(
    // Trivial tasks: a wide prefetch window keeps the worker busy between round trips.
    consume(tasks, (x: number) => results.put(x * 2), { prefetch: 256 }),
    { defaultValue: undefined },
  );
}
