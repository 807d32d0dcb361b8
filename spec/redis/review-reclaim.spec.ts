/** Review: RECLAIM (a get's command failed: what the server moved meanwhile goes back) with many entries held. */
import { expect } from 'chai';
import { RedisError, RedisJoinableQueue } from '../../src/redis/index.js';
import { queueKeys } from '../../src/redis/protocol.js';
import type { RedisQueueEndpoint } from '../../src/redis/redis-queue-endpoint.js';
import { kEndpoint } from '../../src/queue.js';
import { encodeEntry } from '../../src/redis/entry-codec.js';
import { expectRejection, sleep } from '../support/async.js';
import { closeAfterTest, onSharedRedis, type RawClient, uniqueName } from './core-helpers.js';

describe('rxmp/redis review: RECLAIM', function () {
  this.timeout(60_000);
  let url: string;
  let client: RawClient;
  onSharedRedis((server) => ({ url, client } = server));

  it('a consumer holding 9000 undone items whose blocked get lost its connection gets again (RECLAIM does not meet Lua’s unpack limit)', async () => {
    const name = uniqueName('reclaim-many');
    const k = queueKeys(name);
    const q = closeAfterTest(new RedisJoinableQueue<number>({ name, url }));
    const n = 9000;
    await Promise.all(Array.from({ length: n }, (_, i) => q.put(i)));
    const got = await Promise.all(Array.from({ length: n }, () => q.get()));
    expect(got.length).to.equal(n);
    const endpoint = q[kEndpoint] as RedisQueueEndpoint<number>;
    // A get blocks in BLMOVE on its own connection; that connection drops.
    const waiting = expectRejection(q.get(), RedisError);
    await sleep(100);
    const { id } = await endpoint.connections.blocker('get');
    // As if the server had moved an entry to this consumer with a reply that is lost with the connection.
    await client.rPush(k.processing(endpoint.consumer), encodeEntry(-2));
    await client.sendCommand(['CLIENT', 'KILL', 'ID', String(id)]);
    await waiting;
    await sleep(200);
    await q.put(-1);
    expect(await q.get({ timeout: 3000 }), 'the reclaimed entry comes first').to.equal(-2);
    expect(await q.get({ timeout: 3000 })).to.equal(-1);
    expect(await client.lLen(k.processing(endpoint.consumer))).to.equal(n + 2);
    for (let i = 0; i < n + 2; i++) q.taskDone();
    await q.join();
  });
});
