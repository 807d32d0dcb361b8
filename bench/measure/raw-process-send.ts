/**
 * Baseline: a forked child sends `n` ints to this process with raw
 * `process.send` (default JSON serialization), one message per int.
 *
 *   node dist/bench/measure/raw-process-send.js n
 */
import { fork } from 'node:child_process';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const child = fork(new URL('../workers/raw-sender.js', import.meta.url), [String(n)]);
await new Promise<void>((resolve) => child.once('message', () => resolve()));
let received = 0;
const t0 = performance.now();
await new Promise<void>((resolve) => {
  child.on('message', (m) => {
    if (m === 'done') resolve();
    else received++;
  });
  child.send('go');
});
const seconds = (performance.now() - t0) / 1000;
if (received !== n) throw new Error(`received ${received} of ${n}`);
report({ value: n / seconds, unit: 'items/s' });
