import { expect } from 'chai';
import { ClosedError, Queue } from '../src/index.js';
import { kEndpoint } from '../src/queue.js';
import type { LocalQueueEndpoint } from '../src/transport/queue/owner/local-queue-endpoint.js';
import { expectRejection, settledWithin } from './support/async.js';
import { queueConformance } from './conformance/queue.suite.js';

queueConformance('in-process', async (options) => new Queue(options));

describe('Queue (in-process specifics)', () => {
  it('close() withdraws a waiting put: the queue still holds only what it held', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1);
    const waiting = expectRejection(q.put(2), ClosedError);
    await q.close();
    await waiting;
    const fifo = (q[kEndpoint] as LocalQueueEndpoint<number>).fifo;
    expect(fifo.size).to.equal(1);
    expect(fifo.waitingPutters).to.equal(0);
  });

  it('a get with a timeout longer than a timer can hold waits instead of failing at once', async () => {
    const q = new Queue<number>();
    const pending = q.get({ timeout: 2 ** 31 });
    expect(await settledWithin(pending, 30)).to.equal(false);
    await q.put(1);
    expect(await pending).to.equal(1);
  });

  it('an abort that happens while the item is being copied withdraws the put instead of hanging', async () => {
    const q = new Queue<unknown>({ maxsize: 1 });
    await q.put('full');
    const ac = new AbortController();
    const item = {
      get trap() {
        ac.abort(new Error('aborted during the copy'));
        return 1;
      },
    };
    const outcome = await q.put(item, { signal: ac.signal }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(outcome).to.equal('aborted during the copy');
    expect(await q.qsize()).to.equal(1);
  });

  it('two waiting next() calls of an async iterator are both withdrawn by return(): nothing is taken for them', async () => {
    const q = new Queue<number>();
    const it = q[Symbol.asyncIterator]();
    const first = it.next();
    const second = it.next();
    await it.return?.();
    expect(await first).to.deep.equal({ done: true, value: undefined });
    expect(await second).to.deep.equal({ done: true, value: undefined });
    await q.put(1);
    expect(await q.qsize()).to.equal(1);
  });
});
