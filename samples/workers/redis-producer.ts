/** For samples/redis-workers.ts: puts jobs 0..count-1, waiting for room when the queue is full. */
import { RedisJoinableQueue } from 'rxmp/redis';

export default async function producer(name: string, url: string, maxsize: number, count: number): Promise<void> {
  const jobs = new RedisJoinableQueue<number>({ name: `${name}:jobs`, url, maxsize });
  for (let job = 0; job < count; job++) await jobs.put(job);
  await jobs.close();
}
