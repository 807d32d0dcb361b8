/**
 * One process, no contention: `n` times `lock.tryAcquire(); lock.release()`
 * on one `Lock`, as Python's `l.acquire(); l.release()` on a free
 * `multiprocessing.Lock()` (bench/python/mp_shared.py `lock`). An untimed
 * warm-up of n/10 rounds first (both sides). Every `tryAcquire` must return
 * true (and `release` throws if the lock was not held), and the lock must be
 * free at the end; otherwise this exits non-zero.
 *
 *   node dist/bench/measure/lock-try.js n
 */
import { Lock } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 5_000_000);
const lock = new Lock();

/** `count` rounds; how many `tryAcquire`s failed. */
function rounds(count: number): number {
  let failed = 0;
  for (let i = 0; i < count; i++) {
    if (!lock.tryAcquire()) failed++;
    lock.release();
  }
  return failed;
}

const warmUp = Math.ceil(n / 10);
const failedWarm = rounds(warmUp);
const t0 = performance.now();
const failed = rounds(n);
const seconds = (performance.now() - t0) / 1000;
if (failedWarm + failed !== 0) throw new Error(`tryAcquire() returned false ${failedWarm + failed} times on a free, uncontended lock`);
if (lock.locked()) throw new Error('the lock is still held after the last release()');
if (!lock.tryAcquire()) throw new Error('the lock cannot be taken after the run');
lock.release();
report({ value: n / seconds, unit: 'ops/s', detail: { nsPerRound: (seconds * 1e9) / n, warmUp } });
