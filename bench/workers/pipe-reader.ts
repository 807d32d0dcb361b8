import { from, type Observable } from 'rxjs';
import type { Connection, Queue } from '../../src/index.js';

/** Receives `n` messages; emits the rate from the first to the last (as the Python reader does). */
export default function pipeReader(conn: Connection<number>, ready: Queue<number>, n: number): Observable<number> {
  return from(
    (async () => {
      await ready.put(1);
      await conn.recv();
      const t0 = performance.now();
      for (let i = 1; i < n; i++) await conn.recv();
      return (n - 1) / ((performance.now() - t0) / 1000);
    })(),
  );
}
