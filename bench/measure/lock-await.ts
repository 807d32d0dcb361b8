/**
 * One process, no contention: `n` times `await lock.acquire();
 * lock.release()` on one `Lock`, against Python's `l.acquire(); l.release()`
 * on a free `multiprocessing.Lock()` (bench/python/mp_shared.py `lock`; Python
 * has no await to pay). An untimed warm-up of n/10 rounds first (both sides).
 * Every `acquire()` must resolve true (and `release` throws if the lock was
 * not held), and the lock must be free at the end; otherwise this exits
 * non-zero.
 *
 *   node dist/bench/measure/lock-await.js n
 */
import { Lock } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 2_000_000);
const lock = new Lock();

/** `count` rounds; how many `acquire`s resolved false. */
async function rounds(count: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < count; i++) {
    if (!(await lock.acquire())) failed++;
    lock.release();
  }
  return failed;
}

const warmUp = Math.ceil(n / 10);
const failedWarm = await rounds(warmUp);
const t0 = performance.now();
const failed = await rounds(n);
const seconds = (performance.now() - t0) / 1000;
if (failedWarm + failed !== 0) throw new Error(`acquire() resolved false ${failedWarm + failed} times on a free, uncontended lock`);
if (lock.locked()) throw new Error('the lock is still held after the last release()');
if (!lock.tryAcquire()) throw new Error('the lock cannot be taken after the run');
lock.release();
report({ value: n / seconds, unit: 'ops/s', detail: { nsPerRound: (seconds * 1e9) / n, warmUp } });
