/** What the Redis core specs share: fresh queue names on the shared server, handles closed after each test. */
import { createClient } from 'redis';
import { kEndpoint } from '../../src/queue.js';
import type { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import type { RedisQueueEndpoint } from '../../src/redis/redis-queue-endpoint.js';
import { afterTest } from '../support/children.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';

let serial = 0;

/** A name no other test of this run uses (the shared server keeps what earlier tests left). */
export function uniqueName(label: string): string {
  return `${label}-${process.pid}-${Date.now()}-${serial++}`;
}

/** Closes `q` after the current test. */
export function closeAfterTest<Q extends { close(): Promise<void> }>(q: Q): Q {
  afterTest(() => q.close());
  return q;
}

/** A raw node-redis client, for looking at (or tampering with) a queue's keys. */
export type RawClient = ReturnType<typeof createClient>;

/**
 * In a `describe`: before its tests, hands `take` the shared server's url
 * and a raw client on it (skipping where there is no server, outside CI);
 * the client is closed after them.
 */
export function onSharedRedis(take: (server: { url: string; client: RawClient }) => void): void {
  let client: RawClient | undefined;
  before(async function () {
    needRedis(this);
    const url = await sharedRedis();
    client = createClient({ url });
    await client.connect();
    take({ url, client });
  });
  after(() => client?.destroy());
}

/** The handle's process "dies": its connections drop without a word (no LEAVE), its heartbeat stops. */
export function die(q: RedisQueue<unknown> | RedisJoinableQueue<unknown>): void {
  (q[kEndpoint] as RedisQueueEndpoint<unknown>).connections.close();
}
