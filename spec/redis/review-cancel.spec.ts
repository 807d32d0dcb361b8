/** Review: gets cancelled at every moment (AbortSignal, short timeouts) while items arrive: each item is got exactly once. */
import { expect } from 'chai';
import { RedisQueue } from '../../src/redis/index.js';
import { sleep } from '../support/async.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { closeAfterTest, uniqueName } from './core-helpers.js';

describe('rxmp/redis review: cancelled gets racing deliveries', function () {
  this.timeout(60_000);
  let url: string;
  before(async function () {
    needRedis(this);
    url = await sharedRedis();
  });

  it('500 items, gets aborted or timing out at random moments on two handles: every item is got exactly once, in order per handle', async () => {
    const name = uniqueName('cancel-race');
    const producer = closeAfterTest(new RedisQueue<number>({ name, url, maxsize: 7 }));
    const consumers = [0, 1].map(() => closeAfterTest(new RedisQueue<number>({ name, url })));
    const n = 500;
    const got: number[][] = [[], []];
    let stop = false;
    const producing = (async () => {
      for (let i = 0; i < n; i++) {
        await producer.put(i);
        if (i % 7 === 0) await sleep(Math.random() * 3);
      }
    })();
    const consuming = consumers.map(async (c, ci) => {
      while (!stop) {
        const controller = new AbortController();
        const wait = Math.random() * 4;
        const mode = Math.random();
        const get =
          mode < 0.4 ? c.get({ signal: controller.signal }) : mode < 0.8 ? c.get({ timeout: Math.ceil(wait) }) : c.get({ block: false });
        if (mode < 0.4) setTimeout(() => controller.abort(), wait);
        const v = await get.catch(() => undefined);
        if (v !== undefined) got[ci]?.push(v);
      }
    });
    await producing;
    for (let i = 0; i < 400 && (got[0]?.length ?? 0) + (got[1]?.length ?? 0) < n; i++) await sleep(25);
    stop = true;
    await Promise.all(consuming);
    const all = [...(got[0] ?? []), ...(got[1] ?? [])].sort((a, b) => a - b);
    expect(all).to.deep.equal(Array.from({ length: n }, (_, i) => i));
    for (const g of got) expect(g, 'each handle gets in queue order').to.deep.equal([...g].sort((a, b) => a - b));
    expect(await producer.qsize()).to.equal(0);
  });
});
