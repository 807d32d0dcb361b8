/** Review: what the server's counts say after a consumer dies, with equal items in flight, and for odd values. */
import { expect } from 'chai';
import { Full, SerializationError } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { queueKeys } from '../../src/redis/protocol.js';
import type { RedisQueueEndpoint } from '../../src/redis/redis-queue-endpoint.js';
import { kEndpoint } from '../../src/queue.js';
import { expectRejection, settles, sleep } from '../support/async.js';
import { closeAfterTest, die, onSharedRedis, type RawClient, uniqueName } from './core-helpers.js';

describe('rxmp/redis review: counts after deaths, equal items, odd values', function () {
  this.timeout(60_000);
  let url: string;
  let client: RawClient;
  onSharedRedis((server) => ({ url, client } = server));

  it('a consumer that dies with items fetched ahead: once reaped, qsize() and the bound count them again, and nothing stays in ahead', async () => {
    const name = uniqueName('ahead-dead');
    const k = queueKeys(name);
    const producer = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 5, heartbeat: 20 }));
    const dying = new RedisQueue<number>({ name, url, heartbeat: 30 });
    for (let i = 0; i < 5; i++) await producer.put(i);
    const it = dying[Symbol.asyncIterator]();
    expect((await it.next()).value).to.equal(0);
    await sleep(50);
    expect(Number(await client.hGet(k.ahead, (dying[kEndpoint] as RedisQueueEndpoint<number>).consumer))).to.be.greaterThan(0);
    die(dying);
    for (let i = 0; i < 100 && (await client.hLen(k.ahead)) > 0; i++) await sleep(20);
    expect(await client.hLen(k.ahead)).to.equal(0);
    expect(await producer.qsize(), 'the four it fetched ahead are back').to.equal(4);
    await producer.put(99);
    await expectRejection(producer.put(100, { block: false }), Full);
    const consumer = closeAfterTest(new RedisQueue<number>({ name, url }));
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(await consumer.get());
    expect(got).to.deep.equal([1, 2, 3, 4, 99]);
    expect(await producer.qsize()).to.equal(0);
  });

  it('the same value 100 times, two consumers, one dying holding some: each of the 100 is done once, join() resolves, no entry is left anywhere', async () => {
    const name = uniqueName('equal');
    const k = queueKeys(name);
    const producer = closeAfterTest(new RedisJoinableQueue<string>({ name, url, heartbeat: 20 }));
    const a = closeAfterTest(new RedisJoinableQueue<string>({ name, url, heartbeat: 20 }));
    const dying = new RedisJoinableQueue<string>({ name, url, heartbeat: 20 });
    await Promise.all(Array.from({ length: 100 }, () => producer.put('same')));
    // The dying one gets 10 and does 4 of them, then dies holding 6.
    for (let i = 0; i < 10; i++) expect(await dying.get()).to.equal('same');
    for (let i = 0; i < 4; i++) dying.taskDone();
    await sleep(50);
    die(dying);
    let done = 4;
    for (;;) {
      const v = await a.get({ timeout: 1000 }).catch(() => undefined);
      if (v === undefined) break;
      expect(v).to.equal('same');
      a.taskDone();
      done++;
    }
    expect(done, 'the six it held came again').to.equal(100);
    await settles(producer.join(), 5000);
    expect(await client.lLen(k.items)).to.equal(0);
    expect(await client.get(k.unfinished)).to.equal(null);
    const keys = await client.keys(`${k.prefix}:processing:*`);
    for (const key of keys) expect(await client.lLen(key), key).to.equal(0);
  });

  it('Buffers, typed arrays, Map, Set, Date, BigInt and a 20 MB item round-trip; an uncloneable item among puts of one turn fails alone, the others go in order', async () => {
    const name = uniqueName('values');
    const q = closeAfterTest(new RedisQueue<unknown>({ name, url }));
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    const values: unknown[] = [
      Buffer.from([1, 2, 3]),
      new Float64Array([1.5, -0]),
      new Map<unknown, unknown>([
        [1, 'one'],
        ['k', { d: new Date(5) }],
      ]),
      new Set([1n, 2n ** 70n]),
      new Date(1_700_000_000_000),
      -(2n ** 64n),
    ];
    const puts = [
      q.put(values[0]),
      q.put(values[1]),
      q.put({ f: () => 1 }),
      q.put(values[2]),
      q.put(values[3]),
      q.put(values[4]),
      q.put(values[5]),
    ];
    const results = await Promise.allSettled(puts);
    expect(results.map((r) => r.status)).to.deep.equal([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[2] as PromiseRejectedResult).reason).to.be.instanceOf(SerializationError);
    for (const v of values) expect(await q.get()).to.deep.equal(v);
    await q.put(big);
    const back = (await q.get()) as Uint8Array;
    expect(back.byteLength).to.equal(big.byteLength);
    expect(Buffer.from(back).equals(big)).to.equal(true);
  });
});
