/**
 * A queue as an RxJS Subject, in virtual time: an Observer (`source.subscribe(q)`)
 * and an Observable of its items. In-process, puts and takes settle
 * synchronously, so these marbles are exact.
 */
import { expect } from 'chai';
import { concatMap, delay, from, isObservable, map, of, range, take, toArray } from 'rxjs';
import { ClosedError, consume, JoinableQueue, Queue, SerializationError, SimpleQueue } from '../src/index.js';
import { OBSERVER_FAILED } from '../src/handle/queue-observer.js';
import { testScheduler } from './support/marbles.js';
import { warningsDuring } from './support/warnings.js';

describe('Queue as an RxJS Subject, in virtual time', () => {
  describe('Observer: source.subscribe(q)', () => {
    it('puts each value in the frame it comes, and complete() ends the queue: consumers complete', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const q = new Queue<string>();
        cold('-a--b-c|').subscribe(q);
        expectObservable(q.observe()).toBe('-a--b-c|');
      });
    });

    it('error(e) ends the queue on e: consumers drain, then error with e', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const q = new Queue<string>();
        const r = new Queue<string>();
        cold('-a-b-#', undefined, new TypeError('upstream')).subscribe(q);
        cold('(ab#)', undefined, new TypeError('upstream')).subscribe(r);
        expectObservable(q.observe()).toBe('-a-b-#', undefined, new TypeError('upstream'));
        // Subscribed after the end: the items are still there, then the error.
        expectObservable(r.observe(), '---^').toBe('---(ab#)', undefined, new TypeError('upstream'));
      });
    });

    it('error(e) reaches get() and the async iterator too, once drained', async () => {
      const q = new Queue<number>();
      q.next(1);
      q.error(new RangeError('stop'));
      expect(await q.get()).to.equal(1);
      const error = await q.get().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RangeError);
      const it = new Queue<number>();
      it.error('not an Error');
      const iterated = await it[Symbol.asyncIterator]()
        .next()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(iterated).to.be.instanceOf(Error).with.property('message', 'not an Error');
    });

    it('a bounded queue makes the values wait in the subscription: a consumer that comes later gets them all, in order', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const q = new Queue<string>({ maxsize: 2 });
        cold('(abcde|)').subscribe(q);
        flush();
        let size = -1;
        void q.qsize().then((n) => (size = n));
        expectObservable(q.observe().pipe(concatMap((v) => of(v).pipe(delay(2)))), '---^').toBe('-----a-b-c-d-(e|)');
        return Promise.resolve().then(() => expect(size).to.equal(2));
      });
    });

    it('range(0, 100_000).subscribe(q) with maxsize 100 never holds more than 100, and every value arrives in order', async () => {
      const q = new Queue<number>({ maxsize: 100 });
      range(0, 100_000).subscribe(q);
      expect(await q.qsize()).to.equal(100);
      let most = 0;
      const got: number[] = [];
      await new Promise<void>((resolve, reject) => {
        q.subscribe({
          next: (v) => {
            got.push(v);
            if (v % 997 === 0) void q.qsize().then((n) => (most = Math.max(most, n)));
          },
          error: reject,
          complete: resolve,
        });
      });
      expect(most).to.be.at.most(100).and.above(0);
      expect(got.length).to.equal(100_000);
      expect(got.every((v, i) => v === i)).to.equal(true);
    });

    it('a put that fails in next() (a function value) ends the queue on that error after what was put; later values are not put; nothing is thrown', async () => {
      const q = new Queue<unknown>();
      const warnings = await warningsDuring(async () => {
        expect(() => of(1, () => 2, 3).subscribe(q)).to.not.throw();
        const seen: unknown[] = [];
        const error = await new Promise((resolve) => q.subscribe({ next: (v) => seen.push(v), error: resolve }));
        expect(seen).to.deep.equal([1]);
        expect(error).to.be.instanceOf(SerializationError);
      });
      expect(warnings).to.deep.equal([]);
    });

    it('a put that fails because the queue has already ended warns RXMP_QUEUE_OBSERVER_FAILED (no consumer could be told), never throws', async () => {
      const q = new Queue<number>();
      await q.put(1);
      await q.end();
      const warnings = await warningsDuring(async () => {
        expect(() => of(2).subscribe(q)).to.not.throw();
      });
      expect(warnings.map((w) => w.code)).to.deep.equal([OBSERVER_FAILED]);
      expect(await q.get()).to.equal(1);
      await q.get().then(
        () => expect.fail('the queue had ended'),
        (e: unknown) => expect(e).to.be.instanceOf(ClosedError),
      );
    });

    it('error(e) on a queue that had already ended warns: its consumers will never see e', async () => {
      const q = new Queue<number>();
      await q.end();
      const warnings = await warningsDuring(async () => q.error(new Error('late')));
      expect(warnings.map((w) => w.code)).to.deep.equal([OBSERVER_FAILED]);
    });

    it('consume() on a queue ended by error(e) lets its running runs finish, then errors with e', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const q = new JoinableQueue<string>();
        cold('(ab#)', undefined, new RangeError('upstream')).subscribe(q);
        const runs = consume(q, (v) => of(v.toUpperCase()).pipe(delay(3)), { concurrency: 2 });
        expectObservable(runs).toBe('---(AB#)', undefined, new RangeError('upstream'));
      });
    });

    it('values after complete() are ignored, as an Observer does', () => {
      testScheduler().run(({ expectObservable }) => {
        const q = new Queue<string>();
        q.next('a');
        q.complete();
        q.next('b');
        expectObservable(q.observe()).toBe('(a|)');
      });
    });

    it('JoinableQueue and SimpleQueue are Observers too', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const jq = new JoinableQueue<string>();
        const sq = new SimpleQueue<string>();
        cold('-a-b|').subscribe(jq);
        cold('--c-#', undefined, new Error('x')).subscribe(sq);
        expectObservable(jq.observe()).toBe('-a-b|');
        expectObservable(sq.observe()).toBe('--c-#', undefined, new Error('x'));
      });
    });
  });

  describe('Observable: the queue’s items', () => {
    it('q.pipe(map(...)) takes the items as observe() does', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const q = new Queue<number>();
        cold('-a-b|', { a: 1, b: 2 }).subscribe(q);
        expectObservable(q.pipe(map((v) => v * 10))).toBe('-a-b|', { a: 10, b: 20 });
      });
    });

    it('from(q), q.asObservable() and q.subscribe() are competing consumers in virtual time', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const q = new Queue<string>();
        const sq = new SimpleQueue<string>();
        cold('-a-b-c|').subscribe(q);
        cold('-x|').subscribe(sq);
        expectObservable(from(q).pipe(take(1))).toBe('-(a|)');
        expectObservable(q.asObservable()).toBe('---b-c|');
        expectObservable(from(sq)).toBe('-x|');
      });
    });

    it('isObservable() is true of Queue, JoinableQueue and SimpleQueue', () => {
      expect(isObservable(new Queue())).to.equal(true);
      expect(isObservable(new JoinableQueue())).to.equal(true);
      expect(isObservable(new SimpleQueue())).to.equal(true);
    });

    it('unsubscribing early loses nothing: the items left go to the next consumer, in order', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const q = new Queue<string>();
        cold('-a-b-c-d|').subscribe(q);
        expectObservable(q.pipe(map((v) => v.toUpperCase())), '^-!').toBe('-A');
        flush();
        const rest: string[] = [];
        q.pipe(toArray()).subscribe((all) => rest.push(...all));
        expect(rest).to.deep.equal(['b', 'c', 'd']);
      });
    });

    it('each item goes to exactly one of two subscribers', () => {
      const q = new Queue<number>();
      const a: number[] = [];
      const b: number[] = [];
      q.subscribe((v) => a.push(v));
      q.pipe(map((v) => v)).subscribe((v) => b.push(v));
      range(0, 10).subscribe(q);
      expect([...a, ...b].sort((x, y) => x - y)).to.deep.equal([...Array(10).keys()]);
      expect(a.length + b.length).to.equal(10);
    });
  });
});
