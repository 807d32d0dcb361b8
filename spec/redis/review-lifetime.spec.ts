/** Review: nothing of a closed Redis handle keeps its process alive or rejects in the background. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createClient } from 'redis';
import { RedisQueue } from '../../src/redis/index.js';
import { queueKeys } from '../../src/redis/protocol.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { uniqueName } from './core-helpers.js';

describe('rxmp/redis review: a closed handle’s process', function () {
  this.timeout(30_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  it('exits by itself once its handles are closed (timers, heartbeats, background commands: none holds it, none rejects unhandled), and leaves nothing behind', async () => {
    const name = uniqueName('lifetime');
    const script = fileURLToPath(new URL('../fixtures/redis-review-lifetime.js', import.meta.url));
    const child = spawn(process.execPath, ['--unhandled-rejections=strict', script, url, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(err).to.equal('');
    expect(out).to.equal('closed\n');
    expect(code, 'it exited by itself').to.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
    const client = createClient({ url });
    await client.connect();
    try {
      const k = queueKeys(name);
      expect(await client.lRange(k.items, 0, -1), 'the put withdrawn by close is not in the queue').to.have.length(2);
      expect(await client.sMembers(k.consumers)).to.deep.equal([]);
      expect(await client.hLen(k.ahead)).to.equal(0);
    } finally {
      client.destroy();
    }
  });

  it('a handle that closes leaves no consumer behind, however its heartbeat falls (a BEAT sent after its LEAVE added it back for good)', async () => {
    const name = uniqueName('leave-beat');
    const client = createClient({ url });
    await client.connect();
    try {
      for (let round = 0; round < 10; round++) {
        const handles = Array.from({ length: 20 }, () => new RedisQueue<number>({ name, url, heartbeat: 10 }));
        await Promise.all(handles.map((h) => h.get({ timeout: 0 }).catch(() => undefined)));
        // Let their heartbeats run, then close them at scattered moments of their beat.
        await Promise.all(handles.map((h, i) => new Promise((resolve) => setTimeout(resolve, 15 + (i % 10))).then(() => h.close())));
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await client.sMembers(queueKeys(name).consumers), `round ${round}`).to.deep.equal([]);
      }
    } finally {
      client.destroy();
    }
  });
});
