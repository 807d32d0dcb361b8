/**
 * `n` items of 1 KB from a forked producer through a Queue(maxsize 100) to
 * this process, which takes each with ~10× the producer's per-item work.
 * Reports the larger peak RSS growth of the two processes, in MB.
 *
 *   node dist/bench/measure/rss.js n
 */
import { firstValueFrom } from 'rxjs';
import { Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const SPIN_US = 10; // the producer's put costs about 1 µs
const q = new Queue<Uint8Array>({ maxsize: 100 });
const ready = new Queue<number>();
const start = process.memoryUsage.rss();
let peak = start;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
const producer = new Process({ target: new URL('../workers/rss-producer.js', import.meta.url), args: [q, ready, n] }).start();
const producerGrowth = firstValueFrom(producer.output$) as Promise<number>;
await ready.get();
for (let i = 0; i < n; i++) {
  const item = await q.get();
  if (item.byteLength !== 1024) throw new Error('bad item');
  const until = performance.now() + SPIN_US / 1000;
  while (performance.now() < until);
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
const parentMB = (peak - start) / 2 ** 20;
const childMB = await producerGrowth;
await producer.join();
report({ value: Math.max(parentMB, childMB), unit: 'MB', detail: { parentMB, childMB } });
