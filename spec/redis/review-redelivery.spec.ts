/** Review: what goes back to the queue after a consumer was taken for dead, or left, comes back once, never twice. */
import { expect } from 'chai';
import { RedisQueue } from '../../src/redis/index.js';
import { queueKeys } from '../../src/redis/protocol.js';
import type { RedisQueueEndpoint } from '../../src/redis/redis-queue-endpoint.js';
import { kEndpoint } from '../../src/queue.js';
import { sleep } from '../support/async.js';
import { closeAfterTest, onSharedRedis, type RawClient, uniqueName } from './core-helpers.js';

const consumerOf = (q: RedisQueue<unknown>): string => (q[kEndpoint] as RedisQueueEndpoint<unknown>).consumer;

describe('rxmp/redis review: redelivery after a reap or a leave', function () {
  this.timeout(30_000);
  let url: string;
  let client: RawClient;
  onSharedRedis((server) => ({ url, client } = server));

  it('a stream whose consumer was reaped while alive gives back what it fetched ahead without putting it in the queue a second time', async () => {
    const name = uniqueName('reaped-alive');
    const k = queueKeys(name);
    // A's heartbeat key lives 30 s; the reaper (B) runs every 20 ms.
    const a = closeAfterTest(new RedisQueue<number>({ name, url, heartbeat: 10_000 }));
    const b = closeAfterTest(new RedisQueue<number>({ name, url, heartbeat: 20 }));
    for (let i = 0; i < 10; i++) await b.put(i);
    const it = a[Symbol.asyncIterator]();
    expect((await it.next()).value).to.equal(0);
    await sleep(50);
    expect(await client.lLen(k.processing(consumerOf(a))), 'A holds items fetched ahead').to.be.greaterThan(0);
    // A is taken for dead (its event loop stalled, its connection was away for 3 heartbeats): the reaper gives its list back.
    await client.del(k.heartbeat(consumerOf(a)));
    await b.qsize(); // B connected: its reaper runs
    for (let i = 0; i < 100 && (await client.lLen(k.processing(consumerOf(a)))) > 0; i++) await sleep(20);
    expect(await client.lLen(k.processing(consumerOf(a))), 'reaped').to.equal(0);
    // A's stream stops: what it had fetched ahead was already given back by the reaper.
    await it.return?.();
    await sleep(200);
    const left: number[] = [];
    for (;;) {
      const v = await b.get({ timeout: 200 }).catch(() => undefined);
      if (v === undefined) break;
      left.push(v);
    }
    expect(left, 'items 1..9, each once').to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('an entry a late BLMOVE moves into the list of a consumer after its LEAVE (close() raced the BLMOVE) goes back to the queue', async () => {
    const name = uniqueName('late-blmove');
    const k = queueKeys(name);
    const leaving = new RedisQueue<number>({ name, url });
    const other = closeAfterTest(new RedisQueue<number>({ name, url, heartbeat: 20 }));
    await leaving.qsize();
    const id = consumerOf(leaving);
    await leaving.close();
    await other.put(42);
    // What a BLMOVE that reached the server just after the LEAVE does (its reply lost with the connection).
    await client.lMove(k.items, k.processing(id), 'LEFT', 'RIGHT');
    expect(await other.get({ timeout: 3000 }).catch((e: unknown) => e)).to.equal(42);
  });
});
