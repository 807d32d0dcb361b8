/**
 * Several Node processes on one Redis queue: forked children, each
 * connecting by itself from the queue's name and url (plain args), as
 * producers and consumers, and a consumer killed with SIGKILL mid-stream.
 * Consumers report each item on a Redis list of their own before it counts
 * as done, so what the parent reads there is what was really taken.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import type { RedisConsumeOptions } from '../fixtures/redis-consume.js';
import { settles, sleep } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';

type Client = ReturnType<typeof createClient>;

/** `<id>:<item>` reports, in the order they were made. */
function parse(reports: string[]): { id: string; item: number }[] {
  return reports.map((r) => {
    const [id, item] = r.split(':');
    return { id: id as string, item: Number(item) };
  });
}

function consumer(name: string, url: string, options: RedisConsumeOptions) {
  return startChild('redis-consume', { args: [name, url, options], name: `consumer ${options.id}` });
}

function producer(
  name: string,
  url: string,
  from: number,
  count: number,
  options: { joinable?: boolean; maxsize?: number; chunk?: number } = {},
) {
  return startChild('redis-produce', { args: [name, url, from, count, options], name: `producer ${from}` });
}

describe('RedisQueue across processes (forked children, each with its own connection)', function () {
  this.timeout(120_000);
  let url: string;
  let client: Client;
  let name: string;
  let doneKey: string;
  const handles: RedisQueue<number>[] = [];

  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  beforeEach(async () => {
    name = `processes-${randomUUID()}`;
    doneKey = `spec:${name}:done`;
    client = createClient({ url });
    await client.connect();
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((q) => q.close()));
    if (client?.isOpen) {
      await client.del(doneKey);
      client.destroy();
    }
  });

  function open<Q extends RedisQueue<number>>(q: Q): Q {
    handles.push(q);
    return q;
  }

  it('2 producer and 2 consumer processes: every item is taken exactly once, and each producer’s items in put order', async () => {
    const q = open(new RedisQueue<number>({ name, url }));
    const consumers = ['a', 'b'].map((id) => consumer(name, url, { id, doneKey }));
    const producers = [producer(name, url, 0, 300), producer(name, url, 1000, 300)];
    expect(await settles(Promise.all(producers.map((p) => p.join())), 60_000)).to.deep.equal([0, 0]);
    await settles(waitForCount(client, doneKey, 600), 60_000);
    await q.end();
    expect(await settles(Promise.all(consumers.map((c) => c.join())), 30_000)).to.deep.equal([0, 0]);

    const reports = parse(await client.lRange(doneKey, 0, -1));
    const items = reports.map((r) => r.item);
    expect(items.length, 'no duplicates').to.equal(600);
    expect(new Set(items).size).to.equal(600);
    expect([...items].sort((x, y) => x - y)).to.deep.equal([...range(0, 300), ...range(1000, 300)]);
    for (const id of ['a', 'b']) {
      const mine = reports.filter((r) => r.id === id).map((r) => r.item);
      for (const from of [0, 1000]) {
        const ofProducer = mine.filter((i) => i >= from && i < from + 300);
        expect(ofProducer, `consumer ${id}, producer ${from}: FIFO`).to.deep.equal([...ofProducer].sort((x, y) => x - y));
      }
    }
    expect(await q.qsize()).to.equal(0);
  });

  it('puts made 50 at a time without awaiting each, by 2 producer processes into maxsize 10: each producer’s items still arrive in put order, once', async () => {
    // Many of those PUTs find the queue full and are refused in part while later ones are on their way.
    const q = open(new RedisQueue<number>({ name, url, maxsize: 10 }));
    const c = consumer(name, url, { id: 'one', doneKey, maxsize: 10 });
    const producers = [producer(name, url, 0, 500, { maxsize: 10, chunk: 50 }), producer(name, url, 1000, 500, { maxsize: 10, chunk: 50 })];
    expect(await settles(Promise.all(producers.map((p) => p.join())), 60_000)).to.deep.equal([0, 0]);
    await settles(waitForCount(client, doneKey, 1000), 60_000);
    await q.end();
    expect(await settles(c.join(), 30_000)).to.equal(0);
    const items = parse(await client.lRange(doneKey, 0, -1)).map((r) => r.item);
    expect(items.length).to.equal(1000);
    expect(
      items.filter((i) => i < 1000),
      'producer 0, in order',
    ).to.deep.equal(range(0, 500));
    expect(
      items.filter((i) => i >= 1000),
      'producer 1000, in order',
    ).to.deep.equal(range(1000, 500));
  });

  it('maxsize holds across processes: a producer process never has more than maxsize items waiting in the queue', async () => {
    const q = open(new RedisQueue<number>({ name, url, maxsize: 20 }));
    const p = producer(name, url, 0, 400, { maxsize: 20 });
    const c = consumer(name, url, { id: 'slow', doneKey, workMs: 2, maxsize: 20 });
    let most = 0;
    let samples = 0;
    while (p.isAlive()) {
      most = Math.max(most, await q.qsize());
      samples++;
      await sleep(5);
    }
    expect(await p.join()).to.equal(0);
    await settles(waitForCount(client, doneKey, 400), 60_000);
    await q.end();
    expect(await settles(c.join(), 30_000)).to.equal(0);
    expect(samples).to.be.greaterThan(5);
    expect(most, 'qsize never above maxsize').to.be.at.most(20);
    expect(most, 'the producer did fill the queue').to.be.greaterThan(10);
    expect(await client.lLen(doneKey)).to.equal(400);
  });

  it('a consumer process whose handle gives no maxsize still wakes a producer waiting for room (no second-long polls per fill)', async () => {
    // A consumer on another machine need not know the producers' bound. Each time the queue is full the
    // producer waits for a wake hint; without one it looks again only after a second (WAKE_CHUNK_S), so
    // 400 items through maxsize 20 take ~20 s instead of ~2 s. The bound below is 5× the healthy time.
    const p = producer(name, url, 0, 400, { maxsize: 20 });
    const c = consumer(name, url, { id: 'unbounded', doneKey, workMs: 2 });
    const t0 = Date.now();
    expect(await settles(p.join(), 60_000)).to.equal(0);
    await settles(waitForCount(client, doneKey, 400), 60_000);
    const ms = Date.now() - t0;
    const q = open(new RedisQueue<number>({ name, url }));
    await q.end();
    expect(await settles(c.join(), 30_000)).to.equal(0);
    expect(ms, '400 items through maxsize 20, consumer at ~2 ms an item').to.be.below(10_000);
  });

  itKills(
    'SIGKILL a RedisJoinableQueue consumer mid-stream: its items are redelivered, join() resolves, nothing is lost',
    async function (this: Mocha.Context) {
      const total = 600;
      const heartbeat = 200;
      const q = open(new RedisJoinableQueue<number>({ name, url, heartbeat }));
      const startedKey = `${doneKey}:started`;
      // The victim stalls on what it takes after its 40th item, so it surely dies holding items: on a
      // loaded machine a kill timed by its reports alone could land while the queue was empty.
      const victim = consumer(name, url, {
        id: 'victim',
        doneKey,
        startedKey,
        joinable: true,
        workMs: 10,
        concurrency: 4,
        heartbeat,
        stallAfter: 40,
      });
      const survivor = consumer(name, url, { id: 'survivor', doneKey, joinable: true, workMs: 5, concurrency: 2, heartbeat });
      const producers = [producer(name, url, 0, total / 2, { joinable: true }), producer(name, url, 10_000, total / 2, { joinable: true })];

      const victimCount = async (key: string): Promise<number> =>
        parse(await client.lRange(key, 0, -1)).filter((r) => r.id === 'victim').length;
      await settles(
        (async () => {
          for (;;) {
            const done = await victimCount(doneKey);
            if (done >= 40 && (await victimCount(startedKey)) > done) break; // stalled, holding items
            await sleep(5);
          }
        })(),
        60_000,
      );
      victim.kill(); // SIGKILL, with items taken and not done
      expect(await victim.join()).to.equal(-9);
      const doneAtKill = await client.lLen(doneKey);
      expect(doneAtKill, 'killed mid-stream').to.be.lessThan(total);

      expect(await settles(Promise.all(producers.map((p) => p.join())), 60_000)).to.deep.equal([0, 0]);
      await settles(q.join(), 60_000); // would hang if the victim's items were not redelivered
      await q.end();
      expect(await settles(survivor.join(), 30_000)).to.equal(0);

      const reports = parse(await client.lRange(doneKey, 0, -1));
      const items = reports.map((r) => r.item);
      const distinct = new Set(items);
      expect(
        [...distinct].sort((x, y) => x - y),
        'every item put was taken at least once',
      ).to.deep.equal([...range(0, total / 2), ...range(10_000, total / 2)]);
      expect(await q.qsize(), 'nothing counted as waiting or fetched ahead any more').to.equal(0);
      const duplicates = items.length - distinct.size;
      // A duplicate is an item the victim reported and then died before its taskDone: at most its concurrency.
      expect(duplicates, 'duplicates').to.be.at.most(4);
      // What the victim had started and not reported when it died went to the survivor.
      const victimDid = new Set(reports.filter((r) => r.id === 'victim').map((r) => r.item));
      const started = parse(await client.lRange(startedKey, 0, -1)).map((r) => r.item);
      const held = started.filter((i) => !victimDid.has(i));
      await client.del(startedKey);
      expect(held.length, `the victim died holding items (it started ${started.length}, did ${victimDid.size})`).to.be.at.least(1);
      const survivorDid = new Set(reports.filter((r) => r.id === 'survivor').map((r) => r.item));
      expect(
        held.filter((i) => !survivorDid.has(i)),
        'held by the victim, then done by the survivor',
      ).to.deep.equal([]);
      if (this.test)
        this.test.title += ` [victim did ${victimDid.size}, died holding ${held.length} (redelivered), ${duplicates} done twice]`;
    },
  );

  itKills(
    'SIGKILL a plain RedisQueue consumer mid-stream: the others take the rest; only the one item in its hands can be lost or taken twice',
    async function (this: Mocha.Context) {
      const total = 600;
      const heartbeat = 200;
      const q = open(new RedisQueue<number>({ name, url, heartbeat }));
      const victim = consumer(name, url, { id: 'victim', doneKey, workMs: 5, heartbeat });
      const survivor = consumer(name, url, { id: 'survivor', doneKey, workMs: 2, heartbeat });
      const p = producer(name, url, 0, total);
      await settles(
        (async () => {
          while (parse(await client.lRange(doneKey, 0, -1)).filter((r) => r.id === 'victim').length < 40) await sleep(5);
        })(),
        60_000,
      );
      victim.kill();
      expect(await victim.join()).to.equal(-9);
      expect(await settles(p.join(), 60_000)).to.equal(0);
      // Whatever the victim had fetched ahead goes back once its heartbeat expires; then the survivor drains.
      await settles(waitForCount(client, doneKey, total - 1), 60_000);
      await sleep(6 * heartbeat);
      await q.end();
      expect(await settles(survivor.join(), 30_000)).to.equal(0);

      const items = parse(await client.lRange(doneKey, 0, -1)).map((r) => r.item);
      const distinct = new Set(items);
      expect(await q.qsize(), 'nothing counted as waiting or fetched ahead any more').to.equal(0);
      const duplicates = items.length - distinct.size;
      const lost = range(0, total).filter((i) => !distinct.has(i));
      // The one item the victim held when it died: gone once handed to it, or redelivered if the server had not yet heard so.
      expect(lost.length + duplicates, `lost: ${lost.join(', ')}; ${duplicates} taken twice`).to.be.at.most(1);
      if (this.test) this.test.title += ` [${lost.length} lost, ${duplicates} taken twice]`;
    },
  );
});

async function waitForCount(client: Client, key: string, count: number): Promise<void> {
  while ((await client.lLen(key)) < count) await sleep(10);
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}
