/**
 * Baseline: the same `n` trivial tasks through piscina with 2 threads.
 *
 *   node dist/bench/measure/piscina-pool.js n
 */
import { Piscina } from 'piscina';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const pool = new Piscina({ filename: new URL('../workers/piscina-task.js', import.meta.url).href, minThreads: 2, maxThreads: 2 });
await Promise.all([pool.run(0), pool.run(1)]); // threads started
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: n }, (_, i) => pool.run(i) as Promise<number>));
const seconds = (performance.now() - t0) / 1000;
await pool.destroy();
if (results.reduce((a, b) => a + b, 0) !== n * (n - 1)) throw new Error('wrong results');
report({ value: n / seconds, unit: 'tasks/s' });
