import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createClient } from 'redis';
import { needRedis, type RedisServer, startRedis } from '../support/redis-server.js';

describe('samples/redis-workers', function () {
  this.timeout(120_000);
  let server: RedisServer | undefined;

  before(async function () {
    needRedis(this);
    server = await startRedis();
  });

  after(async () => {
    await server?.stop();
  });

  it('a producer and two consumer processes on a Redis server: every job done once, join() resolves, nothing left on the server', async () => {
    const url = (server as RedisServer).url;
    const file = fileURLToPath(new URL('../../samples/redis-workers.js', import.meta.url));
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [file, '200'],
        { timeout: 90_000, killSignal: 'SIGKILL', env: { ...process.env, REDIS_URL: url } },
        (error, stdout, stderr) => resolve({ code: error ? ((error.code as number | undefined) ?? null) : 0, stdout, stderr }),
      ),
    );
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    const line = /200 jobs, (\d+) done by A and (\d+) by B, each once, all right; exit codes 0,0,0/.exec(run.stdout);
    expect(line, run.stdout).to.not.equal(null);
    expect(Number(line?.[1]) + Number(line?.[2])).to.equal(200);
    // Nothing left waiting on the server: every job was taken and done, every square got.
    const client = createClient({ url });
    await client.connect();
    try {
      for (const key of await client.keys('*:items')) expect(await client.lLen(key), key).to.equal(0);
    } finally {
      client.destroy();
    }
  });
});
