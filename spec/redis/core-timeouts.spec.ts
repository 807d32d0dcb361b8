/**
 * Redis queues' timeouts run on the queue's scheduler, not the server's
 * (whose blocking timeouts are ~100 ms coarse at hz 10): in virtual time a
 * deadline fires at its frame whatever the server has answered, and what
 * the server did meanwhile is undone or given back.
 */
import { expect } from 'chai';
import { Empty, Full } from '../../src/index.js';
import { RedisJoinableQueue, RedisQueue } from '../../src/redis/index.js';
import { settles, sleep } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

describe('rxmp/redis: timeouts on the queue’s scheduler', function () {
  this.timeout(30_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  it('get$ with a timeout errors Empty at its frame in virtual time, and takes nothing', async () => {
    const scheduler = testScheduler();
    const name = uniqueName('marble-get');
    const q = closeAfterTest(new RedisQueue<string>({ name, url, scheduler }));
    scheduler.run(({ expectObservable }) => {
      expectObservable(q.get$({ timeout: 10 })).toBe('10ms #', undefined, new Empty(10));
    });
    const other = closeAfterTest(new RedisQueue<string>({ name, url }));
    await other.put('kept');
    await sleep(50);
    expect(await settles(other.get())).to.equal('kept');
  });

  it('put$ on a full queue with a timeout errors Full at its frame, and nothing is enqueued', async () => {
    const scheduler = testScheduler();
    const name = uniqueName('marble-put');
    const q = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 1, scheduler }));
    await q.put(1);
    scheduler.run(({ expectObservable }) => {
      expectObservable(q.put$(2, { timeout: 3 })).toBe('3ms #', undefined, new Full(1, 3));
    });
    await sleep(100);
    expect(await q.qsize()).to.equal(1);
    expect(await q.get()).to.equal(1);
  });

  it('a put whose timeout passes while its PUT is on its way is taken back if the server took it', async () => {
    const scheduler = testScheduler();
    const name = uniqueName('marble-undo');
    const q = closeAfterTest(new RedisJoinableQueue<number>({ name, url, scheduler }));
    await q.qsize(); // connected
    scheduler.run(({ expectObservable }) => {
      // Unbounded: the server takes it, but the deadline passes in virtual time before it answers.
      expectObservable(q.put$(5, { timeout: 1 })).toBe('1ms #', undefined, new Full(Infinity, 1));
    });
    await sleep(100);
    expect(await q.qsize()).to.equal(0);
    await settles(q.join({ timeout: 1000 }));
  });

  it('a get whose timeout passes after the server handed it an item puts the item back at the head', async () => {
    const scheduler = testScheduler();
    const name = uniqueName('marble-back');
    const q = closeAfterTest(new RedisJoinableQueue<string>({ name, url, scheduler }));
    await q.put('first');
    await q.put('second');
    scheduler.run(({ expectObservable }) => {
      expectObservable(q.get$({ timeout: 2 })).toBe('2ms #', undefined, new Empty(2));
    });
    await sleep(100);
    expect(await q.qsize()).to.equal(2);
    expect(await q.get()).to.equal('first');
    q.taskDone();
  });
});
