/**
 * Baseline: a worker thread posts `n` ints to the main thread with raw
 * `postMessage`, one message per int.
 *
 *   node dist/bench/measure/raw-post-message.js n
 */
import { Worker } from 'node:worker_threads';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const worker = new Worker(new URL('../workers/raw-poster.js', import.meta.url), { workerData: n });
await new Promise<void>((resolve) => worker.once('message', () => resolve()));
let received = 0;
const t0 = performance.now();
await new Promise<void>((resolve) => {
  worker.on('message', (m) => {
    if (m === 'done') resolve();
    else received++;
  });
  worker.postMessage('go');
});
const seconds = (performance.now() - t0) / 1000;
await worker.terminate();
if (received !== n) throw new Error(`received ${received} of ${n}`);
report({ value: n / seconds, unit: 'items/s' });
