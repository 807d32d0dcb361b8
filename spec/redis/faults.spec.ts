/**
 * Server faults: the Redis server killed (SIGKILL, no shutdown save) and
 * started again under load. Calls in flight reject with `RedisError` (the
 * core reconnects by itself and queues nothing while it is away), none
 * hangs; with the append-only file fsync'd on every write, nothing a put
 * acknowledged is lost; without persistence, everything in the queue is.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { ClosedError, Empty } from '../../src/index.js';
import { RedisError, RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settles, sleep, until } from '../support/async.js';
import { startChild } from '../support/children.js';
import { needRedis, type RedisServer, startRedis } from '../support/redis-server.js';

/** Every wait in these specs is bounded by this (generous: a loaded 2-core machine; the core gives up reconnecting after ~15 s). */
const BOUND = 30_000;

interface Load {
  /** Puts that resolved, in order. */
  acked: number[];
  /** Items got (a JoinableQueue's marked done). */
  got: number[];
  /** Every rejection, put or get. */
  errors: unknown[];
  stop(): Promise<void>;
}

/**
 * A producer and a consumer, each on its own handle, going as fast as they can; a call that rejects is
 * noted and tried again. The consumer takes with `get()`, or (`stream`) through `observe()`, which
 * fetches ahead and is subscribed again when it errors.
 */
function load(producer: RedisQueue<number>, consumer: RedisQueue<number>, stream = false): Load {
  const state: Load = { acked: [], got: [], errors: [], stop: async () => {} };
  let running = true;
  const put = (async () => {
    for (let i = 0; running; i++) {
      try {
        await settles(producer.put(i), BOUND);
        state.acked.push(i);
      } catch (error) {
        state.errors.push(error);
        await sleep(20);
      }
    }
  })();
  let unsubscribe = (): void => {};
  const observe = async (): Promise<void> => {
    while (running) {
      await new Promise<void>((resolve) => {
        const subscription = consumer.observe().subscribe({
          next: (item) => {
            state.got.push(item);
            if (consumer instanceof RedisJoinableQueue) consumer.taskDone();
          },
          error: (error: unknown) => {
            state.errors.push(error);
            resolve();
          },
          complete: resolve,
        });
        unsubscribe = () => {
          subscription.unsubscribe();
          resolve();
        };
      });
      if (running) await sleep(20);
    }
  };
  const get = (async () => {
    if (stream) return observe();
    while (running) {
      try {
        const item = await settles(consumer.get({ timeout: 200 }), BOUND);
        state.got.push(item);
        if (consumer instanceof RedisJoinableQueue) consumer.taskDone();
      } catch (error) {
        if (!(error instanceof Empty)) {
          state.errors.push(error);
          await sleep(20);
        }
      }
    }
  })();
  state.stop = async () => {
    running = false;
    unsubscribe();
    await Promise.all([put, get]);
  };
  return state;
}

/**
 * Takes what is left (marking each done on a JoinableQueue) until the queue
 * stays empty for `timeout` ms; `retrying`: each get is tried again while
 * the client is still reconnecting (see `whenBack`).
 */
async function drain(q: RedisQueue<number>, { timeout = 1000, retrying = false } = {}): Promise<number[]> {
  const items: number[] = [];
  const get = () => q.get({ timeout });
  for (;;) {
    try {
      items.push(await settles(retrying ? whenBack(get) : get(), BOUND));
      if (q instanceof RedisJoinableQueue) q.taskDone();
    } catch (error) {
      if (error instanceof Empty) return items;
      throw error;
    }
  }
}

