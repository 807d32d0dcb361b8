/**
 * A child (fork or thread) puts `n` items into a Queue(maxsize) owned by this
 * process, which takes them with `await q.get()` (as Python's q.get()).
 * Setup is excluded: timing starts at "go".
 *
 *   node dist/bench/measure/queue-throughput.js fork|thread ints|objects n [maxsize]
 */
import { Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const kind = process.argv[2] as 'fork' | 'thread';
const objects = process.argv[3] === 'objects';
const n = argInt(4, 100_000);
const maxsize = argInt(5, 100);

const q = new Queue<unknown>({ maxsize });
const ready = new Queue<number>();
const go = new Queue<number>();
const child = new Process({
  target: new URL('../workers/queue-producer.js', import.meta.url),
  args: [q, ready, go, n, objects],
  kind,
}).start();
await ready.get();
const t0 = performance.now();
await go.put(1);
for (let i = 0; i < n; i++) await q.get();
const seconds = (performance.now() - t0) / 1000;
await child.join();
report({ value: n / seconds, unit: 'items/s' });
