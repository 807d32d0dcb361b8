import { expect } from 'chai';
import { concatMap, tap } from 'rxjs';
import { enqueue, Full, Queue, SimpleQueue } from '../../src/index.js';
import { testScheduler } from '../support/marbles.js';

describe('enqueue', () => {
  it('puts every value, emits nothing, and completes with the source when the queue has room', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const q = new Queue<string>();
      expectObservable(cold('-a-b-c|').pipe(enqueue(q))).toBe('------|');
      flush();
      const got: string[] = [];
      q.observe().subscribe((v) => got.push(v));
      expect(got).to.deep.equal(['a', 'b', 'c']);
    });
  });

  it('waits for space: completes only once the last put is accepted', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>({ maxsize: 1 });
      // A consumer taking one item at frames 5 and 9.
      cold('-----x---x|')
        .pipe(concatMap(() => q.get$()))
        .subscribe();
      expectObservable(cold('(abc|)').pipe(enqueue(q))).toBe('---------|');
    });
  });

  it('paces a fast source to a slow consumer: each put is accepted when a slot frees', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const q = new Queue<string>({ maxsize: 2 });
      const accepted: [string, number][] = [];
      const tracked = {
        put$: (v: string) => q.put$(v).pipe(tap({ complete: () => accepted.push([v, ts.now()]) })),
      };
      cold('----x----x----x|')
        .pipe(concatMap(() => q.get$()))
        .subscribe();
      cold('(abcde|)').pipe(enqueue(tracked)).subscribe();
      flush();
      // Two fit at once; c, d and e each wait for a get.
      expect(accepted).to.deep.equal([
        ['a', 0],
        ['b', 0],
        ['c', 4],
        ['d', 9],
        ['e', 14],
      ]);
    });
  });

  it('errors Full when a put waits longer than its timeout', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>({ maxsize: 1 });
      expectObservable(cold('ab|').pipe(enqueue(q, { timeout: 3 }))).toBe('----#', undefined, new Full(1, 3));
    });
  });

  it('passes on the source error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      expectObservable(cold('-a-#', undefined, new Error('upstream')).pipe(enqueue(q))).toBe('---#', undefined, new Error('upstream'));
    });
  });

  it('unsubscribing withdraws a waiting put: nothing beyond the accepted items is enqueued', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const q = new Queue<string>({ maxsize: 1 });
      expectObservable(cold('ab|').pipe(enqueue(q)), '^--!').toBe('---');
      flush();
      const got: string[] = [];
      q.observe().subscribe((v) => got.push(v));
      expect(got).to.deep.equal(['a']);
    });
  });

  it('works with a SimpleQueue too', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new SimpleQueue<string>();
      expectObservable(cold('-1-2|').pipe(enqueue(q))).toBe('----|');
    });
  });

  it('rejects bad options at the call', () => {
    const q = new Queue<number>();
    expect(() => enqueue(q, { timeout: -1 })).to.throw(RangeError);
  });
});
