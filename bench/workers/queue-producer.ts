import type { Queue } from '../../src/index.js';
import { item } from '../measure/report.js';

/** Says it is ready, waits for go, then puts `n` items (ints or 10-field objects). */
export default async function queueProducer(
  q: Queue<unknown>,
  ready: Queue<number>,
  go: Queue<number>,
  n: number,
  objects: boolean,
): Promise<void> {
  await ready.put(1);
  await go.get();
  if (objects) for (let i = 0; i < n; i++) await q.put(item(i));
  else for (let i = 0; i < n; i++) await q.put(i);
}
