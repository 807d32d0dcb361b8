/**
 * Queue's time-based behaviour in virtual time. In-process, put$/get$
 * settle synchronously and every deadline runs on the scheduler, so these
 * marbles are exact.
 */
import { expect } from 'chai';
import { concatMap, delay, of, take, tap } from 'rxjs';
import { ClosedError, Empty, Full, Queue } from '../src/index.js';
import { testScheduler } from './support/marbles.js';

describe('Queue in virtual time', () => {
  it('get$ with a timeout errors Empty at its deadline', () => {
    testScheduler().run(({ expectObservable }) => {
      const q = new Queue<string>();
      expectObservable(q.get$({ timeout: 5 })).toBe('-----#', undefined, new Empty(5));
    });
  });

  it('get$ emits and completes in the frame an item is put', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('---a|')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.get$({ timeout: 5 })).toBe('---(a|)');
    });
  });

  it('get$ on a queue with an item settles on subscribe, synchronously', () => {
    const q = new Queue<number>();
    q.put$(1).subscribe();
    const seen: unknown[] = [];
    q.get$().subscribe({ next: (v) => seen.push(v), complete: () => seen.push('done') });
    expect(seen).to.deep.equal([1, 'done']);
  });

  it('put$ on a queue with space completes on subscribe', () => {
    testScheduler().run(({ expectObservable }) => {
      const q = new Queue<number>({ maxsize: 1 });
      expectObservable(q.put$(1)).toBe('|');
    });
  });

  it('put$ on a full queue with a timeout errors Full at its deadline, enqueueing nothing', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const q = new Queue<number>({ maxsize: 1 });
      q.put$(1).subscribe();
      expectObservable(q.put$(2, { timeout: 3 })).toBe('---#', undefined, new Full(1, 3));
      flush();
      let size = -1;
      void q.qsize().then((n) => (size = n));
      return Promise.resolve().then(() => expect(size).to.equal(1));
    });
  });

  it('put$ on a full queue completes in the frame a get frees a slot', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<number>({ maxsize: 1 });
      q.put$(1).subscribe();
      cold('----x|')
        .pipe(concatMap(() => q.get$()))
        .subscribe();
      expectObservable(q.put$(2)).toBe('----|');
    });
  });

  it('put$ with block: false errors Full at once, whatever the timeout', () => {
    testScheduler().run(({ expectObservable }) => {
      const q = new Queue<number>({ maxsize: 1 });
      q.put$(1).subscribe();
      expectObservable(q.put$(2, { block: false, timeout: 50 })).toBe('#', undefined, new Full(1, 0));
    });
  });

  it('observe() emits each item in the frame it is put', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('--a--b---c')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe()).toBe('--a--b---c');
    });
  });

  it('observe() drains queued items at once, then follows new puts', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      q.put$('a').subscribe();
      q.put$('b').subscribe();
      cold('----c')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe()).toBe('(ab)c'); // a group spans as many frames as its characters
    });
  });

  it('observe({ timeout }) errors Empty when the gap between items exceeds it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('--a-b-------c')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe({ timeout: 3 })).toBe('--a-b--#', undefined, new Empty(3));
    });
  });

  it('observe() completes, once drained, in the frame the queue ends', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('-a-b-|')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe({ complete: () => void q.end() });
      expectObservable(q.observe()).toBe('-a-b-|');
    });
  });

  it('two observers compete: items alternate between them in arrival order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('-a-b-c-d')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe()).toBe('-a---c--');
      expectObservable(q.observe()).toBe('---b---d');
    });
  });

  it('unsubscribing observe() early takes nothing more: later items stay queued', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const q = new Queue<string>();
      cold('-a-b-c|')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe(), '^-!').toBe('-a-');
      flush();
      const left: string[] = [];
      q.observe()
        .pipe(take(2))
        .subscribe((v) => left.push(v));
      expect(left).to.deep.equal(['b', 'c']);
    });
  });

  it('unsubscribing a waiting get$ before its item arrives leaves that item queued', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const q = new Queue<string>();
      cold('----a|')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.get$(), '^-!').toBe('---');
      flush();
      const left: string[] = [];
      q.get$().subscribe((v) => left.push(v));
      expect(left).to.deep.equal(['a']);
    });
  });

  it('closing the handle completes its observe() at that frame, and errors its waiting get$ with ClosedError', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('--x|').subscribe({ complete: () => void q.close() });
      expectObservable(q.observe()).toBe('---|');
      expectObservable(q.get$()).toBe('---#', undefined, new ClosedError('queue', 'queue handle is closed'));
    });
  });

  it('bounded queue: a fast producer is held to the consumer’s pace and qsize never exceeds maxsize', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const q = new Queue<string>({ maxsize: 2 });
      const sizes: number[] = [];
      const watch = () => void q.qsize().then((n) => sizes.push(n));
      // Producer: six items at once. Consumer: one item every 10 frames.
      cold('(abcdef|)')
        .pipe(concatMap((v) => q.put$(v).pipe(tap({ complete: watch }))))
        .subscribe();
      const consumer = cold('----------x---------x---------x---------x---------x---------x|').pipe(concatMap(() => q.get$()));
      expectObservable(consumer).toBe('----------a---------b---------c---------d---------e---------f|');
      flush();
      return Promise.resolve().then(() => expect(Math.max(...sizes)).to.be.at.most(2));
    });
  });

  it('an item put while a get$ waits is handed over in that same frame, never queued', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<number>({ maxsize: 1 });
      expectObservable(q.get$()).toBe('--(x|)', { x: 7 });
      cold('--7|')
        .pipe(concatMap((v) => q.put$(Number(v))))
        .subscribe();
    });
  });

  it('a timeout shorter than the wait for space is independent per put', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>({ maxsize: 1 });
      q.put$('a').subscribe();
      cold('-----x|')
        .pipe(concatMap(() => q.get$()))
        .subscribe();
      expectObservable(q.put$('b', { timeout: 2 })).toBe('--#', undefined, new Full(1, 2));
      expectObservable(q.put$('c', { timeout: 9 })).toBe('-----|');
    });
  });

  it('delay-based consumers see items in FIFO order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new Queue<string>();
      cold('(abc)')
        .pipe(concatMap((v) => q.put$(v)))
        .subscribe();
      expectObservable(q.observe().pipe(concatMap((v) => of(v).pipe(delay(2))))).toBe('--a-b-c');
    });
  });
});
