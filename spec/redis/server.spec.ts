import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { createClient } from 'redis';
import { needRedis, type RedisServer, sharedRedis, startRedis } from '../support/redis-server.js';

describe('the throwaway Redis server the specs use', () => {
  before(function () {
    needRedis(this);
  });

  it('the shared server answers', async () => {
    const client = createClient({ url: await sharedRedis() });
    await client.connect();
    expect(await client.ping()).to.equal('PONG');
    client.destroy();
  });

  it('a server of its own: keeps what it acknowledged across a kill with appendonly on, then leaves no dir', async () => {
    const server: RedisServer = await startRedis({ appendonly: true });
    const client = createClient({ url: server.url });
    await client.connect();
    await client.rPush('k', ['a', 'b']);
    client.destroy();
    await server.restart();
    const again = createClient({ url: server.url });
    await again.connect();
    expect(await again.lRange('k', 0, -1)).to.deep.equal(['a', 'b']);
    again.destroy();
    await server.stop();
    expect(server.running).to.equal(false);
    expect(existsSync(server.dir)).to.equal(false);
  });

  it('a password: the url carries it, a client without it is refused', async () => {
    const server = await startRedis({ password: 's3cret' });
    try {
      const good = createClient({ url: server.url });
      await good.connect();
      expect(await good.ping()).to.equal('PONG');
      good.destroy();
      const bad = createClient({ url: `redis://127.0.0.1:${server.port}` });
      await bad.connect();
      let refused: unknown;
      await bad.ping().catch((error: unknown) => {
        refused = error;
      });
      expect(String(refused)).to.match(/NOAUTH/);
      bad.destroy();
    } finally {
      await server.stop();
    }
  });
});
