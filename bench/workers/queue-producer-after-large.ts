import type { Queue } from '../../src/index.js';

/** Puts one large item (`largeBytes`), says it is ready, waits for go, then puts `n` ints. */
export default async function queueProducerAfterLarge(
  q: Queue<unknown>,
  ready: Queue<number>,
  go: Queue<number>,
  n: number,
  largeBytes: number,
): Promise<void> {
  if (largeBytes > 0) await q.put(new Uint8Array(largeBytes));
  await ready.put(1);
  await go.get();
  for (let i = 0; i < n; i++) await q.put(i);
}
