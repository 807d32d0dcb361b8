/**
 * A first throughput probe (the full side-by-side bench comes with `npm run bench`):
 * N small ints from a forked child (or a worker thread) into a Queue owned and drained
 * by this process, start-up included.
 *
 *   node dist/bench/fork-queue-throughput.js [fork|thread] [items] [maxsize]
 */
import { Process, Queue } from '../src/index.js';

const kind = (process.argv[2] ?? 'fork') as 'fork' | 'thread';
const items = Number(process.argv[3] ?? 200_000);
const maxsize = Number(process.argv[4] ?? 100);

const q = new Queue<number>({ maxsize });
const started = performance.now();
const child = new Process({ target: new URL('../spec/fixtures/produce.js', import.meta.url), args: [q, items], kind }).start();
for (let i = 0; i < items; i++) {
  if ((await q.get()) !== i) throw new Error('out of order');
}
const ms = performance.now() - started;
const code = await child.join();
console.log(`${kind} -> parent Queue(maxsize ${maxsize}): ${items} ints in ${ms.toFixed(0)} ms = ${Math.round((items / ms) * 1000)} items/s (child exit ${code})`);
