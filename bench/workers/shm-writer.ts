import type { Queue, SharedMemory } from '../../src/index.js';
import { CHUNK, pattern } from '../measure/shm-pattern.js';

/** Says it is ready, waits for go, writes the pattern over every byte of `shm` (1 MiB `set`s), says it is done. */
export default async function shmWriter(shm: SharedMemory, ready: Queue<number>, go: Queue<number>, done: Queue<number>): Promise<void> {
  const chunk = pattern();
  const buf = shm.buf;
  await ready.put(1);
  await go.get();
  for (let off = 0; off < buf.length; off += CHUNK) buf.set(chunk.subarray(0, Math.min(CHUNK, buf.length - off)), off);
  await done.put(1);
  shm.close();
}
