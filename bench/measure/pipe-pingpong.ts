/**
 * Pipe round trip between this process and a forked child that echoes:
 * 1,000 warm-up round trips, then `n` timed ones; the mean, in µs.
 *
 *   node dist/bench/measure/pipe-pingpong.js n
 */
import { Pipe, Process } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 10_000);
const [a, b] = Pipe<number>();
const child = new Process({ target: new URL('../workers/pipe-echo.js', import.meta.url), args: [b] }).start();
for (let i = 0; i < Math.min(1000, n); i++) {
  await a.send(i);
  await a.recv();
}
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  await a.send(i);
  await a.recv();
}
const us = ((performance.now() - t0) * 1000) / n;
a.complete();
await child.join();
report({ value: us, unit: 'µs' });
