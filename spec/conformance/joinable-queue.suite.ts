/** JoinableQueue conformance: task accounting, written once for every transport. */
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { consume, type JoinableQueue, type PoisonItem, Queue, Unfinished } from '../../src/index.js';
import { expectRejection, settledWithin, settles } from '../support/async.js';

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

    it('join({ timeout }) rejects Unfinished with the timeout and the open task count once it runs out', async () => {
      const q = await makeQueue<number>();
      await q.put(1);
      await q.put(2);
      await q.get();
      q.taskDone();
      const error = await expectRejection(q.join({ timeout: SHORT }), Unfinished);
      expect(error.timeout).to.equal(SHORT);
      expect(error.unfinished).to.equal(1);
      // Nothing was touched: the task is still open, and a join still sees it through.
      const joined = q.join();
      await q.get();
      q.taskDone();
      await settles(joined);
    });

    it('join({ timeout: 0 }) resolves when nothing is open and rejects Unfinished at once otherwise', async () => {
      const q = await makeQueue<number>();
      await settles(q.join({ timeout: 0 }));
      await q.put(1);
      const error = await expectRejection(q.join({ timeout: 0 }), Unfinished);
      expect([error.timeout, error.unfinished]).to.deep.equal([0, 1]);
    });

    it('join({ timeout }) resolves when the last task is done in time', async () => {
      const q = await makeQueue<number>();
      await q.put(1);
      const joined = q.join({ timeout: 10_000 });
      await q.get();
      q.taskDone();
      await settles(joined);
    });

    it('join({ signal }) rejects with the reason of the abort, and join$ errors with it', async () => {
      const q = await makeQueue<number>();
      await q.put(1);
      const controller = new AbortController();
      const joined = q.join({ signal: controller.signal });
      const reason = new Error('stop waiting');
      controller.abort(reason);
      expect(await joined.catch((e: unknown) => e)).to.equal(reason);
      const again = new AbortController();
      const streamed = lastValueFrom(q.join$({ signal: again.signal })).catch((e: unknown) => e);
      again.abort(reason);
      expect(await streamed).to.equal(reason);
      await q.get();
      q.taskDone();
      await settles(q.join());
    });

    it('join() with a bad timeout rejects RangeError/TypeError, and join$ throws it at the call', async () => {
      const q = await makeQueue<number>();
      await expectRejection(q.join({ timeout: -1 }), RangeError);
      await expectRejection(q.join({ timeout: Number.NaN }), RangeError);
      await expectRejection(q.join({ timeout: '5' as unknown as number }), TypeError);
      await expectRejection(q.join({ timeOut: 5 } as never), TypeError);
      expect(() => q.join$({ timeout: -1 })).to.throw(RangeError);
    });

    it('consume({ maxAttempts }) retries a failing item, then sets it aside with its attempts and last error; the rest is done, join() resolves', async () => {
      const q = await makeQueue<string>();
      for (const item of ['a', 'poison', 'b', 'c']) await q.put(item);
      const aside: PoisonItem<string>[] = [];
      let runs = 0;
      const results: string[] = [];
      const subscription = consume(
        q,
        async (item: string) => {
          if (item !== 'poison') return item;
          runs++;
          throw new Error(`bad run ${runs}`);
        },
        { maxAttempts: 3, onPoison: (poison) => aside.push(poison) },
      ).subscribe({ next: (r) => results.push(r), error: (e) => expect.fail(`the stream errored: ${e}`) });
      await settles(q.join());
      subscription.unsubscribe();
      expect(runs).to.equal(3);
      expect(aside.map((p) => [p.item, p.attempts, (p.error as Error).message])).to.deep.equal([['poison', 3, 'bad run 3']]);
      expect(results.sort()).to.deep.equal(['a', 'b', 'c']);
      expect(await q.qsize()).to.equal(0);
    });

    it('consume({ maxAttempts, deadLetter }) puts { item, attempts, error } into the dead-letter queue and marks the item done', async () => {
      const q = await makeQueue<{ job: number }>();
      const dead = new Queue<PoisonItem<{ job: number }>>();
      await q.put({ job: 1 });
      await q.put({ job: 2 });
      const subscription = consume(
        q,
        (item: { job: number }) => {
          if (item.job === 1) throw new TypeError('job 1 is poison');
          return [item.job];
        },
        { maxAttempts: 2, deadLetter: dead },
      ).subscribe();
      await settles(q.join());
      subscription.unsubscribe();
      const poison = await dead.get({ timeout: 0 });
      expect(poison).to.deep.include({ item: { job: 1 }, attempts: 2 });
      expect(poison.error).to.be.instanceOf(TypeError);
      expect(await dead.qsize()).to.equal(0);
    });

    it('an item keeps its attempt count in the queue: a failure in one consume counts toward the limit of the next', async () => {
      const q = await makeQueue<string>();
      await q.put('poison');
      const failing = (): never => {
        throw new Error('always');
      };
      // Without maxAttempts a failure errors the stream, and the item goes back counted.
      const first = await lastValueFrom(consume(q, failing)).catch((e: unknown) => e);
      expect((first as Error).message).to.equal('always');
      const aside: PoisonItem<string>[] = [];
      let runs = 0;
      const counting = (): never => {
        runs++;
        return failing();
      };
      const subscription = consume(q, counting, { maxAttempts: 3, onPoison: (p) => aside.push(p) }).subscribe();
      await settles(q.join());
      subscription.unsubscribe();
      expect(runs, 'two more runs: the first failure counted').to.equal(2);
      expect(aside.map((p) => p.attempts)).to.deep.equal([3]);
    });
  });
}
