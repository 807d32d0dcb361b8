import type { Connection, Queue } from '../../src/index.js';

/** Waits for go, sends `n` ints with `await send` (as Python's send), then closes. */
export default async function pipeWriter(conn: Connection<number>, ready: Queue<number>, go: Queue<number>, n: number): Promise<void> {
  await ready.put(1);
  await go.get();
  for (let i = 0; i < n; i++) await conn.send(i);
  await conn.close();
}
