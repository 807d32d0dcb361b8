/** For samples/redis-workers.ts: squares jobs, four at a time, until the jobs queue ends. */
import { lastValueFrom } from 'rxjs';
import { consume } from 'rxmp';
import { RedisJoinableQueue, RedisQueue } from 'rxmp/redis';

export interface Square {
  worker: string;
  job: number;
  square: number;
}

export default async function consumer(name: string, url: string, maxsize: number, worker: string): Promise<void> {
  const jobs = new RedisJoinableQueue<number>({ name: `${name}:jobs`, url, maxsize });
  const squares = new RedisQueue<Square>({ name: `${name}:squares`, url });
  // consume() calls taskDone for each job once its put is in.
  await lastValueFrom(
    consume(jobs, (job) => squares.put({ worker, job, square: job * job }), { concurrency: 4 }),
    {
      defaultValue: undefined,
    },
  );
  await Promise.all([jobs.close(), squares.close()]);
}
