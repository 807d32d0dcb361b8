/**
 * The consuming half of a remote handle, through two runtimes joined in
 * memory: a real handle in one, the owner in the other, real messages
 * between them (and hand-made ones from the owner's side where a broken
 * owner is the point).
 */
import { expect } from 'chai';
import { lastValueFrom, take, toArray } from 'rxjs';
import { ClosedError, consume, JoinableQueue, ProtocolError, Queue } from '../../../../src/index.js';
import { kEndpoint } from '../../../../src/queue.js';
import type { LocalQueueEndpoint } from '../../../../src/transport/queue/owner/local-queue-endpoint.js';
import type { RemoteQueueEndpoint } from '../../../../src/transport/queue/remote/remote-queue-endpoint.js';
import { MAX_FETCH } from '../../../../src/wire/protocol/queue.js';
import { expectRejection, settles } from '../../../support/async.js';
import { closeReason, remoteHandle } from '../raw-peer.js';
import { pass } from '../../../support/runtimes.js';

const fifo = (q: Queue<unknown>) => (q[kEndpoint] as LocalQueueEndpoint<unknown>).fifo;
const turns = async (n = 6): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('RemoteConsumer (a real handle, its owner in another runtime of this process)', () => {
  it('items that do not carry the next delivery tags cost the owner its link: the handle hands out none of them', async () => {
    const q = new Queue<string>();
    const { handle, ownerSide, otherSide } = await remoteHandle(q);
    const waiting = handle.get();
    await turns();
    const id = (handle[kEndpoint] as RemoteQueueEndpoint<string>).id;
    ownerSide.send({ t: 'items', q: id, tag: 99, items: ['bogus'] });
    expect(await closeReason(otherSide)).to.be.instanceOf(ProtocolError);
    await expectRejection(waiting, ClosedError);
  });

  it('a handle ignores what its owner sent for an earlier handle on the same link, before answering its own attach', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 20; i++) await q.put(i);
    const { owner, other, handle: first } = await remoteHandle(q);
    // The first handle fetches a window, and closes while those items may still be on their way.
    expect(await lastValueFrom(first.observe({ prefetch: 8 }).pipe(take(1), toArray()))).to.deep.equal([0]);
    const closing = first.close();
    const second = await pass(q, owner, other);
    expect(second).to.not.equal(first);
    await closing;
    const got: number[] = [];
    for (let i = 1; i < 20; i++) got.push(await settles(second.get()));
    expect(got, 'each item once, in order: none of the first handle’s leases reached the second').to.deep.equal(
      [...Array(19).keys()].map((i) => i + 1),
    );
    await second.close();
  });

  it('an item whose consume() run fails goes back as the owner’s own copy, untouched by what the run did to its copy', async () => {
    const q = new Queue<{ n: number; touched?: boolean }>();
    await q.put({ n: 1 });
    const { handle } = await remoteHandle(q);
    const outcome = await lastValueFrom(
      consume(handle, (item: { n: number; touched?: boolean }) => {
        item.touched = true;
        throw new Error('run failed');
      }),
    ).then(
      () => 'completed',
      (e: Error) => e.message,
    );
    expect(outcome).to.equal('run failed');
    await turns();
    expect(await q.get()).to.deep.equal({ n: 1 });
    await handle.close();
  });

  it('a plain queue’s item that consume() finished is final: the owner holds nothing of it afterwards', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 5; i++) await q.put(i);
    await q.end();
    const { owner, handle } = await remoteHandle(q);
    const results = await lastValueFrom(consume(handle, async (n: number) => n * 2, { concurrency: 2 }).pipe(toArray()));
    expect(results.sort((a, b) => a - b)).to.deep.equal([0, 2, 4, 6, 8]);
    await handle.close();
    await turns();
    expect(owner.queueBroker.sessions, 'nothing held: the session is gone').to.equal(0);
  });

  it('a JoinableQueue item got by a handle whose link is lost is redelivered; a plain queue’s is not (it reached its application)', async () => {
    const j = new JoinableQueue<string>();
    const p = new Queue<string>();
    await j.put('task');
    await p.put('message');
    const joinable = await remoteHandle(j);
    const plain = await remoteHandle(p);
    expect(await joinable.handle.get()).to.equal('task');
    expect(await plain.handle.get()).to.equal('message');
    await turns();
    joinable.ownerSide.fail(new Error('cut'));
    plain.ownerSide.fail(new Error('cut'));
    await turns();
    expect(await j.qsize()).to.equal(1);
    expect(await j.get()).to.equal('task');
    expect(await p.qsize()).to.equal(0);
  });

  it(`70,000 waiting gets park at most MAX_FETCH (${MAX_FETCH}) fetches at the owner, and withdrawing them withdraws those`, async () => {
    const q = new Queue<number>();
    const { handle, otherSide } = await remoteHandle(q);
    const aborts = Array.from({ length: 70_000 }, () => new AbortController());
    const gets = aborts.map((ac) => handle.get({ signal: ac.signal }).catch(() => undefined));
    await turns();
    expect(fifo(q).waitingGetters).to.equal(MAX_FETCH);
    await q.put(42);
    await turns();
    for (const ac of aborts) ac.abort();
    await Promise.all(gets);
    await turns();
    expect(fifo(q).waitingGetters).to.equal(0);
    expect(otherSide.closed, 'the honest handle kept its link').to.equal(false);
    await handle.close();
  });

  it('fetched items nobody waits for go back to the front after the turn, in order', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 10; i++) await q.put(i);
    const { handle } = await remoteHandle(q);
    expect(await lastValueFrom(handle.observe({ prefetch: 6 }).pipe(take(2), toArray()))).to.deep.equal([0, 1]);
    await turns();
    expect(fifo(q).leased).to.equal(0);
    const rest: number[] = [];
    for (let i = 2; i < 10; i++) rest.push(await q.get());
    expect(rest).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    await handle.close();
  });
});
