/**
 * rxmp as its README shows it: a producer puts with `await q.put(item)` into
 * a RedisQueue(maxsize) (every handle given the same bound) — or
 * (`rxmp-chunks`) 100 puts at a time, awaited together, as BullMQ's
 * `addBulk` chunks (one script call carries them) — and a consumer takes with
 * `observe()` (plain) or `consume` (JoinableQueue, taskDone for each item).
 */
import { consume } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { args, counter, payload, readyThenGo, stopped } from './redis-worker.js';

/** As many as BullMQ's producer adds per `addBulk`. */
const CHUNK = 100;
const options = { name: args.name, url: args.url, maxsize: args.maxsize };
const q = args.system === 'rxmp-joinable' ? new RedisJoinableQueue<{ i: number }>(options) : new RedisQueue<{ i: number }>(options);
await q.qsize(); // connected
if (args.role === 'producer') {
  await readyThenGo();
  const end = args.from + args.count;
  if (args.system === 'rxmp-chunks') {
    for (let i = args.from; i < end; i += CHUNK) {
      const puts: Promise<void>[] = [];
      for (let j = i; j < Math.min(i + CHUNK, end); j++) puts.push(q.put(payload(j)));
      await Promise.all(puts);
    }
  } else {
    for (let i = args.from; i < end; i++) await q.put(payload(i));
  }
  await stopped;
} else {
  const taken = counter();
  await readyThenGo();
  const subscription =
    q instanceof RedisJoinableQueue
      ? consume(q, () => {
          taken.add();
          return [];
        }).subscribe()
      : q.observe().subscribe(() => taken.add());
  await stopped;
  subscription.unsubscribe();
  taken.stop();
}
await q.close();
process.disconnect?.(); // the IPC channel would keep this process alive
