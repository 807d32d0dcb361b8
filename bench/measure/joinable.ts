/**
 * This process puts `n` ints into a JoinableQueue(maxsize 100); two forked
 * consumers get each and call taskDone; timed from the first put until
 * join() resolves.
 *
 *   node dist/bench/measure/joinable.js n
 */
import { JoinableQueue, Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const q = new JoinableQueue<number>({ maxsize: 100 });
const ready = new Queue<number>();
const consumers = [0, 1].map(() =>
  new Process({ target: new URL('../workers/joinable-consumer.js', import.meta.url), args: [q, ready] }).start(),
);
await ready.get();
await ready.get();
const t0 = performance.now();
for (let i = 0; i < n; i++) await q.put(i);
await q.join();
const seconds = (performance.now() - t0) / 1000;
await q.end();
await Promise.all(consumers.map((c) => c.join()));
report({ value: n / seconds, unit: 'items/s' });
