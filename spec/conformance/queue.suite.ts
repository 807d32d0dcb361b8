/**
 * The Queue conformance suite: written once, run against every transport.
 * It uses only the public API and real time (with generous bounds), so the
 * same cases hold for a queue in this thread, in a worker thread, or owned by
 * another process. Virtual-time cases live in the marble specs.
 */
import { expect } from 'chai';
import { from, isObservable, lastValueFrom, map, range, take, toArray } from 'rxjs';
import { ClosedError, consume, Empty, Full, type PoisonItem, Queue, SerializationError } from '../../src/index.js';
import { expectRejection, settledWithin, sleep } from '../support/async.js';
import { afterTest, startChild } from '../support/children.js';

export interface QueueOptionsUnderTest {
  maxsize?: number;
}

/** Makes a fresh queue of the kind under test (its owner may be another process). */
export type MakeQueue = <T>(options?: QueueOptionsUnderTest) => Promise<Queue<T>>;

/** A short timeout that still leaves a loaded machine time to answer. */
const SHORT = 40;

/** What the transport under test can do beyond the basics. */
export interface QueueSuiteOptions {
  /** Its handles can be passed on to a forked child (false for runtimes joined in memory, which no child can reach). */
  children?: boolean;
}

export function queueConformance(label: string, makeQueue: MakeQueue, { children = true }: QueueSuiteOptions = {}): void {
  describe(`Queue conformance: ${label}`, () => {
    describe('put and get', () => {
      it('delivers items in put order (FIFO)', async () => {
        const q = await makeQueue<number>();
        for (let i = 0; i < 50; i++) await q.put(i);
        const got: number[] = [];
        for (let i = 0; i < 50; i++) got.push(await q.get());
        expect(got).to.deep.equal([...Array(50).keys()]);
      });

      it('.get() waits until an item arrives', async () => {
        const q = await makeQueue<string>();
        const pending = q.get();
        expect(await settledWithin(pending, SHORT)).to.equal(false);
        await q.put('late');
        expect(await pending).to.equal('late');
      });

      it('.getNowait(), get({ block: false }) and get({ block: false, timeout }) reject Empty at once', async () => {
        const q = await makeQueue<number>();
        const started = Date.now();
        await expectRejection(q.getNowait(), Empty);
        await expectRejection(q.get({ block: false }), Empty);
        await expectRejection(q.get({ block: false, timeout: 5000 }), Empty);
        expect(Date.now() - started).to.be.below(2000);
      });

      it('.get({ timeout }) rejects Empty after its timeout', async () => {
        const q = await makeQueue<number>();
        const started = Date.now();
        const error = await expectRejection(q.get({ timeout: SHORT }), Empty);
        expect(Date.now() - started).to.be.at.least(SHORT - 5);
        expect(error.timeout).to.equal(SHORT);
      });

      it('.get({ timeout: 0 }) polls: an item is returned, none rejects Empty', async () => {
        const q = await makeQueue<number>();
        await expectRejection(q.get({ timeout: 0 }), Empty);
        await q.put(3);
        expect(await q.get({ timeout: 0 })).to.equal(3);
      });

      it('returns a copy: changing the original after put changes nothing', async () => {
        const q = await makeQueue<{ n: number[] }>();
        const original = { n: [1, 2] };
        await q.put(original);
        original.n.push(3);
        const got = await q.get();
        expect(got).to.deep.equal({ n: [1, 2] });
        expect(got).to.not.equal(original);
      });

      it('carries structured-clone values: Map, Set, Date, BigInt, typed arrays, cycles, Errors', async () => {
        const q = await makeQueue<unknown>();
        const cyclic: { self?: unknown; name: string } = { name: 'loop' };
        cyclic.self = cyclic;
        const value = {
          map: new Map([['a', 1]]),
          set: new Set([1, 2]),
          date: new Date(0),
          big: 2n ** 70n,
          bytes: new Uint8Array([1, 2, 3]),
          floats: new Float64Array([0.5]),
          cyclic,
          error: new RangeError('boom'),
        };
        await q.put(value);
        const got = (await q.get()) as typeof value;
        expect(got.map.get('a')).to.equal(1);
        expect([...got.set]).to.deep.equal([1, 2]);
        expect(got.date.getTime()).to.equal(0);
        expect(got.big).to.equal(2n ** 70n);
        expect([...got.bytes]).to.deep.equal([1, 2, 3]);
        expect(got.floats[0]).to.equal(0.5);
        expect(got.cyclic.self).to.equal(got.cyclic);
        expect(got.error).to.be.instanceOf(RangeError);
        expect(got.error.message).to.equal('boom');
      });

      it('carries what structured clone carries, boxed numbers as their values', async () => {
        const q = await makeQueue<unknown>();
        const value = {
          n: new Number(5),
          nested: { list: [1, 'two', null, undefined, [3n]] },
          nul: Object.assign(Object.create(null), { x: 1 }),
        };
        await q.put(value);
        expect(await q.get()).to.deep.equal({ n: 5, nested: { list: [1, 'two', null, undefined, [3n]] }, nul: { x: 1 } });
      });

      it('carries a 4 MiB item intact', async () => {
        const q = await makeQueue<Uint8Array>();
        const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
        await q.put(big);
        const got = await q.get();
        expect(got.byteLength).to.equal(big.byteLength);
        expect(got[1234567]).to.equal(1234567 % 251);
      });

      it('delivers every item exactly once to concurrent consumers', async () => {
        const q = await makeQueue<number>({ maxsize: 10 });
        const total = 300;
        const consumers = [0, 1, 2].map(async () => {
          const mine: number[] = [];
          for (;;) {
            const v = await q.get();
            if (v < 0) return mine;
            mine.push(v);
          }
        });
        const producers = [0, 1].map(async (p) => {
          for (let i = p; i < total; i += 2) await q.put(i);
        });
        await Promise.all(producers);
        for (let i = 0; i < 3; i++) await q.put(-1);
        const all = (await Promise.all(consumers)).flat().sort((a, b) => a - b);
        expect(all).to.deep.equal([...Array(total).keys()]);
      });
    });

    describe('maxsize and backpressure', () => {
      for (const maxsize of [0, -1, Infinity, undefined]) {
        it(`treats maxsize ${maxsize} as unbounded`, async () => {
          const q = await makeQueue<number>(maxsize === undefined ? {} : { maxsize });
          for (let i = 0; i < 500; i++) await q.putNowait(i);
          expect(await q.qsize()).to.equal(500);
          expect(await q.full()).to.equal(false);
          expect(q.maxsize).to.equal(Infinity);
        });
      }

      it('rejects a bad maxsize with a RangeError or TypeError quoting it', async () => {
        for (const [maxsize, type] of [
          [1.5, RangeError],
          [Number.NaN, RangeError],
          ['3', TypeError],
        ] as const) {
          const error = await makeQueue({ maxsize: maxsize as number }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).to.be.instanceOf(type);
          expect(String((error as Error).message)).to.contain(String(maxsize === '3' ? '"3"' : maxsize));
        }
      });

      it('.put() waits for a free slot, and resolves once a get frees one', async () => {
        const q = await makeQueue<number>({ maxsize: 2 });
        await q.put(1);
        await q.put(2);
        const third = q.put(3);
        expect(await settledWithin(third, SHORT)).to.equal(false);
        expect(await q.get()).to.equal(1);
        await third;
        expect(await q.get()).to.equal(2);
        expect(await q.get()).to.equal(3);
      });

      it('.putNowait(), put({ block: false }) and put({ timeout: 0 }) on a full queue reject Full at once', async () => {
        const q = await makeQueue<number>({ maxsize: 1 });
        await q.put(1);
        const error = await expectRejection(q.putNowait(2), Full);
        expect(error.maxsize).to.equal(1);
        await expectRejection(q.put(2, { block: false, timeout: 5000 }), Full);
        await expectRejection(q.put(2, { timeout: 0 }), Full);
        expect(await q.qsize()).to.equal(1);
      });

      it('.put({ timeout }) on a full queue rejects Full after its timeout, enqueueing nothing', async () => {
        const q = await makeQueue<number>({ maxsize: 1 });
        await q.put(1);
        const started = Date.now();
        await expectRejection(q.put(2, { timeout: SHORT }), Full);
        expect(Date.now() - started).to.be.at.least(SHORT - 5);
        expect(await q.get()).to.equal(1);
        await expectRejection(q.getNowait(), Empty);
      });

      it('reports qsize, empty and full as soon as a put resolves (no feeder lag)', async () => {
        const q = await makeQueue<number>({ maxsize: 3 });
        expect(await q.empty()).to.equal(true);
        await q.put(1);
        expect(await q.empty()).to.equal(false);
        expect(await q.qsize()).to.equal(1);
        await q.put(2);
        await q.put(3);
        expect(await q.full()).to.equal(true);
        await q.get();
        expect(await q.full()).to.equal(false);
        expect(await q.qsize()).to.equal(2);
      });
    });

    describe('bad input', () => {
      it('rejects an uncloneable item with SerializationError naming its path, and enqueues nothing', async () => {
        const q = await makeQueue<unknown>();
        await q.put('before');
        const error = await expectRejection(q.put({ job: { callback: () => 1 } }), SerializationError);
        expect(error.path).to.equal('$.job.callback');
        expect(error.message).to.contain('$.job.callback is a function');
        await q.put('after');
        expect(await q.qsize()).to.equal(2);
        expect(await q.get()).to.equal('before');
        expect(await q.get()).to.equal('after');
      });

      it('names paths through arrays, Maps and symbols', async () => {
        const q = await makeQueue<unknown>();
        const inArray = await expectRejection(q.put({ list: [1, Symbol('s')] }), SerializationError);
        expect(inArray.path).to.equal('$.list[1]');
        const inMap = await expectRejection(q.put(new Map([['k', { p: Promise.resolve() }]])), SerializationError);
        expect(inMap.path).to.equal('$.get("k").p');
      });

      it('refuses a queue inside an item with a SerializationError that says how handles travel', async () => {
        const q = await makeQueue<unknown>();
        const error = await expectRejection(q.put({ reply: new Queue() }), SerializationError);
        expect(error.path).to.equal('$.reply');
        expect(error.message).to.contain('is a Queue: pass queues, pipe ends, shared memory and locks to a Process');
      });

      it('rejects bad timeouts and options with RangeError/TypeError, never a hang', async () => {
        const q = await makeQueue<number>();
        await expectRejection(q.get({ timeout: -1 }), RangeError);
        await expectRejection(q.get({ timeout: Number.NaN }), RangeError);
        await expectRejection(q.get({ timeout: '5' as unknown as number }), TypeError);
        await expectRejection(q.put(1, { timeout: -0.5 }), RangeError);
        await expectRejection(q.put(1, { block: 'no' as unknown as boolean }), TypeError);
        await expectRejection(q.put(1, { signal: {} as AbortSignal }), TypeError);
        await expectRejection(q.get(5 as never), TypeError);
        expect(await q.qsize()).to.equal(0);
      });
    });

    describe('cancellation', () => {
      it('an aborted get takes nothing: the next item goes to the next getter', async () => {
        const q = await makeQueue<number>();
        const ac = new AbortController();
        const first = q.get({ signal: ac.signal });
        ac.abort(new Error('changed my mind'));
        const error = await first.then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.equal('changed my mind');
        await q.put(1);
        expect(await q.get()).to.equal(1);
      });

      it('an already-aborted signal rejects at once and takes nothing', async () => {
        const q = await makeQueue<number>();
        await q.put(1);
        const ac = new AbortController();
        ac.abort();
        const error = await q.get({ signal: ac.signal }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.name).to.equal('AbortError');
        expect(await q.qsize()).to.equal(1);
      });

      it('an aborted put enqueues nothing', async () => {
        const q = await makeQueue<number>({ maxsize: 1 });
        await q.put(1);
        const ac = new AbortController();
        const blocked = q.put(2, { signal: ac.signal });
        ac.abort();
        await blocked.then(
          () => expect.fail('the put should have been withdrawn'),
          () => undefined,
        );
        expect(await q.get()).to.equal(1);
        await expectRejection(q.get({ timeout: SHORT }), Empty);
      });

      it('unsubscribing a waiting get$ takes nothing', async () => {
        const q = await makeQueue<number>();
        const subscription = q.get$().subscribe(() => expect.fail('nothing should be delivered'));
        subscription.unsubscribe();
        await q.put(9);
        expect(await q.get()).to.equal(9);
      });
    });

    describe('Rx face', () => {
      it('consume({ maxAttempts }) counts failed runs with the item in the queue, sets it aside at the limit, and goes on', async () => {
        const q = await makeQueue<string>();
        for (const item of ['poison', 'ok']) await q.put(item);
        const aside: PoisonItem<string>[] = [];
        const results: string[] = [];
        let runs = 0;
        const subscription = consume(
          q,
          (item: string) => {
            if (item !== 'poison') return [item];
            runs++;
            throw new Error(`run ${runs}`);
          },
          { maxAttempts: 2, onPoison: (p) => aside.push(p) },
        ).subscribe((r) => results.push(r));
        for (let i = 0; i < 500 && results.length === 0; i++) await sleep(10);
        subscription.unsubscribe();
        expect(runs).to.equal(2);
        expect(aside.map((p) => [p.item, p.attempts, (p.error as Error).message])).to.deep.equal([['poison', 2, 'run 2']]);
        expect(results).to.deep.equal(['ok']);
        expect(await q.qsize()).to.equal(0);
      });

      it('put$ completes without a value once accepted; get$ emits one item and completes', async () => {
        const q = await makeQueue<string>();
        expect(await lastValueFrom(q.put$('x').pipe(toArray()))).to.deep.equal([]);
        expect(await lastValueFrom(q.get$().pipe(toArray()))).to.deep.equal(['x']);
      });

      it('observe() is a competing consumer: each item reaches exactly one subscriber', async () => {
        const q = await makeQueue<number>();
        const a: number[] = [];
        const b: number[] = [];
        const sa = q.observe().subscribe((v) => a.push(v));
        const sb = q.observe().subscribe((v) => b.push(v));
        for (let i = 0; i < 40; i++) await q.put(i);
        await waitFor(() => a.length + b.length === 40);
        sa.unsubscribe();
        sb.unsubscribe();
        expect([...a, ...b].sort((x, y) => x - y)).to.deep.equal([...Array(40).keys()]);
      });

      it('observe() with take(n) takes exactly n items and leaves the rest', async () => {
        const q = await makeQueue<number>();
        for (let i = 0; i < 5; i++) await q.put(i);
        expect(await lastValueFrom(q.observe().pipe(take(2), toArray()))).to.deep.equal([0, 1]);
        await sleep(SHORT);
        expect(await q.qsize()).to.equal(3);
        expect(await q.get()).to.equal(2);
      });

      it('observe({ timeout }) errors Empty when no item arrives in time', async () => {
        const q = await makeQueue<number>();
        await q.put(1);
        const seen: number[] = [];
        // Generous: the queued item must arrive first even across processes on a loaded machine
        // (the exact timing is a marble test).
        const error = await new Promise<unknown>((resolve) => {
          q.observe({ timeout: 500 }).subscribe({ next: (v) => seen.push(v), error: resolve });
        });
        expect(seen).to.deep.equal([1]);
        expect(error).to.be.instanceOf(Empty);
      });

      it('observe({ prefetch: Infinity }) takes every item in order, and those it did not take stay queued', async () => {
        const q = await makeQueue<number>();
        for (let i = 0; i < 50; i++) await q.put(i);
        expect(await lastValueFrom(q.observe({ prefetch: Infinity }).pipe(take(30), toArray()))).to.deep.equal([...Array(30).keys()]);
        await sleep(SHORT);
        expect(await q.qsize()).to.equal(20);
        expect(await q.get()).to.equal(30);
      });

      it('observe() rejects a bad prefetch at the call', async () => {
        const q = await makeQueue<number>();
        expect(() => q.observe({ prefetch: 0 })).to.throw(RangeError);
        expect(() => q.observe({ prefetch: 'many' as unknown as number })).to.throw(TypeError);
      });
    });

    describe('Subject face (a queue is an RxJS Observer and an Observable of its items)', () => {
      /** Settles with what `q`'s stream emitted and how it ended. */
      const drain = <T>(source: { subscribe: Queue<T>['subscribe'] }) =>
        new Promise<{ values: T[]; error?: unknown }>((resolve) => {
          const values: T[] = [];
          source.subscribe({
            next: (v) => values.push(v),
            error: (error) => resolve({ values, error }),
            complete: () => resolve({ values }),
          });
        });

      it('source.subscribe(q) puts every value in order within maxsize, and complete() ends the queue: q.pipe(...) gets them all and completes', async () => {
        const q = await makeQueue<number>({ maxsize: 10 });
        range(0, 2000).subscribe(q);
        await sleep(SHORT);
        expect(await q.qsize()).to.be.at.most(10);
        const doubled = await lastValueFrom(
          q.pipe(
            map((v) => v * 2),
            toArray(),
          ),
        );
        expect(doubled).to.deep.equal([...Array(2000).keys()].map((v) => v * 2));
        await expectRejection(q.put(1), ClosedError);
      });

      it('error(e) ends the queue on e: consumers drain, then error with an error of its class and message; get() then rejects with it', async () => {
        const q = await makeQueue<number>();
        const a = drain(q);
        const b = drain(q.asObservable());
        range(0, 20).subscribe({ next: (v) => q.next(v), complete: () => q.error(new RangeError('upstream failed')) });
        const [ra, rb] = await Promise.all([a, b]);
        expect([...ra.values, ...rb.values].sort((x, y) => x - y)).to.deep.equal([...Array(20).keys()]);
        for (const r of [ra, rb]) {
          expect(r.error).to.be.instanceOf(RangeError);
          expect((r.error as Error).message).to.equal('upstream failed');
        }
        await expectRejection(q.get(), RangeError);
      });

      it('a put that fails in next() (a function value) ends the queue on its SerializationError, after the values before it', async () => {
        const q = await makeQueue<unknown>();
        range(0, 5).subscribe({ next: (v) => q.next(v === 3 ? () => v : v), complete: () => q.complete() });
        const { values, error } = await drain(q);
        expect(values).to.deep.equal([0, 1, 2]);
        expect(error).to.be.instanceOf(SerializationError);
      });

      it('from(q) is a competing consumer, isObservable(q) holds, and unsubscribing early leaves the rest queued', async () => {
        const q = await makeQueue<number>();
        expect(isObservable(q)).to.equal(true);
        for (let i = 0; i < 5; i++) await q.put(i);
        expect(await lastValueFrom(from(q).pipe(take(2), toArray()))).to.deep.equal([0, 1]);
        await sleep(SHORT);
        expect(await q.qsize()).to.equal(3);
        expect(await q.get()).to.equal(2);
      });

      // Registered only where a child can reach the queue (not reported as pending elsewhere).
      const withChild = (title: string, body: () => Promise<void>): void => {
        if (children) it(title, body);
      };

      withChild(
        'a child that subscribes interval(1).pipe(take(50)) to the queue: every value arrives here in order, then the stream completes',
        async () => {
          const q = await makeQueue<number>({ maxsize: 8 });
          const stop = new Queue<string>();
          startChild('subscribe-into', { args: [q, 50, stop] });
          afterTest(() => stop.put('stop'));
          const { values, error } = await drain(q.pipe(map((v) => v + 1)));
          expect(error).to.equal(undefined);
          expect(values).to.deep.equal([...Array(50).keys()].map((v) => v + 1));
        },
      );

      withChild('a child whose source errors after 50 values: consumers here drain them, then error with its RangeError', async () => {
        const q = await makeQueue<number>({ maxsize: 8 });
        const stop = new Queue<string>();
        startChild('subscribe-into', { args: [q, 50, stop, 'the child’s source failed'] });
        afterTest(() => stop.put('stop'));
        const { values, error } = await drain(q);
        expect(values).to.deep.equal([...Array(50).keys()]);
        expect(error).to.be.instanceOf(RangeError);
        expect((error as Error).message).to.equal('the child’s source failed');
      });
    });

    describe('end and close', () => {
      it('end(): observe() completes for every consumer once drained, and get() then rejects ClosedError', async () => {
        const q = await makeQueue<number>();
        const a = lastValueFrom(q.observe().pipe(toArray()));
        const b = lastValueFrom(q.observe().pipe(toArray()));
        for (let i = 0; i < 10; i++) await q.put(i);
        await q.end();
        const [ga, gb] = await Promise.all([a, b]);
        expect([...ga, ...gb].sort((x, y) => x - y)).to.deep.equal([...Array(10).keys()]);
        await expectRejection(q.get(), ClosedError);
        await expectRejection(q.put(11), ClosedError);
      });

      it('end() lets remaining items drain before get() rejects', async () => {
        const q = await makeQueue<number>();
        await q.put(1);
        await q.end();
        expect(await q.get()).to.equal(1);
        await expectRejection(q.get(), ClosedError);
      });

      it('end() refuses puts that were waiting for space', async () => {
        const q = await makeQueue<number>({ maxsize: 1 });
        await q.put(1);
        const waiting = q.put(2);
        await q.end();
        await expectRejection(waiting, ClosedError);
        expect(await q.get()).to.equal(1);
      });

      it('the async iterator yields every item and ends with the queue', async () => {
        const q = await makeQueue<number>();
        for (let i = 0; i < 5; i++) await q.put(i);
        await q.end();
        const seen: number[] = [];
        for await (const v of q) seen.push(v);
        expect(seen).to.deep.equal([0, 1, 2, 3, 4]);
      });

      it('breaking out of the async iterator leaves the other items in the queue', async () => {
        const q = await makeQueue<number>();
        for (let i = 0; i < 5; i++) await q.put(i);
        for await (const v of q) if (v === 1) break;
        expect(await q.qsize()).to.equal(3);
      });

      it('close(): later put, get, end, qsize, empty and full reject ClosedError; closing twice is harmless', async () => {
        const q = await makeQueue<number>();
        await q.put(1);
        await q.close();
        await q.close();
        expect(q.closed).to.equal(true);
        await expectRejection(q.put(2), ClosedError);
        await expectRejection(q.get(), ClosedError);
        await expectRejection(q.end(), ClosedError);
        await expectRejection(q.qsize(), ClosedError);
        await expectRejection(q.empty(), ClosedError);
        await expectRejection(q.full(), ClosedError);
      });

      it('close() ends this handle’s waiting gets with ClosedError and completes its observe() streams', async () => {
        const q = await makeQueue<number>();
        const waiting = expectRejection(q.get(), ClosedError);
        const stream = lastValueFrom(q.observe().pipe(toArray()));
        await q.close();
        await waiting;
        expect(await stream).to.deep.equal([]);
      });

      it('close() withdraws this handle’s waiting puts with ClosedError, enqueueing nothing, and does not hang', async () => {
        const q = await makeQueue<number>({ maxsize: 1 });
        await q.put(1);
        const waiting = expectRejection(q.put(2), ClosedError);
        await q.close();
        await waiting;
        // That nothing was enqueued is seen from another handle, in the transport specs.
      });
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}
