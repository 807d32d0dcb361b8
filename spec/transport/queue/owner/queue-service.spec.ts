/**
 * The owner's side of the queue protocol, driven by a peer in a second
 * runtime that writes hand-made messages on the real (in-memory) link: every
 * message naming delivery tags is checked against what that link holds, and
 * a violation costs the peer its link with nothing of that message applied.
 */
import { expect } from 'chai';
import { Full, JoinableQueue, ProtocolError, Queue } from '../../../../src/index.js';
import { kEndpoint } from '../../../../src/queue.js';
import type { LocalQueueEndpoint } from '../../../../src/transport/queue/owner/local-queue-endpoint.js';
import type { ItemsMsg, Message } from '../../../../src/wire/protocol/index.js';
import { MAX_FETCH } from '../../../../src/wire/protocol/queue.js';
import { expectRejection, settledWithin, settles } from '../../../support/async.js';
import { memoryRuntimes, pass } from '../../../support/runtimes.js';
import type { Runtime } from '../../../../src/transport/runtime.js';
import { rawPeerOn } from '../raw-peer.js';

const fifo = (q: Queue<unknown>) => (q[kEndpoint] as LocalQueueEndpoint<unknown>).fifo;
const tagsOf = (m: Message) => {
  const items = m as ItemsMsg;
  return items.items.map((_, i) => items.tag + i);
};

