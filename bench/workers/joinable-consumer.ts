import type { JoinableQueue, Queue } from '../../src/index.js';

/** Gets items and marks each done, until the queue ends. */
export default async function joinableConsumer(q: JoinableQueue<number>, ready: Queue<number>): Promise<void> {
  await ready.put(1);
  for await (const _ of q) q.taskDone();
}
