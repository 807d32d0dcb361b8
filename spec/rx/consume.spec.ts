import { expect } from 'chai';
import { concat, concatMap, delay, finalize, firstValueFrom, map, of, take, tap, throwError, timer } from 'rxjs';
import { consume, Empty, JoinableQueue, Queue } from '../../src/index.js';
import { testScheduler } from '../support/marbles.js';

function fill<T>(q: { put$(v: T): { subscribe(): unknown } }, items: T[]): void {
  for (const item of items) q.put$(item).subscribe();
}

describe('consume', () => {
  it('takes a new item only when a slot frees', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable, flush }) => {
      const q = new Queue<string>();
      fill(q, ['a', 'b', 'c', 'd', 'e']);
      const started: [string, number][] = [];
      const results = consume(
        q,
        (item: string) => {
          started.push([item, ts.now()]);
          return of(item.toUpperCase()).pipe(delay(5));
        },
        { concurrency: 2 },
      );
      expectObservable(results).toBe('-----(AB)-(CD)-(E)');
      flush();
      expect(started).to.deep.equal([
        ['a', 0],
        ['b', 0],
        ['c', 5],
        ['d', 5],
        ['e', 10],
      ]);
    });
  });

  it('leaves items in the queue while every slot is busy', () => {
    testScheduler().run(({ cold, flush }) => {
      const q = new Queue<number>();
      fill(q, [1, 2, 3, 4]);
      consume(q, (n: number) => timer(10).pipe(map(() => n))).subscribe();
      const sizes: number[] = [];
      cold('-x-----x|').subscribe(() => void q.qsize().then((n) => sizes.push(n)));
      flush();
      return Promise.resolve().then(() => expect(sizes).to.deep.equal([3, 3]));
    });
  });

  it('holds a bounded queue’s producer to the consumer’s pace, end to end', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const q = new Queue<string>({ maxsize: 1 });
      const accepted: [string, number][] = [];
      cold('(abcd|)')
        .pipe(concatMap((v) => q.put$(v).pipe(tap({ complete: () => accepted.push([v, ts.now()]) }))))
        .subscribe();
      consume(q, (v: string) => of(v).pipe(delay(10))).subscribe();
      flush();
      // One slot: b enters when a is taken, then each put waits for the previous run to finish.
      expect(accepted).to.deep.equal([
        ['a', 0],
        ['b', 0],
        ['c', 10],
        ['d', 20],
      ]);
    });
  });

  it('completes when the queue has ended and every run has finished', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      fill(q, ['a']);
      cold('--x|').subscribe({ complete: () => void q.end() });
      expectObservable(consume(q, (v: string) => of(v).pipe(delay(5)))).toBe('-----(a|)');
    });
  });

  it('calls taskDone for a JoinableQueue, so join$ completes in the frame the last run finishes', () => {
    testScheduler().run(({ expectObservable }) => {
      const q = new JoinableQueue<string>();
      fill(q, ['a', 'b']);
      consume(q, (v: string) => of(v).pipe(delay(4)), { concurrency: 1 }).subscribe();
      expectObservable(q.join$()).toBe('--------|');
    });
  });

  it('errors Empty when a free slot waits longer than timeout for an item', () => {
    testScheduler().run(({ expectObservable }) => {
      const q = new Queue<string>();
      fill(q, ['a']);
      expectObservable(consume(q, (v: string) => of(v), { timeout: 3 })).toBe('a--#', undefined, new Empty(3));
    });
  });

  it('unsubscribing mid-run puts the running items back at the front, in order', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const q = new JoinableQueue<string>();
      fill(q, ['a', 'b', 'c']);
      expectObservable(
        consume(q, (v: string) => of(v).pipe(delay(10)), { concurrency: 2 }),
        '^--!',
      ).toBe('---');
      flush();
      const left: string[] = [];
      q.observe().subscribe((v) => left.push(v));
      expect(left).to.deep.equal(['a', 'b', 'c']);
      // The handle no longer counts a and b as its own: three got now, three taskDone allowed.
      for (let i = 0; i < 3; i++) q.taskDone();
      expect(() => q.taskDone()).to.throw(RangeError);
    });
  });

  it('when a run errors, errors the stream and returns its item (and the others running) to the front', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const q = new Queue<string>();
      fill(q, ['a', 'b', 'c']);
      const boom = new Error('boom');
      const fn = (v: string) => (v === 'b' ? timer(2).pipe(concatMap(() => throwError(() => boom))) : of(v).pipe(delay(5)));
      expectObservable(consume(q, fn, { concurrency: 2 })).toBe('--#', undefined, boom);
      flush();
      const left: string[] = [];
      q.observe().subscribe((v) => left.push(v));
      expect(left).to.deep.equal(['a', 'b', 'c']);
    });
  });

  it('firstValueFrom(consume(…)) processes one item once: an item whose result was delivered does not come back', async () => {
    const q = new Queue<string>();
    fill(q, ['a', 'b']);
    let calls = 0;
    const first = await firstValueFrom(
      consume(q, async (x: string) => {
        calls++;
        return x.toUpperCase();
      }),
    );
    expect(first).to.equal('A');
    expect(calls).to.equal(1);
    expect(await q.qsize()).to.equal(1);
    expect(await q.get()).to.equal('b');
  });

  it('a run that delivered a result before the subscriber left is done: taskDone, not back in the queue', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const q = new JoinableQueue<string>();
      fill(q, ['a']);
      // One result at once, a second later: the subscriber leaves in between.
      expectObservable(
        consume(q, (v: string) => concat(of(v), timer(10).pipe(map(() => 'late')))),
        '^--!',
      ).toBe('a--');
      flush();
      const joined: string[] = [];
      q.join$().subscribe({ complete: () => joined.push('joined') });
      expect(joined).to.deep.equal(['joined']);
      let size = -1;
      void q.qsize().then((n) => (size = n));
      return Promise.resolve().then(() => expect(size).to.equal(0));
    });
  });

  it('tears down a run whose output was subscribed while the subscriber left (nothing keeps running)', async () => {
    const q = new Queue<string>();
    fill(q, ['a']);
    let finalized = false;
    const seen: string[] = [];
    // take(1) unsubscribes inside the synchronous first `next`, while consume is still subscribing to the run.
    consume(q, (v: string) => concat(of(v), timer(20).pipe(map(() => 'late'))).pipe(finalize(() => (finalized = true))))
      .pipe(take(1))
      .subscribe((v) => seen.push(v));
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).to.deep.equal(['a']);
    expect(finalized).to.equal(true);
  });

  it('treats a synchronous throw from fn like an error of its run', () => {
    const q = new Queue<string>();
    fill(q, ['x']);
    let caught: unknown;
    consume(q, () => {
      throw new TypeError('no');
    }).subscribe({ error: (e) => (caught = e) });
    expect(caught).to.be.instanceOf(TypeError);
    const left: string[] = [];
    q.observe().subscribe((v) => left.push(v));
    expect(left).to.deep.equal(['x']);
  });

  it('accepts promises and arrays as fn results', async () => {
    const q = new Queue<number>();
    fill(q, [1, 2]);
    await q.end();
    const out: number[] = [];
    await new Promise<void>((resolve) => consume(q, async (n: number) => n * 2).subscribe({ next: (v) => out.push(v), complete: resolve }));
    const r = new Queue<number>();
    fill(r, [3]);
    await r.end();
    await new Promise<void>((resolve) => consume(r, (n: number) => [n, n]).subscribe({ next: (v) => out.push(v), complete: resolve }));
    expect(out).to.deep.equal([2, 4, 3, 3]);
  });

  it('rejects bad arguments at the call', () => {
    const q = new Queue<number>();
    expect(() => consume(q, (n: number) => of(n), { concurrency: 0 })).to.throw(RangeError);
    expect(() => consume(q, (n: number) => of(n), { timeout: -5 })).to.throw(RangeError);
    expect(() => consume(q, 'nope' as never)).to.throw(TypeError);
  });
});
