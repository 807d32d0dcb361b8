/** A Connection's Observer/Subscribable faces in virtual time (in-process delivery is synchronous). */
import { expect } from 'chai';
import { concatMap, delay, from, isObservable, map, of, take } from 'rxjs';
import { ClosedError, Pipe } from '../src/index.js';
import { testScheduler } from './support/marbles.js';

describe('Connection in virtual time', () => {
  it('pipe() runs the messages this end receives through operators, completion included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<string>();
      cold('-x--y|').subscribe(a);
      expectObservable(b.pipe(map((v) => v.toUpperCase()))).toBe('-X--Y|', { X: 'X', Y: 'Y' });
    });
  });

  it('pipe() carries the peer’s error(e) through operators', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<number>();
      cold('-a-#', { a: 1 }, new RangeError('upstream')).subscribe(a);
      expectObservable(b.pipe(map((v) => v + 1))).toBe('-a-#', { a: 2 }, new RangeError('upstream'));
    });
  });

  it('unsubscribing a pipe() early leaves the later messages to be received', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const [a, b] = Pipe<string>();
      cold('-x-y-z|').subscribe(a);
      expectObservable(b.pipe(map((v) => v)), '^-!').toBe('-x-');
      flush();
      const rest: string[] = [];
      from(b).subscribe((v) => rest.push(v));
      expect(rest).to.deep.equal(['y', 'z']);
    });
  });

  it('isObservable() is true of a Connection', () => {
    const [a, b] = Pipe();
    expect(isObservable(a)).to.equal(true);
    expect(isObservable(b)).to.equal(true);
  });

  it('the peer’s stream mirrors the source subscribed to this end, completion included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<string>();
      cold('-x--y-z|').subscribe(a);
      expectObservable(b.asObservable()).toBe('-x--y-z|');
    });
  });

  it('error(e) reaches the peer’s stream in order, as an error with the same name and message', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<string>();
      cold('-x-#', undefined, new TypeError('upstream')).subscribe(a);
      expectObservable(b.asObservable()).toBe('-x-#', undefined, new TypeError('upstream'));
    });
  });

  it('a reader slower than the writer holds next() back by the window, and loses nothing', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // A window of one small message: every next() beyond it waits for the reader.
      const [a, b] = Pipe<number>({ window: 8 });
      cold('(abcd|)', { a: 1, b: 2, c: 3, d: 4 }).subscribe(a);
      expectObservable(b.asObservable().pipe(concatMap((v) => of(v).pipe(delay(3))))).toBe('---a--b--c--(d|)', {
        a: 1,
        b: 2,
        c: 3,
        d: 4,
      });
    });
  });

  it('unsubscribing from the peer early leaves later messages to be received', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const [a, b] = Pipe<string>();
      cold('-x-y-z').subscribe(a);
      expectObservable(b.asObservable(), '^-!').toBe('-x-');
      flush();
      const rest: string[] = [];
      b.asObservable()
        .pipe(take(2))
        .subscribe((v) => rest.push(v));
      expect(rest).to.deep.equal(['y', 'z']);
    });
  });

  it('closing the writer completes the reader’s stream after what was sent', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<string>();
      cold('-x-y').subscribe((v) => a.next(v));
      cold('-----|').subscribe({ complete: () => void a.close() });
      expectObservable(b.asObservable()).toBe('-x-y-|');
    });
  });

  it('a next() the closing peer never accepted errors this end’s own stream where it would have completed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b] = Pipe<string>({ window: 1 });
      cold('(xy)').subscribe(a); // y waits for room: b never reads
      cold('---|').subscribe({ complete: () => void b.close() });
      expectObservable(a.asObservable()).toBe('---#', undefined, new ClosedError('peer', 'peer end is closed (broken pipe)'));
    });
  });
});
