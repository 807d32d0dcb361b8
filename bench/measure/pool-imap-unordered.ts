/**
 * `n` trivial tasks (x → 2x) through `Pool.imapUnordered` with 2 workers
 * (`thread` or `fork`), inputs pulled from a generator as slots free;
 * timed from the first task to the last result, workers started before.
 * Tuned for tiny tasks as a user would: each worker fetches 256 chunks
 * ahead, 1024 tasks in flight or RXMP_BENCH_POOL_MAXSIZE (the defaults,
 * 16 and 256, suit slower tasks); `chunksize` tasks per queue item (1: one task per message, as
 * Python's `chunksize=1`).
 *
 *   node dist/bench/measure/pool-imap-unordered.js thread|fork chunksize n
 */
import { lastValueFrom, reduce } from 'rxjs';
import { Pool } from '../../src/index.js';
import type poolTask from '../workers/pool-task.js';
import { argInt, report } from './report.js';

const kind = process.argv[2] === 'fork' ? 'fork' : 'thread';
const chunksize = argInt(3, 1);
const n = argInt(4, 100_000);
// The chunked rows hold more tasks in flight (a few chunks per worker): see scenarios.ts.
const maxsize = Number(process.env.RXMP_BENCH_POOL_MAXSIZE ?? 1024);
const target = new URL('../workers/pool-task.js', import.meta.url);
const pool = new Pool<typeof poolTask>({ target, processes: 2, kind, prefetch: 256, maxsize });
await Promise.all([pool.apply(0), pool.apply(1)]); // workers started
function* inputs(): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
const t0 = performance.now();
const sum = await lastValueFrom(pool.imapUnordered(inputs(), { chunksize }).pipe(reduce((a, b) => a + b, 0)));
const seconds = (performance.now() - t0) / 1000;
pool.close();
await pool.join();
if (sum !== n * (n - 1)) throw new Error(`wrong results: ${sum}`);
report({ value: n / seconds, unit: 'tasks/s', detail: { kind, chunksize, maxsize } });
