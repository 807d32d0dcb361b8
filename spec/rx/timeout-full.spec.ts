import { expect } from 'chai';
import { Full, Queue, timeoutFull } from '../../src/index.js';
import { testScheduler } from '../support/marbles.js';

describe('timeoutFull', () => {
  it('errors Full when a put is not accepted in time, and the put is withdrawn', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const q = new Queue<number>({ maxsize: 1 });
      q.put$(1).subscribe();
      expectObservable(q.put$(2).pipe(timeoutFull(3, { maxsize: 1 }))).toBe('---#', undefined, new Full(1, 3));
      flush();
      const got: number[] = [];
      q.observe().subscribe((v) => got.push(v));
      expect(got).to.deep.equal([1]);
    });
  });

  it('lets a put that is accepted in time complete', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<number>({ maxsize: 1 });
      q.put$(1).subscribe();
      cold('--x|').subscribe(() => q.get$().subscribe());
      expectObservable(q.put$(2).pipe(timeoutFull(3))).toBe('--|');
    });
  });

  it('stops its timer when unsubscribed early', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('------|').pipe(timeoutFull(4)), '^-!').toBe('---');
    });
  });

  it('rejects a bad limit at the call', () => {
    expect(() => timeoutFull(Number.NaN)).to.throw(RangeError);
  });
});
