/** The protocol's Lua scripts, run directly on the server: what each does to the keys (see src/redis/protocol.ts). */
import { expect } from 'chai';
import { createClient } from 'redis';
import { queueKeys } from '../../src/redis/protocol.js';
import { END, LEAVE, PUT, REAP, RECLAIM, RETURN, TAKE } from '../../src/redis/scripts.js';
import type { LuaScript } from '../../src/redis/port.js';
import { needRedis, sharedRedis } from '../support/redis-server.js';
import { uniqueName } from './core-helpers.js';

describe('rxmp/redis: the Lua scripts', function () {
  this.timeout(30_000);
  let client: ReturnType<typeof createClient>;
  before(async function () {
    needRedis(this);
    client = createClient({ url: await sharedRedis() });
    await client.connect();
  });
  after(() => client?.destroy());

  const run = (script: LuaScript, keys: string[], args: string[]) => client.eval(script.source, { keys, arguments: args });
  const put = (k: ReturnType<typeof queueKeys>, maxsize: number, entries: string[], joinable = false) =>
    run(PUT, [k.items, k.ended, k.unfinished, k.wake, k.ahead, k.gate('p')], [String(maxsize), joinable ? '1' : '0', '0', ...entries]);

  it('PUT appends in order only as many entries as maxsize leaves room for, and counts them as unfinished', async () => {
    const k = queueKeys(uniqueName('put'));
    expect(await put(k, 3, ['a', 'b', 'c', 'd', 'e'], true)).to.equal(3);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['a', 'b', 'c']);
    expect(await put(k, 3, ['d'], true)).to.equal(0);
    expect(await client.get(k.unfinished)).to.equal('3');
    expect(await put(k, 0, ['d', 'e'])).to.equal(2);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
  });

  it('PUT keeps a producer’s order across PUTs on their way: after one refused some, later ones refuse all until its retry', async () => {
    const k = queueKeys(uniqueName('gate'));
    const send = (entries: string[], retry: boolean) =>
      run(PUT, [k.items, k.ended, k.unfinished, k.wake, k.ahead, k.gate('p')], ['2', '0', retry ? '1' : '0', ...entries]);
    expect(await send(['a', 'b', 'c'], false)).to.equal(2);
    await client.lPop(k.items);
    // Room for one now, but 'c' waits: 'd' (sent before the producer heard) must not pass it.
    expect(await send(['d'], false)).to.equal(0);
    expect(await send(['c', 'd'], true)).to.equal(1);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['b', 'c']);
    await client.lPop(k.items);
    expect(await send(['d'], true)).to.equal(1);
    expect(await send(['e'], false)).to.equal(0);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['c', 'd']);
  });

  it('PUT refuses everything (-1) once END has run, and END says whether it ended the queue', async () => {
    const k = queueKeys(uniqueName('end'));
    expect(await run(END, [k.ended, '', '', k.wake], ['0', k.events])).to.equal(1);
    expect(await run(END, [k.ended, '', '', k.wake], ['0', k.events])).to.equal(0);
    expect(await put(k, 0, ['a'])).to.equal(-1);
    expect(await client.lLen(k.items)).to.equal(0);
  });

  it('TAKE moves from the head into the processing list, counts what it fetched ahead, and leaves one wake hint in a bounded queue', async () => {
    const k = queueKeys(uniqueName('take'));
    await put(k, 0, ['a', 'b', 'c']);
    const take = (count: number, handed: number) =>
      run(TAKE, [k.items, k.processing('c1'), k.ended, k.wake, k.ahead], ['5', '1', String(count), String(handed), 'c1']);
    expect(await take(2, 2)).to.deep.equal([1, 'a', 'b']);
    expect(await client.lRange(k.processing('c1'), 0, -1)).to.deep.equal(['a', 'b']);
    expect(await client.lLen(k.wake)).to.equal(1);
    expect(await client.hGet(k.ahead, 'c1')).to.equal(null);
    // Beyond the gets waiting (1 here), what it takes is fetched ahead: counted by the bound.
    await put(k, 0, ['d', 'e']);
    expect(await take(5, 1)).to.deep.equal([1, 'c', 'd', 'e']);
    expect(await client.hGet(k.ahead, 'c1')).to.equal('2');
    expect(await put(k, 4, ['f', 'g', 'h'])).to.equal(2);
    expect(await take(1, 1)).to.deep.equal([1, 'f']);
    expect(await take(1, 1)).to.deep.equal([1, 'g']);
    expect(await take(1, 1)).to.deep.equal([0]);
    await run(END, [k.ended, '', '', k.wake], ['0', k.events]);
    expect(await take(1, 1)).to.deep.equal([2, '0']);
  });

  it('RETURN puts entries back at the head, oldest first, out of the processing list', async () => {
    const k = queueKeys(uniqueName('return'));
    await put(k, 0, ['x', 'y']);
    await client.rPush(k.processing('c1'), ['a', 'b', 'c', 'd']);
    await client.hSet(k.ahead, 'c1', '2');
    await run(RETURN, [k.processing('c1'), k.items, k.ahead], ['c1', '2', 'a', 'a2', 'c', 'c', 'd', 'd']);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['a2', 'c', 'd', 'x', 'y']);
    expect(await client.lRange(k.processing('c1'), 0, -1)).to.deep.equal(['b']);
    expect(await client.hGet(k.ahead, 'c1')).to.equal(null);
  });

  it('REAP gives a consumer with no heartbeat its processing list back at the head, in order, and leaves live ones alone', async () => {
    const k = queueKeys(uniqueName('reap'));
    await put(k, 0, ['d']);
    await client.sAdd(k.consumers, ['dead', 'alive']);
    await client.set(k.heartbeat('alive'), '1', { PX: 10_000 });
    await client.rPush(k.processing('dead'), ['a', 'b', 'c']);
    await client.rPush(k.processing('alive'), ['z']);
    await client.hSet(k.ahead, { dead: '2', alive: '1' });
    expect(await run(REAP, [k.consumers, k.items, k.ahead], [k.prefix])).to.equal(3);
    expect(await client.hGetAll(k.ahead)).to.deep.equal({ alive: '1' });
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(await client.lRange(k.processing('alive'), 0, -1)).to.deep.equal(['z']);
    expect(await client.sMembers(k.consumers)).to.deep.equal(['alive']);
    expect(await run(REAP, [k.consumers, k.items, k.ahead], [k.prefix])).to.equal(0);
  });

  it('LEAVE gives a closing consumer’s processing list back at the head and forgets it', async () => {
    const k = queueKeys(uniqueName('leave'));
    await put(k, 0, ['c']);
    await client.sAdd(k.consumers, 'me');
    await client.set(k.heartbeat('me'), '1');
    await client.rPush(k.processing('me'), ['a', 'b']);
    expect(await run(LEAVE, [k.consumers, k.heartbeat('me'), k.processing('me'), k.items, k.ahead], ['me'])).to.equal(2);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['a', 'b', 'c']);
    expect(await client.exists(k.heartbeat('me'))).to.equal(0);
    expect(await client.sMembers(k.consumers)).to.deep.equal([]);
  });

  it('RECLAIM gives back, in order, what a consumer’s processing list holds beyond the entries it knows it holds', async () => {
    const k = queueKeys(uniqueName('reclaim'));
    await put(k, 0, ['z']);
    await client.rPush(k.processing('me'), ['a', 'held', 'b', 'a']);
    await client.hSet(k.ahead, 'me', '5');
    expect(await run(RECLAIM, [k.processing('me'), k.items, k.ahead], ['me', '1', 'held', 'a'])).to.equal(2);
    expect(await client.lRange(k.items, 0, -1)).to.deep.equal(['b', 'a', 'z']);
    expect(await client.lRange(k.processing('me'), 0, -1)).to.deep.equal(['a', 'held']);
    expect(await client.hGet(k.ahead, 'me')).to.equal('1');
    expect(await run(RECLAIM, [k.processing('me'), k.items, k.ahead], ['me', '0', 'held', 'a'])).to.equal(0);
    expect(await client.hGet(k.ahead, 'me')).to.equal(null);
  });

  it('every key of a queue shares one hash tag (one cluster slot)', () => {
    const k = queueKeys('jobs');
    const all = [k.items, k.consumers, k.unfinished, k.ended, k.wake, k.foreign, k.processing('c'), k.heartbeat('c')];
    for (const key of all) expect(key.startsWith('{rxmp:jobs}:')).to.equal(true);
  });
});
