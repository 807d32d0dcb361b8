/** For samples/pipe-between-children.ts: sends `count` readings down its end of the pipe, then closes it. */
import type { Connection } from 'rxmp';

export interface Reading {
  at: number;
  celsius: number;
}

export default async function sensor(out: Connection<Reading>, count: number): Promise<void> {
  for (let at = 0; at < count; at++) {
    await out.send({ at, celsius: 20 + 5 * Math.sin(at / 50) }); // waits whenever the analyst's window is full
  }
  await out.close(); // the analyst sees the end of the stream after the last reading
}
