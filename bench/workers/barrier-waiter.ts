import { from, type Observable } from 'rxjs';
import type { Barrier, Event } from '../../src/index.js';

/**
 * The child's side of bench/measure/barrier-wait.ts: says it is ready, then
 * `rounds` times waits on the barrier. Emits the arrival index it got in each
 * round, for the parent to check against its own.
 */
export default function barrierWaiter(barrier: Barrier, ready: Event, rounds: number): Observable<Uint8Array> {
  return from(
    (async () => {
      ready.set();
      const indices = new Uint8Array(rounds);
      for (let i = 0; i < rounds; i++) indices[i] = await barrier.wait();
      return indices;
    })(),
  );
}
