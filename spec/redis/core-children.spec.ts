/** Redis queues in Process args: each child connects by itself, by name and url. */
import { expect } from 'chai';
import { Process } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { settles } from '../support/async.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

const worker = new URL('./core-child-worker.js', import.meta.url);

describe('rxmp/redis: queues passed to children', function () {
  this.timeout(60_000);
  let url: string;
  const started: Process[] = [];
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });
  afterEach(async () => {
    for (const p of started.splice(0)) {
      if ((await p.join(5000)) === null) {
        p.kill();
        await p.join();
      }
    }
  });

  it('a fork and a thread consume a RedisJoinableQueue passed in their args; join() resolves, end() lets them exit 0', async () => {
    const name = uniqueName('children');
    const jobs = closeAfterTest(new RedisJoinableQueue<string>({ name, url, maxsize: 5 }));
    const done = closeAfterTest(new RedisQueue<string>({ name: `${name}-done`, url }));
    for (const kind of ['fork', 'thread'] as const) {
      started.push(new Process({ target: worker, args: [jobs, done], kind }).start());
    }
    for (let i = 0; i < 30; i++) await jobs.put(`job ${i}`);
    await settles(jobs.join(), 20_000);
    await jobs.end();
    const codes = await Promise.all(started.map((p) => p.join(20_000)));
    expect(codes).to.deep.equal([0, 0]);
    const counts = await Promise.all(started.map((p) => p.result as Promise<number>));
    expect(counts[0] + counts[1]).to.equal(30);
    expect(await done.qsize()).to.equal(30);
  });

  it('a child killed (SIGKILL) holding a job: the job is redelivered to another consumer and join() resolves', async () => {
    const name = uniqueName('killed');
    const jobs = closeAfterTest(new RedisJoinableQueue<string>({ name, url, heartbeat: 100 }));
    const done = closeAfterTest(new RedisQueue<string>({ name: `${name}-done`, url }));
    const doomed = new Process({ target: worker, args: [jobs, done, 'die'] }).start();
    started.push(doomed);
    await jobs.put('die');
    await doomed.join(20_000);
    expect(doomed.isAlive(), 'the first worker died on the job').to.equal(false);
    expect(await done.qsize(), 'it did not finish the job').to.equal(0);
    const rescuer = new Process({ target: worker, args: [jobs, done] }).start();
    started.push(rescuer);
    await settles(jobs.join(), 20_000);
    await jobs.end();
    expect(await rescuer.join(20_000)).to.equal(0);
    expect(await done.get({ timeout: 1000 })).to.match(/^die by \d+$/);
  });
});
