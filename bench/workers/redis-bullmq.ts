/**
 * BullMQ as its docs show it: a `Queue` that adds jobs (`addBulk` in chunks
 * of 100, its fast path; one `add` per item is several times slower) and a
 * `Worker` with a trivial processor, `concurrency` 16, completed jobs removed
 * (`removeOnComplete`, as production setups do, so the server does not fill).
 */
import { Queue, Worker } from 'bullmq';
import { args, counter, payload, readyThenGo, stopped } from './redis-worker.js';

const { hostname, port, password } = new URL(args.url);
const connection = { host: hostname, port: Number(port), password: password || undefined, maxRetriesPerRequest: null };
const CHUNK = 100;

if (args.role === 'producer') {
  const queue = new Queue(args.name, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  await queue.waitUntilReady();
  await readyThenGo();
  for (let i = args.from; i < args.from + args.count; i += CHUNK) {
    const jobs = [];
    for (let j = i; j < Math.min(i + CHUNK, args.from + args.count); j++) jobs.push({ name: 'item', data: payload(j) });
    await queue.addBulk(jobs);
  }
  await stopped;
  await queue.close();
} else {
  const taken = counter();
  const worker = new Worker(
    args.name,
    async (job) => {
      taken.add();
      return job.data.i;
    },
    { connection, concurrency: 16, autorun: false },
  );
  await worker.waitUntilReady();
  await readyThenGo();
  void worker.run();
  await stopped;
  taken.stop();
  await worker.close();
}
process.disconnect?.(); // the IPC channel would keep this process alive