/** Tries `call` until it works: the first calls after a restart may still meet the reconnecting client. */
async function whenBack<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BOUND;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RedisError) || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe('RedisQueue when the Redis server goes away', function () {
  this.timeout(120_000);
  let server: RedisServer | undefined;
  const handles: RedisQueue<number>[] = [];
  const loads: Load[] = [];

  before(function () {
    needRedis(this);
  });

  afterEach(async () => {
    // A test that failed half-way leaves its load running: it stops before the handles close.
    await Promise.all(loads.splice(0).map((l) => settles(l.stop(), BOUND)));
    await Promise.all(handles.splice(0).map((q) => settles(q.close(), BOUND)));
    await server?.stop();
    server = undefined;
  });

  function open<Q extends RedisQueue<number>>(q: Q): Q {
    handles.push(q);
    return q;
  }

  for (const [joinable, stream] of [
    [true, false],
    [false, false],
    [false, true],
  ]) {
    const kind = `${joinable ? 'RedisJoinableQueue' : 'RedisQueue'}${stream ? ' through observe()' : ''}`;
    const make = (name: string, url: string, maxsize?: number): RedisQueue<number> =>
      joinable ? new RedisJoinableQueue<number>({ name, url, maxsize }) : new RedisQueue<number>({ name, url, maxsize });

    it(`appendonly on, ${kind}: a restart under load rejects calls in flight with RedisError, none hangs, and every acknowledged put is still there`, async function () {
      server = await startRedis({ appendonly: true });
      const name = `faults-${randomUUID()}`;
      const producer = open(make(name, server.url, 100));
      const consumer = open(make(name, server.url, 100));
      const running = load(producer, consumer, stream);
      loads.push(running);
      await until(() => running.acked.length >= 300 && running.got.length >= 100, BOUND);
      await server.kill();
      const ackedBefore = running.acked.length;
      await sleep(300);
      await server.start();
      await until(() => running.acked.length >= ackedBefore + 300, BOUND);
      await running.stop();
      expect(running.errors.length, 'the calls in flight did fail').to.be.greaterThan(0);
      for (const error of running.errors) expect(error, String(error)).to.be.instanceOf(RedisError);

      // What the consumer had taken and not handed over (or not finished) goes back when it closes.
      await settles(consumer.close(), BOUND);
      const check = open(make(name, server.url));
      const rest = await drain(check);
      const seen = new Set([...running.got, ...rest]);
      const missing = running.acked.filter((i) => !seen.has(i));
      expect(missing, 'acknowledged and lost').to.deep.equal([]);
      expect(await check.qsize(), 'nothing counted as waiting or fetched ahead any more').to.equal(0);
      const duplicates = running.got.length + rest.length - seen.size;
      if (check instanceof RedisJoinableQueue) await settles(check.join(), BOUND);
      if (this.test) {
        this.test.title += ` [${running.acked.length} acked, ${running.errors.length} calls rejected, ${duplicates} taken twice]`;
      }
    });
  }

  it('appendonly on, processes: producer and consumer children that retry on RedisError go through a restart; join() resolves, every item is done', async function () {
    server = await startRedis({ appendonly: true });
    const { url } = server;
    const name = `faults-${randomUUID()}`;
    const doneKey = `spec:${name}:done`;
    const q = open(new RedisJoinableQueue<number>({ name, url, maxsize: 50 }));
    const child = (fixture: string, args: unknown[], label: string) => startChild(fixture, { args, name: label });
    const consumers = ['a', 'b'].map((id) =>
      child('redis-consume', [name, url, { id, doneKey, joinable: true, workMs: 1, concurrency: 2, maxsize: 50, retry: true }], id),
    );
    const producers = [0, 1000].map((from) =>
      child('redis-produce', [name, url, from, 300, { joinable: true, maxsize: 50, retry: true }], `producer ${from}`),
    );
    const reports = createClient({ url });
    reports.on('error', () => {}); // it reconnects by itself across the restart
    await reports.connect();
    try {
      await settles(
        (async () => {
          while ((await reports.lLen(doneKey)) < 150) await sleep(10);
        })(),
        BOUND,
      );
      await server.kill();
      await sleep(300);
      await server.start();
      expect(await settles(Promise.all(producers.map((p) => p.join())), 60_000), 'producers').to.deep.equal([0, 0]);
      await settles(
        whenBack(() => q.join()),
        60_000,
      );
      await whenBack(() => q.end());
      expect(await settles(Promise.all(consumers.map((c) => c.join())), 60_000), 'consumers').to.deep.equal([0, 0]);
      const items = (await reports.lRange(doneKey, 0, -1)).map((r) => Number(r.split(':')[1]));
      const distinct = new Set(items);
      const expected = [...Array.from({ length: 300 }, (_, i) => i), ...Array.from({ length: 300 }, (_, i) => 1000 + i)];
      expect(
        expected.filter((i) => !distinct.has(i)),
        'put and never done',
      ).to.deep.equal([]);
      if (this.test) this.test.title += ` [${items.length - distinct.size} done twice]`;
    } finally {
      await reports.del(doneKey).catch(() => undefined);
      reports.destroy();
    }
  });

  it('appendonly on: a taskDone() made while the server is down still counts: join() resolves once it is back, the consumer still open', async () => {
    server = await startRedis({ appendonly: true });
    const name = `faults-${randomUUID()}`;
    const producer = open(new RedisJoinableQueue<number>({ name, url: server.url }));
    const consumer = open(new RedisJoinableQueue<number>({ name, url: server.url }));
    await producer.put(1);
    await producer.put(2);
    expect(await consumer.get()).to.equal(1);
    await server.kill();
    consumer.taskDone(); // the application is done with 1; the server is away
    await sleep(300);
    await server.start();
    // The consumer goes on after the restart, as a long-running worker would, until the queue is empty.
    const after = await drain(consumer, { timeout: 3000, retrying: true });
    // Either the lost DONE is sent again or item 1 comes back to be done again (at least once); a live
    // consumer keeping it in its processing list forever leaves join() waiting for good.
    await settles(
      whenBack(() => producer.join()),
      BOUND,
    );
    expect(after, 'item 2, and 1 again at most').to.include(2);
    expect(after.filter((i) => i !== 1 && i !== 2)).to.deep.equal([]);
    expect(after.length).to.be.at.most(2);
  });

  it('appendonly on: items done while the server was away do not come back when a failed get makes the consumer reclaim', async () => {
    server = await startRedis({ appendonly: true });
    const name = `faults-${randomUUID()}`;
    const producer = open(new RedisJoinableQueue<number>({ name, url: server.url }));
    const consumer = open(new RedisJoinableQueue<number>({ name, url: server.url }));
    for (const i of [1, 2, 3]) await producer.put(i);
    const got = [await consumer.get(), await consumer.get(), await consumer.get()];
    expect(got).to.deep.equal([1, 2, 3]);
    const waiting = expectRejection(consumer.get(), RedisError); // blocked on the empty queue
    await sleep(200);
    await server.kill();
    await settles(waiting, BOUND);
    for (let i = 0; i < 3; i++) consumer.taskDone(); // the work is done; the server is away
    await sleep(300);
    await server.start();
    // 1, 2 and 3 were done once: a get now finds nothing (not one of them back), and join() resolves.
    const again = await drain(consumer, { timeout: 2000, retrying: true });
    await settles(
      whenBack(() => producer.join()),
      BOUND,
    );
    expect(again, 'done while the server was away, and delivered again').to.deep.equal([]);
  });

  it('appendonly off: a restart loses everything the queue held — items, the unfinished count, its end — and the same handles go on', async () => {
    server = await startRedis();
    const name = `faults-${randomUUID()}`;
    const q = open(new RedisJoinableQueue<number>({ name, url: server.url }));
    const ended = open(new RedisQueue<number>({ name: `${name}-ended`, url: server.url }));
    for (let i = 0; i < 100; i++) await q.put(i);
    expect(await q.qsize()).to.equal(100);
    await ended.end();
    await expectRejection(ended.put(1), ClosedError);
    await server.restart();
    expect(await whenBack(() => q.qsize()), 'all 100 acknowledged items are gone').to.equal(0);
    await expectRejection(q.get({ timeout: 0 }), Empty);
    // The 100 open tasks went with them: join() resolves at once.
    await settles(
      whenBack(() => q.join()),
      BOUND,
    );
    await whenBack(() => ended.put(1)); // the end went too: the queue takes puts again
    expect(await ended.get({ timeout: 5000 })).to.equal(1);
    await whenBack(() => q.put(7));
    expect(await settles(q.get({ timeout: 5000 }), BOUND)).to.equal(7);
    q.taskDone();
    await settles(q.join(), BOUND);
  });

  it('a get waiting on an empty queue when the server dies rejects with RedisError (code, cause) instead of waiting on', async () => {
    server = await startRedis();
    const q = open(new RedisQueue<number>({ name: `faults-${randomUUID()}`, url: server.url }));
    await q.qsize();
    const waiting = expectRejection(q.get(), RedisError);
    await sleep(200);
    await server.kill();
    const error = await settles(waiting, BOUND);
    expect(error.cause, 'what the client said').to.be.instanceOf(Error);
    await server.start();
  });

  it('a put waiting for room when the server dies rejects with RedisError; after the restart the queue takes puts again', async () => {
    server = await startRedis({ appendonly: true });
    const q = open(new RedisQueue<number>({ name: `faults-${randomUUID()}`, url: server.url, maxsize: 2 }));
    await q.put(1);
    await q.put(2);
    const waiting = expectRejection(q.put(3), RedisError);
    await sleep(200);
    await server.kill();
    await settles(waiting, BOUND);
    await server.start();
    expect(await whenBack(() => q.qsize())).to.equal(2);
    expect(await whenBack(() => q.get())).to.equal(1);
    await whenBack(() => q.put(4));
    expect(await q.get()).to.equal(2);
    expect(await q.get()).to.equal(4);
  });

  it('join() waiting when the server dies rejects with RedisError rather than hang', async () => {
    server = await startRedis({ appendonly: true });
    const q = open(new RedisJoinableQueue<number>({ name: `faults-${randomUUID()}`, url: server.url }));
    await q.put(1);
    const joining = expectRejection(q.join(), RedisError);
    await sleep(200);
    await server.kill();
    await settles(joining, BOUND);
    await server.start();
  });

  it('a server that stays away: calls reject with RedisError within the bound, none hangs', async () => {
    server = await startRedis();
    const q = open(new RedisQueue<number>({ name: `faults-${randomUUID()}`, url: server.url }));
    await q.put(1);
    await server.kill();
    await settles(expectRejection(q.put(2), RedisError), BOUND);
    await settles(expectRejection(q.get(), RedisError), BOUND);
    await settles(expectRejection(q.qsize(), RedisError), BOUND);
  });
});
