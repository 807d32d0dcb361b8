import { Empty, timeoutEmpty } from '../../src/index.js';
import { testScheduler } from '../support/marbles.js';
import { expect } from 'chai';

describe('timeoutEmpty', () => {
  it('errors Empty when the first value is late', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-----a|').pipe(timeoutEmpty(3))).toBe('---#', undefined, new Empty(3));
    });
  });

  it('errors Empty when the gap between values exceeds the limit', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--a--b------c|').pipe(timeoutEmpty(4))).toBe('--a--b---#', undefined, new Empty(4));
    });
  });

  it('passes values and completion through when they are in time', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-|').pipe(timeoutEmpty(3))).toBe('-a-b-|');
    });
  });

  it('stops its timer when unsubscribed early', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('------a|').pipe(timeoutEmpty(4)), '^-!').toBe('---');
    });
  });

  it('with no limit (Infinity), passes everything through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--------a|').pipe(timeoutEmpty(Infinity))).toBe('--------a|');
    });
  });

  it('rejects a bad limit at the call', () => {
    expect(() => timeoutEmpty(-1)).to.throw(RangeError);
  });
});
