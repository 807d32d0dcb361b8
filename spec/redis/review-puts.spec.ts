/** Review: puts that wait for room or are taken back, and what they tell the other handles. */
import { expect } from 'chai';
import { ClosedError, Full } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { expectRejection, settles, sleep } from '../support/async.js';
import { closeAfterTest, onSharedRedis, type RawClient, uniqueName } from './core-helpers.js';

/** Lua: keeps the server busy for ARGV[1] ms (every other client's commands wait meanwhile). */
const BUSY = `local t = redis.call('TIME') local start = t[1] * 1000 + t[2] / 1000
while true do t = redis.call('TIME') if t[1] * 1000 + t[2] / 1000 - start > tonumber(ARGV[1]) then break end end
return 1`;

describe('rxmp/redis review: puts', function () {
  this.timeout(30_000);
  let url: string;
  let client: RawClient;
  onSharedRedis((server) => ({ url, client } = server));

  it('a join() waiting while a put is taken back (aborted on its way) resolves once the last task is done, not a heartbeat later', async () => {
    const name = uniqueName('undo-drained');
    const q = closeAfterTest(new RedisJoinableQueue<number>({ name, url }));
    const watcher = closeAfterTest(new RedisJoinableQueue<number>({ name, url, heartbeat: 20_000 }));
    await q.put(1);
    expect(await q.get()).to.equal(1);
    const joining = watcher.join();
    await sleep(100);
    // The server is busy: the next PUT waits there past its put's timeout, then the server takes it.
    const busy = client.eval(BUSY, { keys: [], arguments: ['300'] });
    await sleep(20);
    const controller = new AbortController();
    const put = q.put(2, { signal: controller.signal }).catch((e: unknown) => e);
    await sleep(10);
    q.taskDone(); // its DONE runs after the PUT: unfinished 1, then the take-back closes the last task
    controller.abort();
    expect(await put).to.have.property('name', 'AbortError');
    await busy;
    const started = Date.now();
    await settles(joining, 5000);
    expect(Date.now() - started, 'drained is published when the take-back closes the last task').to.be.below(1000);
    expect(await q.qsize()).to.equal(0);
  });

  it('a handle woken for room whose waiting put has gone passes the hint on: another handle’s put goes in at once, not a second later', async () => {
    const name = uniqueName('hint-on');
    const a = closeAfterTest(new RedisQueue<string>({ name, url, maxsize: 1 }));
    const b = closeAfterTest(new RedisQueue<string>({ name, url, maxsize: 1 }));
    const c = closeAfterTest(new RedisQueue<string>({ name, url }));
    await a.put('full');
    const controller = new AbortController();
    const aWaits = a.put('a', { signal: controller.signal }).catch((e: unknown) => e);
    await sleep(100); // A blocks on the wake list first
    const bWaits = b.put('b');
    await sleep(100);
    controller.abort();
    await aWaits;
    await sleep(20);
    expect(await c.get()).to.equal('full');
    const started = Date.now();
    await settles(bWaits, 5000);
    expect(Date.now() - started, 'B’s put got the room freed').to.be.below(500);
    expect(await c.get()).to.equal('b');
  });

  it('end() from another handle makes the waiting puts of several handles reject ClosedError promptly', async () => {
    const name = uniqueName('end-waiters');
    const producers = [0, 1, 2, 3].map(() => closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 1 })));
    const ender = closeAfterTest(new RedisQueue<number>({ name, url }));
    await producers[0]?.put(0);
    const waiting = producers.map((p, i) => expectRejection(p.put(i + 1), ClosedError));
    await sleep(200);
    const started = Date.now();
    await ender.end();
    await settles(Promise.all(waiting), 5000);
    expect(Date.now() - started).to.be.below(500);
    expect(await ender.get()).to.equal(0);
    await expectRejection(ender.get(), ClosedError);
  });

  it('a put whose timeout passes while its PUT is on its way, and that a waiting consumer takes at once, resolves: it never rejects Full for an item that was delivered', async () => {
    const name = uniqueName('late-put');
    const q = closeAfterTest(new RedisQueue<number>({ name, url }));
    const consumer = closeAfterTest(new RedisQueue<number>({ name, url }));
    await q.qsize();
    const got = consumer.get();
    await sleep(100); // blocked in BLMOVE: served right after the PUT, before any take-back
    const busy = client.eval(BUSY, { keys: [], arguments: ['300'] });
    await sleep(20);
    const put = q.put(7, { timeout: 50 }).then(
      () => 'accepted',
      (e: unknown) => (e as Error).name,
    );
    await busy;
    expect(await settles(got)).to.equal(7);
    expect(await put, 'the item was delivered: its put was accepted').to.equal('accepted');
    expect(await q.qsize()).to.equal(0);
  });

  it('a put whose timeout passes while its PUT is on its way, and that the server refuses for room, rejects Full', async () => {
    const name = uniqueName('late-full');
    const q = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 1 }));
    await q.put(1);
    const busy = client.eval(BUSY, { keys: [], arguments: ['200'] });
    await sleep(20);
    const started = Date.now();
    await expectRejection(q.put(2, { timeout: 50 }), Full);
    await busy;
    expect(Date.now() - started).to.be.below(1000);
    expect(await q.qsize()).to.equal(1);
  });
});
