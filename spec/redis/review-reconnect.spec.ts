/** Review: a handle after a server restart, or while its server is frozen. */
import { expect } from 'chai';
import { createClient } from 'redis';
import { ClosedError } from '../../src/index.js';
import { RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settles, sleep } from '../support/async.js';
import { needRedis, type RedisServer, startRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

/** Until `q` answers again after a restart (calls reject OFFLINE while it reconnects). */
async function back(q: RedisQueue<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const answered = await q.qsize().then(
      () => true,
      () => false,
    );
    if (answered) return;
    await sleep(50);
  }
  throw new Error('the handle did not come back');
}

describe('rxmp/redis review: after a server restart', function () {
  this.timeout(60_000);
  let server: RedisServer;
  before(async function () {
    needRedis(this);
    server = await startRedis();
  });
  after(() => server?.stop());

  it('end() wakes a get blocked on a get connection that reconnected while idle at once, not when its BLMOVE times out', async () => {
    const name = uniqueName('stale-id');
    // Client ids start again from 1 after a restart: make the ids of before high, so none is reused.
    for (let i = 0; i < 30; i++) {
      const c = createClient({ url: server.url });
      await c.connect();
      c.destroy();
    }
    const consumer = closeAfterTest(new RedisQueue<number>({ name, url: server.url }));
    const producer = closeAfterTest(new RedisQueue<number>({ name, url: server.url }));
    const first = consumer.get();
    await sleep(100);
    await producer.put(1);
    expect(await first).to.equal(1);
    // The server restarts while the consumer waits for nothing: its get connection reconnects by itself.
    await server.restart();
    await back(consumer);
    await back(producer);
    await sleep(1000);
    const waiting = expectRejection(consumer.get(), ClosedError);
    await sleep(200);
    const started = Date.now();
    await producer.end();
    await settles(waiting, 5000);
    expect(Date.now() - started, 'CLIENT UNBLOCK reached the BLMOVE').to.be.below(1000);
  });

  it('close() resolves within its bound while the server is frozen (SIGSTOP: its sockets stay open, nothing answers), and a put on its way rejects', async () => {
    const name = uniqueName('frozen-server');
    const q = new RedisQueue<number>({ name, url: server.url });
    await q.put(1);
    const client = createClient({ url: server.url });
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    client.destroy();
    process.kill(pid, 'SIGSTOP');
    try {
      const put = q.put(2).then(
        () => 'accepted',
        (e: unknown) => (e as Error).name,
      );
      await sleep(50);
      const started = Date.now();
      await settles(q.close(), 20_000);
      expect(Date.now() - started).to.be.below(15_000);
      expect(await settles(put)).to.not.equal('accepted');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
