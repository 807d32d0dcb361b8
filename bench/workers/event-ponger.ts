import { from, type Observable } from 'rxjs';
import type { Event } from '../../src/index.js';

/**
 * The child's side of bench/measure/event-pingpong.ts: says it is ready, then
 * `rounds` times waits for `ping`, clears it (before answering, so the
 * parent's next set is a new one) and sets `pong`. Emits how many rounds it
 * answered, and checks that every ping it saw was a fresh one.
 */
export default function eventPonger(ping: Event, pong: Event, ready: Event, rounds: number): Observable<number> {
  return from(
    (async () => {
      ready.set();
      let answered = 0;
      for (let i = 0; i < rounds; i++) {
        await ping.wait();
        // The parent clears pong after seeing it and before its next ping.
        if (pong.isSet()) throw new Error(`round ${i}: pong is still set when ping came`);
        ping.clear();
        pong.set();
        answered++;
      }
      return answered;
    })(),
  );
}
