/** JoinableQueue conformance: task accounting, written once for every transport. */
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { consume, type JoinableQueue } from '../../src/index.js';
import { settledWithin, settles } from '../support/async.js';

export type MakeJoinableQueue = <T>(options?: { maxsize?: number }) => Promise<JoinableQueue<T>>;

const SHORT = 40;

export function joinableQueueConformance(label: string, makeQueue: MakeJoinableQueue): void {
  describe(`JoinableQueue conformance: ${label}`, () => {
    it('join() resolves at once when no task is open', async () => {
      const q = await makeQueue<number>();
      await settles(q.join());
    });

    it('join() waits until every put item has been marked done', async () => {
      const q = await makeQueue<number>();
      await q.put(1);
      await q.put(2);
      const joined = q.join();
      await q.get();
      q.taskDone();
      expect(await settledWithin(joined, SHORT)).to.equal(false);
      await q.get();
      q.taskDone();
      await joined;
    });

    it('join$() completes without a value once every task is done', async () => {
      const q = await makeQueue<string>();
      await q.put('a');
      const joined = lastValueFrom(q.join$().pipe(toArray()));
      await q.get();
      q.taskDone();
      expect(await joined).to.deep.equal([]);
    });

    it('taskDone() more times than items got throws RangeError ("called too many times")', async () => {
      const q = await makeQueue<number>();
      await q.put(1);
      // Python allows this (it counts against puts); rxmp counts against items got.
      expect(() => q.taskDone()).to.throw(RangeError, 'called too many times');
      await q.get();
      q.taskDone();
      expect(() => q.taskDone()).to.throw(RangeError, 'called too many times');
    });

    it('consume() calls taskDone for each item, so join() resolves when the work is done', async () => {
      const q = await makeQueue<number>({ maxsize: 4 });
      const results: number[] = [];
      const done = lastValueFrom(consume(q, async (n: number) => n * 10, { concurrency: 2 }).pipe(toArray())).then((r) =>
        results.push(...r),
      );
      for (let i = 0; i < 20; i++) await q.put(i);
      await q.join();
      await q.end();
      await done;
      expect(results.sort((a, b) => a - b)).to.deep.equal([...Array(20).keys()].map((n) => n * 10));
    });

    it('an item whose consume() run fails goes back to the front, so join() can still resolve', async () => {
      const q = await makeQueue<string>();
      await q.put('flaky');
      await q.put('next');
      let attempts = 0;
      const error = await lastValueFrom(
        consume(q, async (item: string) => {
          attempts++;
          throw new Error(`failed on ${item}`);
        }),
      ).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.equal('failed on flaky');
      expect(attempts).to.equal(1);
      expect(await q.get()).to.equal('flaky');
      q.taskDone();
      expect(await q.get()).to.equal('next');
      q.taskDone();
      await settles(q.join());
    });
  });
}
