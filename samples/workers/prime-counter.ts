/** A worker for samples/worker-pipeline.ts: counts the primes in each range it takes. */
import { lastValueFrom } from 'rxjs';
import { consume, type JoinableQueue, type Queue } from 'rxmp';

export interface Range {
  id: number;
  from: number;
  to: number;
}

export interface Counted {
  id: number;
  primes: number;
  worker: number;
}

export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** Takes ranges until the queue ends; `consume` marks each one done after its result is put. */
export default async function primeCounter(jobs: JoinableQueue<Range>, results: Queue<Counted>): Promise<void> {
  await lastValueFrom(
    consume(jobs, (range: Range) => results.put({ id: range.id, primes: countPrimes(range.from, range.to), worker: process.pid })),
    { defaultValue: undefined },
  );
}
