import type { Queue, Value } from '../../src/index.js';

/** Says it is ready, waits for go, then `n` times takes the value's lock, adds one, and lets it go; then says it is done. */
export default async function valueIncrementer(
  v: Value<'i'>,
  ready: Queue<number>,
  go: Queue<number>,
  done: Queue<number>,
  n: number,
): Promise<void> {
  const lock = v.getLock();
  await ready.put(1);
  await go.get();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    v.value += 1;
    lock.release();
  }
  await done.put(1);
}
