/** RedisQueue and RedisJoinableQueue beyond the conformance suites: several handles on one queue, what each guarantees. */
import { expect } from 'chai';
import { consume, Empty, Full } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settledWithin, settles, sleep } from '../support/async.js';
import { closeAfterTest, die, onSharedRedis, type RawClient, uniqueName } from './core-helpers.js';

describe('rxmp/redis: handles on one queue', function () {
  this.timeout(60_000);
  let url: string;
  let client: RawClient;
  onSharedRedis((server) => ({ url, client } = server));

  it('two objects with the same name and server are two handles on one queue; another name is another queue', async () => {
    const name = uniqueName('same');
    const a = closeAfterTest(new RedisQueue<string>({ name, url }));
    const b = closeAfterTest(new RedisQueue<string>({ name, url }));
    const other = closeAfterTest(new RedisQueue<string>({ name: `${name}-other`, url }));
    await a.put('from a');
    expect(await other.qsize()).to.equal(0);
    expect(await b.get()).to.equal('from a');
  });

  it('scripts run by EVALSHA, and by EVAL once the server has forgotten them (SCRIPT FLUSH, a restart)', async () => {
    const q = closeAfterTest(new RedisJoinableQueue<number>({ name: uniqueName('noscript'), url }));
    await q.put(1);
    await client.scriptFlush();
    await q.put(2);
    expect([await q.get(), await q.get()]).to.deep.equal([1, 2]);
    q.taskDone();
    q.taskDone();
    await settles(q.join());
  });

  it('calls made before the connection is up wait for it, in order', async () => {
    const q = closeAfterTest(new RedisQueue<number>({ name: uniqueName('early'), url }));
    const puts = [1, 2, 3].map((v) => q.put(v));
    const gets = [q.get(), q.get(), q.get()];
    await Promise.all(puts);
    expect(await Promise.all(gets)).to.deep.equal([1, 2, 3]);
  });

  it('a bounded put never lets the list exceed maxsize under concurrent putters on four handles; every item arrives once, in each producer’s order', async () => {
    const name = uniqueName('bounded');
    const maxsize = 5;
    const producers = [0, 1, 2, 3].map(() => closeAfterTest(new RedisQueue<[number, number]>({ name, url, maxsize })));
    const consumer = closeAfterTest(new RedisQueue<[number, number]>({ name, url, maxsize }));
    let highest = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) highest = Math.max(highest, await client.lLen(`{rxmp:${name}}:items`));
    })();
    const per = 40;
    const putting = producers.map(async (q, p) => {
      for (let i = 0; i < per; i++) await q.put([p, i]);
    });
    const got: [number, number][] = [];
    for (let n = 0; n < per * producers.length; n++) {
      got.push(await consumer.get());
      if (n % 7 === 0) await sleep(1);
    }
    await Promise.all(putting);
    watching = false;
    await watch;
    expect(highest).to.be.at.most(maxsize).and.at.least(1);
    for (let p = 0; p < producers.length; p++) {
      expect(got.filter(([from]) => from === p).map(([, i]) => i)).to.deep.equal([...Array(per).keys()]);
    }
  });

  it('maxsize counts items not yet got: a JoinableQueue item got and not done leaves room (as Python)', async () => {
    const q = closeAfterTest(new RedisJoinableQueue<number>({ name: uniqueName('count'), url, maxsize: 1 }));
    await q.put(1);
    await expectRejection(q.putNowait(2), Error);
    await q.get();
    await q.putNowait(2);
    expect(await q.qsize()).to.equal(1);
  });

  it('a stream fetches ahead, and the bound and qsize() count what it fetched; stopping gives it back to the head in order', async () => {
    const name = uniqueName('ahead');
    const q = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 5 }));
    for (let i = 0; i < 5; i++) await q.put(i);
    let release: () => void = () => undefined;
    const started: number[] = [];
    const subscription = consume(q, (n: number) => {
      started.push(n);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    }).subscribe();
    for (let i = 0; i < 200 && started.length === 0; i++) await sleep(5);
    await sleep(50);
    expect(started).to.deep.equal([0]);
    expect(await client.lLen(`{rxmp:${name}}:items`), 'fetched ahead').to.equal(0);
    // The one being run is got (its slot is free, as Python counts); the four fetched ahead are not.
    expect(await q.qsize()).to.equal(4);
    await q.putNowait(5);
    await expectRejection(q.putNowait(6), Full);
    release();
    for (let i = 0; i < 200 && started.length < 2; i++) await sleep(5);
    subscription.unsubscribe();
    await sleep(50);
    // What was fetched ahead goes back to the head, and the unfinished run's item before it.
    expect(await q.qsize()).to.equal(5);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await q.get());
    expect(got).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('close() withdraws a waiting put: another handle sees nothing enqueued', async () => {
    const name = uniqueName('close-put');
    const a = new RedisQueue<number>({ name, url, maxsize: 1 });
    const b = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 1 }));
    await a.put(1);
    const waiting = a.put(2).catch((e: unknown) => e);
    await sleep(50);
    await a.close();
    expect(await waiting).to.be.instanceOf(Error);
    expect(await b.get()).to.equal(1);
    await sleep(100);
    expect(await b.qsize()).to.equal(0);
  });

  it('a handle that closes with entries its stream fetched ahead gives them back to the head, in order', async () => {
    const name = uniqueName('close-ahead');
    const a = new RedisQueue<number>({ name, url });
    const b = closeAfterTest(new RedisQueue<number>({ name, url }));
    for (let i = 0; i < 10; i++) await b.put(i);
    const seen: number[] = [];
    a.observe({ prefetch: 16 }).subscribe((v) => {
      seen.push(v);
      if (seen.length === 1) void a.close();
    });
    for (let i = 0; i < 200 && !a.closed; i++) await sleep(5);
    await a.close();
    const rest: number[] = [];
    for (;;) {
      const v = await b.get({ timeout: 200 }).catch(() => undefined);
      if (v === undefined) break;
      rest.push(v);
    }
    expect([...seen, ...rest].sort((x, y) => x - y)).to.deep.equal([...Array(10).keys()]);
    expect(rest).to.deep.equal([...rest].sort((x, y) => x - y));
    expect(seen.length).to.be.at.least(1);
  });

  it('plain Queue: an item is out of the server once its get resolves (no processing list keeps it)', async () => {
    const name = uniqueName('plain');
    const q = closeAfterTest(new RedisQueue<number>({ name, url }));
    const blocked = q.get();
    await sleep(50);
    await q.put(1);
    await q.put(2);
    expect(await blocked).to.equal(1);
    expect(await q.get()).to.equal(2);
    await sleep(20);
    for (const key of await client.keys(`{rxmp:${name}}:processing:*`)) expect(await client.lLen(key)).to.equal(0);
    expect(await client.lLen(`{rxmp:${name}}:items`)).to.equal(0);
  });

  it('a cancelled blocked get frees its connection at once (CLIENT UNBLOCK): the next get is served without waiting out the block', async () => {
    const q = closeAfterTest(new RedisQueue<number>({ name: uniqueName('unblock'), url }));
    const other = closeAfterTest(new RedisQueue<number>({ name: q.name, url }));
    const ac = new AbortController();
    const first = q.get({ signal: ac.signal }).catch((e: unknown) => e);
    await sleep(50);
    ac.abort();
    await first;
    // A get with a timeout much shorter than the server's blocking chunk (2 s): exact on the client.
    const started = Date.now();
    await expectRejection(q.get({ timeout: 10 }), Empty);
    expect(Date.now() - started).to.be.below(500);
    await other.put(7);
    expect(await settles(q.get(), 1000)).to.equal(7);
  });

  it('a call that must not wait does not wait behind this handle’s waiting ones: putNowait rejects Full, getNowait Empty, at once', async () => {
    const q = closeAfterTest(new RedisQueue<number>({ name: uniqueName('nowait'), url, maxsize: 1 }));
    await q.put(1);
    const waitingPut = q.put(2);
    await sleep(50);
    let started = Date.now();
    await expectRejection(q.putNowait(3), Full);
    expect(Date.now() - started).to.be.below(500);
    expect(await q.get()).to.equal(1);
    await waitingPut;
    expect(await q.get()).to.equal(2);
    const waitingGet = q.get();
    await sleep(50);
    started = Date.now();
    await expectRejection(q.getNowait(), Empty);
    expect(Date.now() - started).to.be.below(500);
    await q.put(4);
    expect(await waitingGet).to.equal(4);
  });

  it('JoinableQueue: join() on one handle resolves when another handle marks the last task done', async () => {
    const name = uniqueName('join');
    const producer = closeAfterTest(new RedisJoinableQueue<number>({ name, url }));
    const worker = closeAfterTest(new RedisJoinableQueue<number>({ name, url }));
    await producer.put(1);
    await producer.put(2);
    const joined = producer.join();
    await worker.get();
    worker.taskDone();
    expect(await settledWithin(joined, 100)).to.equal(false);
    await worker.get();
    worker.taskDone();
    await settles(joined);
  });

  it('JoinableQueue: a consumer that dies holding items has them redelivered at the head, in order, and join() resolves (at-least-once)', async () => {
    const name = uniqueName('reaped');
    const heartbeat = 100;
    const producer = closeAfterTest(new RedisJoinableQueue<number>({ name, url, heartbeat }));
    const doomed = new RedisJoinableQueue<number>({ name, url, heartbeat });
    closeAfterTest(doomed);
    for (let i = 1; i <= 5; i++) await producer.put(i);
    expect([await doomed.get(), await doomed.get(), await doomed.get()]).to.deep.equal([1, 2, 3]);
    die(doomed);
    const joined = producer.join();
    const survivor = closeAfterTest(new RedisJoinableQueue<number>({ name, url, heartbeat }));
    // Its handles reap every heartbeat; the dead one is dead once its heartbeat (3 × 100 ms) has expired.
    for (let i = 0; i < 100 && (await survivor.qsize()) < 5; i++) await sleep(20);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      got.push(await settles(survivor.get(), 5000));
      survivor.taskDone();
    }
    expect(got).to.deep.equal([1, 2, 3, 4, 5]);
    await settles(joined);
    expect(await client.get(`{rxmp:${name}}:unfinished`)).to.equal(null);
  });

  it('JoinableQueue: closing a handle gives back what it got and did not mark done, at the head', async () => {
    const name = uniqueName('leave');
    const a = new RedisJoinableQueue<number>({ name, url });
    const b = closeAfterTest(new RedisJoinableQueue<number>({ name, url }));
    await b.put(1);
    await b.put(2);
    expect(await a.get()).to.equal(1);
    await a.close();
    expect(await b.get()).to.equal(1);
    b.taskDone();
    expect(await b.get()).to.equal(2);
    b.taskDone();
    await settles(b.join());
  });

  it('end() on one handle ends the queue for every handle: waiting gets elsewhere end once drained, puts reject', async () => {
    const name = uniqueName('end');
    const a = closeAfterTest(new RedisQueue<number>({ name, url }));
    const b = closeAfterTest(new RedisQueue<number>({ name, url }));
    const waiting = b.get().then(
      () => 'got',
      (e: Error) => e.name,
    );
    await sleep(50);
    await a.end();
    expect(await settles(waiting, 1500)).to.equal('ClosedError');
    await expectRejection(b.put(1), Error);
  });

  it('inspect shows the server (without its password) and the name', () => {
    const q = new RedisQueue<number>({ name: 'shown', url: 'redis://:secret@127.0.0.1:1' });
    expect(String(q)).to.contain('shown').and.to.not.contain('secret');
  });
});
