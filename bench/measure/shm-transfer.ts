/**
 * `n` bytes (256 MiB in the row) through a SharedMemory: a forked child
 * writes every byte (a 1 MiB pattern, `buf.set` chunk after chunk, i.e.
 * memcpy) and says it is done; this process then reads every byte back and
 * checks it (`Buffer#equals` per 1 MiB, i.e. memcmp). Timed from "go" until
 * the check has read the last byte; the rate is n / that time, in bytes/s
 * (each byte crosses once: written by one process, read by the other).
 * Both mappings are fresh, so the time includes the page faults of first
 * touch on each side, as in bench/python/mp_shared.py.
 *
 *   node dist/bench/measure/shm-transfer.js n
 */
import { Process, Queue, SharedMemory } from '../../src/index.js';
import { argInt, report } from './report.js';
import { CHUNK, pattern } from './shm-pattern.js';

const n = argInt(2, 256 * 2 ** 20);
const shm = new SharedMemory({ create: true, size: n });
try {
  const expected = Buffer.from(pattern().buffer);
  const ready = new Queue<number>();
  const go = new Queue<number>();
  const done = new Queue<number>();
  const child = new Process({
    target: new URL('../workers/shm-writer.js', import.meta.url),
    args: [shm, ready, go, done],
    kind: 'fork',
  }).start();
  await ready.get();
  const t0 = performance.now();
  await go.put(1);
  await done.get();
  const buf = shm.buf;
  for (let off = 0; off < n; off += CHUNK) {
    const length = Math.min(CHUNK, n - off);
    if (!Buffer.from(buf.buffer, buf.byteOffset + off, length).equals(expected.subarray(0, length))) {
      throw new Error(`wrong bytes in [${off}, ${off + length})`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await child.join();
  report({ value: n / seconds, unit: 'B/s', detail: { gbPerSecond: n / seconds / 1e9 } });
} finally {
  shm.close();
  shm.unlink();
}
