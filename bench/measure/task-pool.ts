/**
 * `n` trivial tasks (x → 2x) over 2 worker threads that `consume` a task queue
 * and put results back; timed from the first task to the last result.
 *
 *   node dist/bench/measure/task-pool.js n
 */
import { Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const tasks = new Queue<number>({ maxsize: 1000 });
const results = new Queue<number>();
const ready = new Queue<number>();
const workers = [0, 1].map(() =>
  new Process({ target: new URL('../workers/task-worker.js', import.meta.url), args: [tasks, results, ready], kind: 'thread' }).start(),
);
await ready.get();
await ready.get();
const t0 = performance.now();
const producing = (async () => {
  for (let i = 0; i < n; i++) await tasks.put(i);
})();
let sum = 0;
for (let i = 0; i < n; i++) sum += await results.get();
const seconds = (performance.now() - t0) / 1000;
await producing;
await tasks.end();
await Promise.all(workers.map((w) => w.join()));
if (sum !== n * (n - 1)) throw new Error(`wrong results: ${sum}`);
report({ value: n / seconds, unit: 'tasks/s' });
