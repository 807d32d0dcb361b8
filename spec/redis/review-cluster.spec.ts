/** Review: every script declares only keys of the queue's slot, so a queue works on a Redis Cluster node (one holding all slots). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createClient } from 'redis';
import { ClosedError } from '../../src/index.js';
import { RedisQueue } from '../../src/redis/index.js';
import { queueKeys } from '../../src/redis/protocol.js';
import type { RedisQueueEndpoint } from '../../src/redis/redis-queue-endpoint.js';
import { kEndpoint } from '../../src/queue.js';
import { expectRejection, sleep } from '../support/async.js';
import { needRedis, redisServerPath } from '../support/redis-server.js';
import { uniqueName } from './core-helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('rxmp/redis review: on a cluster node', function () {
  this.timeout(30_000);
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let url: string;
  let client: ReturnType<typeof createClient>;
  before(async function () {
    needRedis(this);
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'rxmp-review-cluster-'));
    child = spawn(
      redisServerPath() as string,
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    url = `redis://127.0.0.1:${port}`;
    client = createClient({ url });
    for (let i = 0; ; i++) {
      try {
        await client.connect();
        break;
      } catch (error) {
        if (i > 50) throw error;
        await sleep(100);
      }
    }
    await client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    while (!(await client.sendCommand<string>(['CLUSTER', 'INFO'])).includes('cluster_state:ok')) await sleep(100);
  });
  after(async () => {
    client?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a plain get drops its entry from the processing list (MOVED), and end() ends the queue (END): no CROSSSLOT', async () => {
    const name = uniqueName('cluster');
    const k = queueKeys(name);
    const q = new RedisQueue<number>({ name, url });
    try {
      await q.put(1);
      expect(await q.get()).to.equal(1);
      await q.qsize(); // after the MOVED on the same connection
      expect(await client.lLen(k.processing((q[kEndpoint] as RedisQueueEndpoint<number>).consumer))).to.equal(0);
      await q.end();
      await expectRejection(q.get(), ClosedError);
    } finally {
      await q.close();
    }
    const other = new RedisQueue<number>({ name, url });
    try {
      await expectRejection(other.get({ timeout: 500 }), ClosedError);
    } finally {
      await other.close();
    }
  });
});
