import { expect } from 'chai';
import { concatMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Empty, Queue } from 'rxmp';

describe('README: testing a queue with marbles', () => {
  const scheduler = () =>
    new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    });

  it('delivers each item in the frame it is put, and times out in virtual time', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>({ maxsize: 2 });
      cold('-a--b------c')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe({ timeout: 5 })).toBe('-a--b----#', undefined, new Empty(5));
    });
  });
});
