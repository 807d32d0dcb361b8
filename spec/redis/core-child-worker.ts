import { lastValueFrom, toArray } from 'rxjs';
import { consume, type Queue } from '../../src/index.js';
import type { RedisJoinableQueue } from '../../src/redis/index.js';

/**
 * A worker on a Redis queue it got in its args (it connects by itself):
 * consumes jobs until the queue ends, reports each one done on `done` (a
 * Redis queue too), and dies by SIGKILL on the job `'die'` when told to.
 */
export default async function redisWorker(jobs: RedisJoinableQueue<string>, done: Queue<string>, dieOn?: string): Promise<number> {
  const results = await lastValueFrom(
    consume(jobs, async (job: string) => {
      if (job === dieOn) process.kill(process.pid, 'SIGKILL');
      await done.put(`${job} by ${process.pid}`);
      return job;
    }).pipe(toArray()),
  );
  return results.length;
}
