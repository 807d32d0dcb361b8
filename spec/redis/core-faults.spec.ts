/** What a Redis queue does when its server goes away and comes back: typed errors, never a hang, then it works again. */
import { expect } from 'chai';
import { RedisError, RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settles, sleep } from '../support/async.js';
import { needRedis, type RedisServer, startRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

describe('rxmp/redis: the server goes away', function () {
  this.timeout(60_000);
  let server: RedisServer;
  before(async function () {
    needRedis(this);
    server = await startRedis({ appendonly: true });
  });
  after(() => server?.stop());

  it('a waiting get and a waiting put reject RedisError when the server dies; later calls work once it is back', async () => {
    const name = uniqueName('died');
    const q = closeAfterTest(new RedisQueue<number>({ name, url: server.url, maxsize: 1 }));
    const other = closeAfterTest(new RedisQueue<number>({ name: `${name}-b`, url: server.url }));
    const waitingGet = expectRejection(other.get(), RedisError);
    await q.put(1);
    const waitingPut = expectRejection(q.put(2), RedisError);
    await sleep(100);
    await server.kill();
    await settles(Promise.all([waitingGet, waitingPut]), 10_000);
    await server.start();
    // Reconnecting takes a moment: calls meanwhile reject RedisError (code OFFLINE), never hang.
    let got: number | undefined;
    for (let i = 0; i < 100 && got === undefined; i++) {
      got = await q.get({ timeout: 100 }).catch((e: unknown) => {
        expect(e).to.be.instanceOf(RedisError);
        return sleep(50).then(() => undefined);
      });
    }
    expect(got, 'what was acknowledged survives (AOF fsync always)').to.equal(1);
  });

  it('under load: every call settles (accepted, or RedisError), what was acknowledged is got, and join() resolves after the restart', async () => {
    const name = uniqueName('load');
    const producer = closeAfterTest(new RedisJoinableQueue<number>({ name, url: server.url, maxsize: 20, heartbeat: 100 }));
    const consumer = closeAfterTest(new RedisJoinableQueue<number>({ name, url: server.url, heartbeat: 100 }));
    const acknowledged = new Set<number>();
    const got = new Set<number>();
    let stop = false;
    const errors: unknown[] = [];
    const producing = (async () => {
      for (let i = 0; !stop; i++) {
        await producer.put(i).then(
          () => acknowledged.add(i),
          // While the server is away calls fail at once: a loop that retries must give the event loop a turn.
          (e: unknown) => sleep(10).then(() => errors.push(e)),
        );
      }
    })();
    const consuming = (async () => {
      // A put that rejected may still have been enqueued (its reply was lost): count what was acknowledged.
      const missing = (): boolean => [...acknowledged].some((v) => !got.has(v));
      while (!stop || missing()) {
        const v = await consumer.get({ timeout: 500 }).catch(async (e: unknown) => {
          errors.push(e);
          await sleep(10);
          return undefined;
        });
        if (v === undefined) {
          if (stop) break;
          continue;
        }
        got.add(v);
        consumer.taskDone();
      }
    })();
    await sleep(300);
    await server.restart();
    await sleep(1000);
    stop = true;
    await settles(producing, 15_000);
    await settles(consuming, 15_000);
    for (const e of errors) if (!(e instanceof Error && e.name === 'Empty')) expect(e).to.be.instanceOf(RedisError);
    expect(errors.some((e) => e instanceof RedisError)).to.equal(true);
    for (const v of acknowledged) expect(got.has(v), `acknowledged ${v} was got`).to.equal(true);
    await settles(producer.join(), 15_000);
  });
});