describe('QueueService (the owner side, one peer sending raw messages)', () => {
  describe('delivery tags on the wire', () => {
    it('answers attach with the first tag, and names the tags of the items it leases, in order', async () => {
      const q = new Queue<string>();
      for (const s of ['a', 'b', 'c']) await q.put(s);
      const { peer } = await rawPeerOn(q);
      expect(await peer.attach()).to.deep.include({ t: 'attached', tag: 1 });
      peer.send({ t: 'fetch', n: 2 });
      const first = await peer.next('items');
      expect(first).to.deep.include({ tag: 1, items: ['a', 'b'] });
      peer.send({ t: 'fetch', n: 1, try: true });
      expect(await peer.next('items')).to.deep.include({ tag: 3, items: ['c'], try: true });
      expect(fifo(q).leased).to.equal(3);
    });

    it('an ack frees exactly the slots of the tags it names', async () => {
      const q = new Queue<number>({ maxsize: 3 });
      for (let i = 0; i < 3; i++) await q.put(i);
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 3 });
      expect(tagsOf(await peer.next('items'))).to.deep.equal([1, 2, 3]);
      peer.send({ t: 'ack', tag: 2, n: 2 });
      await peer.settle();
      expect(fifo(q).leased).to.equal(1);
      peer.send({ t: 'giveback', tags: [1] });
      await peer.settle();
      expect(await q.get()).to.equal(0);
      expect(fifo(q).occupied).to.equal(0);
    });

    it('one ack that holds a run of tags may say, in the same message, that the first of them are already finished', async () => {
      // What a consumer's acks become once folded: ack 1 (hold), item 1 finished, ack 2 (hold, done [1]), …
      const q = new Queue<number>();
      for (let i = 0; i < 3; i++) await q.put(i);
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 3 });
      await peer.next('items');
      peer.send({ t: 'ack', tag: 1, n: 3, hold: true, done: [1, 2] });
      await peer.settle();
      expect(peer.link.closed, 'the peer keeps its link').to.equal(false);
      peer.send({ t: 'requeue', tags: [3] });
      await peer.settle();
      expect(await q.qsize()).to.equal(1);
      expect(await q.get()).to.equal(2);
    });

    const violations: [string, (send: (m: Record<string, unknown>) => void) => void][] = [
      ['an ack naming a tag it was not leased', (send) => send({ t: 'ack', tag: 2, n: 1 })],
      ['an ack of more tags than it was leased', (send) => send({ t: 'ack', tag: 1, n: 2 })],
      ['a giveback naming a tag it was not leased', (send) => send({ t: 'giveback', tags: [1, 7] })],
      ['a giveback naming a tag twice', (send) => send({ t: 'giveback', tags: [1, 1] })],
      ['a done for a delivery it does not hold', (send) => send({ t: 'done', tags: [1] })],
      ['a requeue of a delivery it leased but did not ack', (send) => send({ t: 'requeue', tags: [1] })],
      ['a put beyond its credits', (send) => send({ t: 'put', items: ['x'] })],
      ['a second attach', (send) => send({ t: 'attach' })],
    ];
    for (const [what, send] of violations) {
      it(`${what} costs the peer its link, and nothing of that message is applied`, async () => {
        const q = new JoinableQueue<string>({ maxsize: 4 });
        await q.put('a');
        await q.put('b');
        const { peer } = await rawPeerOn(q);
        await peer.attach();
        peer.send({ t: 'fetch', n: 1 });
        expect(tagsOf(await peer.next('items'))).to.deep.equal([1]);
        send((m) => peer.send(m));
        expect(await peer.dropped).to.be.instanceOf(ProtocolError);
        // The lost link's lease came back to the front; nothing else changed.
        expect(await q.qsize()).to.equal(2);
        expect(fifo(q).occupied).to.equal(2);
        expect(await q.get()).to.equal('a');
        expect(await q.get()).to.equal('b');
        q.taskDone();
        q.taskDone();
        await settles(q.join());
      });
    }
  });

  describe('requeue', () => {
    it('a peer that fetched nothing cannot requeue items into a bounded queue: it loses its link, the queue is unchanged', async () => {
      const q = new Queue<string>({ maxsize: 2 });
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'requeue', tags: [1, 2, 3, 4, 5], items: ['f1', 'f2', 'f3', 'f4', 'f5'] });
      expect(await peer.dropped).to.be.instanceOf(ProtocolError);
      expect(await q.qsize()).to.equal(0);
    });

    it('a JoinableQueue requeue puts back only what the link holds, the owner’s own copies, and keeps task accounting exact', async () => {
      const q = new JoinableQueue<{ n: number }>();
      await q.put({ n: 1 });
      await q.put({ n: 2 });
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 2 });
      expect(tagsOf(await peer.next('items'))).to.deep.equal([1, 2]);
      peer.send({ t: 'ack', tag: 1, n: 2 });
      peer.send({ t: 'requeue', tags: [2], items: [{ n: 666 }] });
      await peer.settle();
      const joined = q.join();
      expect(await q.get()).to.deep.equal({ n: 2 });
      q.taskDone();
      expect(await settledWithin(joined, 30), 'the item the peer holds is still open').to.equal(false);
      peer.send({ t: 'done', tags: [1] });
      await settles(joined);
      expect(await q.qsize()).to.equal(0);
    });

    it('a JoinableQueue requeue of more items than the peer got cannot make join() resolve while real items wait', async () => {
      const q = new JoinableQueue<string>({ maxsize: 2 });
      await q.put('real');
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'requeue', tags: [1, 2, 3], items: ['fake', 'fake', 'fake'] });
      expect(await peer.dropped).to.be.instanceOf(ProtocolError);
      const joined = q.join();
      expect(await q.get()).to.equal('real');
      expect(await settledWithin(joined, 30)).to.equal(false);
      q.taskDone();
      await settles(joined);
    });
  });

  describe('attempt counts (poison items)', () => {
    it('a requeue naming a tag as failed counts an attempt, and the item comes back with it in attempts; others carry none', async () => {
      const q = new JoinableQueue<string>();
      for (const s of ['a', 'b']) await q.put(s);
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 2 });
      expect(await peer.next('items')).to.not.have.property('attempts');
      peer.send({ t: 'ack', tag: 1, n: 2 });
      peer.send({ t: 'requeue', tags: [1, 2], failed: [1] });
      peer.send({ t: 'fetch', n: 2, try: true });
      expect(await peer.next('items')).to.deep.include({ tag: 3, items: ['a', 'b'], attempts: [1, 0] });
      peer.send({ t: 'ack', tag: 3, n: 2 });
      peer.send({ t: 'requeue', tags: [3], failed: [3] });
      peer.send({ t: 'done', tags: [4] });
      peer.send({ t: 'fetch', n: 1 });
      expect(await peer.next('items')).to.deep.include({ tag: 5, items: ['a'], attempts: [2] });
    });

    it('a requeue naming as failed a tag it does not requeue costs the peer its link, nothing applied', async () => {
      const q = new JoinableQueue<string>();
      await q.put('a');
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 1 });
      await peer.next('items');
      peer.send({ t: 'ack', tag: 1, n: 1 });
      peer.send({ t: 'requeue', tags: [1], failed: [2] });
      expect(await peer.dropped).to.be.instanceOf(ProtocolError);
    });

    it('a JoinableQueue item held by a link that is lost comes back with one more attempt; a lease never acked with none', async () => {
      const q = new JoinableQueue<string>();
      for (const s of ['held', 'leased']) await q.put(s);
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 2 });
      await peer.next('items');
      peer.send({ t: 'ack', tag: 1, n: 1 });
      await peer.settle();
      peer.link.fail(new Error('the consumer died'));
      await peer.dropped;
      const second = await rawPeerOn(q);
      await second.peer.attach();
      second.peer.send({ t: 'fetch', n: 2 });
      expect(await second.peer.next('items')).to.deep.include({ items: ['held'], attempts: [1] });
      const next = await second.peer.next('items');
      expect(next).to.deep.include({ items: ['leased'] });
      expect(next).to.not.have.property('attempts');
    });
  });

  describe('fetch waiters', () => {
    it(`a peer may park at most MAX_FETCH (${MAX_FETCH}) waiters on one queue: one more costs it its link, and its waiters go`, async () => {
      const q = new Queue<number>();
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: MAX_FETCH });
      await peer.settle();
      expect(fifo(q).waitingGetters).to.equal(MAX_FETCH);
      peer.send({ t: 'fetch', n: 1 });
      expect(await peer.dropped).to.be.instanceOf(ProtocolError);
      expect(fifo(q).waitingGetters).to.equal(0);
      await q.put(1);
      expect(await q.get()).to.equal(1);
    });

    it('an unfetch is answered with how many parked waiters it withdrew', async () => {
      const q = new Queue<number>();
      await q.put(7);
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'fetch', n: 5 });
      peer.send({ t: 'unfetch' });
      expect(await peer.next('items')).to.deep.include({ tag: 1, items: [7] });
      expect(await peer.next('unfetched')).to.deep.include({ n: 4 });
      expect(fifo(q).waitingGetters).to.equal(0);
    });
  });

  describe('credits and full()', () => {
    it('full() counts slots reserved by a producer’s credits, so it agrees with putNowait()', async () => {
      const q = new Queue<number>({ maxsize: 2 });
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      peer.send({ t: 'want', n: 2 });
      expect(await peer.next('credit')).to.deep.include({ n: 2 });
      expect(await q.qsize()).to.equal(0);
      expect(await q.full()).to.equal(true);
      await expectRejection(q.putNowait(1), Full);
      peer.send({ t: 'refund', n: 1 });
      await peer.settle();
      expect(await q.full()).to.equal(false);
      await q.putNowait(1);
    });

    it('a handle that holds no credit sees the slots other handles reserved: full() is true and putNowait() rejects Full', async () => {
      const [owner, a, b] = memoryRuntimes(3) as [Runtime, Runtime, Runtime];
      const q = new Queue<number>({ maxsize: 2 });
      const { peer } = await rawPeerOn(q, [owner, a]);
      await peer.attach();
      peer.send({ t: 'want', n: 2 });
      await peer.next('credit');
      const other = await pass(q, owner, b);
      expect(await other.full()).to.equal(true);
      await expectRejection(other.putNowait(1), Full);
      await other.close();
    });

    it('a handle that holds credits is not full for its own puts', async () => {
      const q = new Queue<number>({ maxsize: 2 });
      const [owner, other] = memoryRuntimes() as [Runtime, Runtime];
      const holder = await pass(q, owner, other);
      await holder.put(1); // its credit window is 2: one is left until it goes idle
      expect(await holder.full()).to.equal(false);
      await holder.putNowait(2);
      expect(await holder.full()).to.equal(true);
      await expectRejection(holder.putNowait(3), Full);
      await holder.close();
    });

    it('a want after the end is answered with ended', async () => {
      const q = new Queue<number>({ maxsize: 2 });
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      await q.end();
      await peer.next('ended');
      peer.send({ t: 'want', n: 2 });
      await peer.next('ended');
      expect(peer.all('credit')).to.deep.equal([]);
    });

    it('a peer that attaches after the end is told at once', async () => {
      const q = new Queue<number>();
      await q.end();
      const { peer } = await rawPeerOn(q);
      await peer.attach();
      await peer.next('ended');
    });
  });
});
