import { lastValueFrom, range, toArray } from 'rxjs';
import { consume, enqueue, Queue } from 'rxmp';

const q = new Queue<number>({ maxsize: 10 }); // holds at most 10 items: a put waits for space

// Producer: 100 values, put one at a time, each waiting for a free slot; then end the stream.
range(0, 100)
  .pipe(enqueue(q))
  .subscribe({ complete: () => void q.end() });

// Consumer: takes an item only when one of its 4 slots is free, so the queue paces the producer.
const squares = consume(
  q,
  async (n: number) => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // slow work
    return n * n;
  },
  { concurrency: 4 },
);

const results = await lastValueFrom(squares.pipe(toArray())); // completes once the queue has ended and drained
console.log(`${results.length} squares, sum ${results.reduce((a, b) => a + b, 0)}`);
