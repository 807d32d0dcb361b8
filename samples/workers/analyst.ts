/** For samples/pipe-between-children.ts: reads until the sensor closes, then reports. */
import { from, reduce, type Observable } from 'rxjs';
import type { Connection } from 'rxmp';
import type { Reading } from './sensor.js';

export interface Report {
  readings: number;
  min: number;
  max: number;
  inOrder: boolean;
}

export default function analyst(input: Connection<Reading>): Observable<Report> {
  // A Connection is an Observable of what it receives: it completes at the sensor's end of stream.
  return from(input).pipe(
    reduce<Reading, Report>(
      (r, reading) => ({
        readings: r.readings + 1,
        min: Math.min(r.min, reading.celsius),
        max: Math.max(r.max, reading.celsius),
        inOrder: r.inOrder && reading.at === r.readings,
      }),
      { readings: 0, min: Infinity, max: -Infinity, inOrder: true },
    ),
  );
}
