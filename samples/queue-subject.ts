import { from, interval, lastValueFrom, map, range, take, toArray } from 'rxjs';
import { Pipe, Queue } from 'rxmp';

// A queue is an RxJS Observer: subscribe it to a source and each value is put, in order.
const q = new Queue<number>({ maxsize: 100 });
range(0, 1_000_000).subscribe(q); // the queue never holds more than 100: the rest wait in the subscription
console.log('qsize', await q.qsize()); // 100
// …and an Observable of its items: every consumer competes for them, as observe() does.
console.log('first', await lastValueFrom(q.pipe(take(3), toArray()))); // [0, 1, 2]: the rest stay queued
let total = 0;
for await (const v of q) total += v; // the rest: range completed, so the queue ended, so the loop ends
console.log('total', total);

const ticks = new Queue<number>();
interval(1).pipe(take(3)).subscribe(ticks);
console.log(
  'ticks',
  await lastValueFrom(
    from(ticks).pipe(
      map((v) => v * 10),
      toArray(),
    ),
  ),
); // [0, 10, 20]

// error(e) ends the queue on e: consumers drain it, then error with e (in any process).
const failing = new Queue<string>();
failing.next('a');
failing.error(new RangeError('upstream failed'));
await new Promise<void>((done) =>
  failing.subscribe({
    next: (v) => console.log('got', v),
    error: (e: Error) => done(console.log('then', e.name, e.message)),
  }),
);

// A Connection is an Observer and an Observable too.
const [left, right] = Pipe<number>();
range(1, 3).subscribe(left);
console.log(
  'doubled',
  await lastValueFrom(
    right.pipe(
      map((v) => v * 2),
      toArray(),
    ),
  ),
); // [2, 4, 6]
