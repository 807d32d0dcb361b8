/**
 * A child (thread or fork) puts one large item into a Queue(maxsize 100)
 * owned by this process, then `n` ints, which this process takes with
 * `await q.get()`. Only the ints are timed (from "go"): what one large item
 * costs every later batch (before rxmp posted exactly each batch's bytes, a
 * thread's batches carried the encoder's whole grown buffer after it).
 *
 *   node dist/bench/measure/queue-after-large.js thread|fork largeBytes n
 */
import { Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const kind = process.argv[2] as 'fork' | 'thread';
const largeBytes = argInt(3, 4 * 1024 * 1024);
const n = argInt(4, 100_000);

const q = new Queue<unknown>({ maxsize: 100 });
const ready = new Queue<number>();
const go = new Queue<number>();
const child = new Process({
  target: new URL('../workers/queue-producer-after-large.js', import.meta.url),
  args: [q, ready, go, n, largeBytes],
  kind,
}).start();
if (largeBytes > 0) await q.get();
await ready.get();
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
await go.put(1);
for (let i = 0; i < n; i++) await q.get();
const seconds = (performance.now() - t0) / 1000;
const rssGrowthMB = (process.memoryUsage().rss - rss0) / 1e6;
await child.join();
report({ value: n / seconds, unit: 'items/s', detail: { rssGrowthMB } });
