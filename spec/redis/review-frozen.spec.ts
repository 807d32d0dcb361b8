/** Review: a consumer that freezes (a stopped process, a partitioned machine: its connections stay open) loses nothing. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { RedisQueue } from '../../src/redis/index.js';
import { sleep } from '../support/async.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

describe('rxmp/redis review: a frozen consumer', function () {
  this.timeout(30_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  it('an item its still-blocked BLMOVE takes after the reaper declared it dead comes back (heartbeat shorter than the BLMOVE chunk)', async () => {
    const name = uniqueName('frozen');
    const script = fileURLToPath(new URL('../fixtures/redis-review-frozen.js', import.meta.url));
    const child = spawn(process.execPath, [script, url, name, '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('waiting')) resolve();
        });
      });
      const q = closeAfterTest(new RedisQueue<number>({ name, url, heartbeat: 50 }));
      await q.qsize();
      child.kill('SIGSTOP');
      // Its heartbeat (150 ms) runs out and the reaper takes it for dead; its BLMOVE is still blocked on the server.
      await sleep(400);
      await q.put(42);
      await sleep(100);
      child.kill('SIGKILL');
      await exited;
      expect(await q.get({ timeout: 5000 }).catch((e: unknown) => e)).to.equal(42);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
