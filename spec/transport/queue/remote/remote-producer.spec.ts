/**
 * The producing half of a remote handle, driven message by message: the
 * owner's answers are played by hand, in the orders a real link can deliver.
 */
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import type { Link } from '../../../../src/transport/link/link.js';
import type { RemoteContext } from '../../../../src/transport/queue/remote/remote-context.js';
import { RemoteProducer } from '../../../../src/transport/queue/remote/remote-producer.js';
import { ClosedError, Queue } from '../../../../src/index.js';
import { kEndpoint } from '../../../../src/queue.js';
import type { LocalQueueEndpoint } from '../../../../src/transport/queue/owner/local-queue-endpoint.js';
import { expectRejection } from '../../../support/async.js';
import { remoteHandle } from '../raw-peer.js';

/** What the producer sent toward the owner: the items put, in order, and its other requests. */
function recordingContext(maxsize: number): { ctx: RemoteContext; items: unknown[]; requests: string[] } {
  const items: unknown[] = [];
  const requests: string[] = [];
  const link = {
    sendItem: (_t: string, _q: string, item: unknown) => items.push(item),
    send: (m: { t: string; n?: number; try?: true }) => requests.push(`${m.t}${m.n === undefined ? '' : ` ${m.n}`}${m.try ? ' try' : ''}`),
    sendCount: () => {},
    flush: () => {},
  } as unknown as Link;
  const ctx: RemoteContext = {
    id: 'q1',
    maxsize,
    link,
    scheduler: asyncScheduler,
    failure: () => undefined,
    busy: () => {},
    sweepSoon: () => {},
  };
  return { ctx, items, requests };
}

function put(producer: RemoteProducer, item: number, log: string[], timeout?: number): void {
  producer.put(item, { accepted: () => log.push(`put ${item}`), failed: (e) => log.push(`put ${item} ${e.name}`) }, timeout);
}

describe('RemoteProducer', () => {
  it('a put made while a put with timeout 0 awaits its answer goes after it, whichever answer arrives first', () => {
    const { ctx, items, requests } = recordingContext(100);
    const producer = new RemoteProducer(ctx);
    const log: string[] = [];
    put(producer, 0, log); // no credit yet: waits, and asks for a window
    producer.onCredit(100, false);
    for (let i = 1; i < 100; i++) put(producer, i, log); // spends every credit; more were asked for early
    expect(requests).to.deep.equal(['want 101', 'want 51']);
    put(producer, 100, log, 0); // no credit on hand: asks the owner, without waiting in line
    put(producer, 101, log); // made after it
    producer.onCredit(50, false); // the earlier request's grant overtakes the try's answer
    expect(items.slice(-1)).to.deep.equal([99]);
    producer.onCredit(1, true);
    expect(items.slice(-2)).to.deep.equal([100, 101]);
    expect(log.slice(-2)).to.deep.equal(['put 100', 'put 101']);
  });

  it('a put with timeout 0 fails Full at once while an earlier put waits for room', () => {
    const { ctx, requests } = recordingContext(2);
    const producer = new RemoteProducer(ctx);
    const log: string[] = [];
    put(producer, 0, log); // waits for a credit
    put(producer, 1, log, 0);
    expect(log).to.deep.equal(['put 1 Full']);
    expect(requests.filter((r) => r.endsWith('try'))).to.deep.equal([]);
    producer.onCredit(2, false);
    expect(log).to.deep.equal(['put 1 Full', 'put 0']);
  });

  it('a put with timeout 0 that the owner has no room for fails Full', () => {
    const { ctx, items } = recordingContext(2);
    const producer = new RemoteProducer(ctx);
    const log: string[] = [];
    put(producer, 0, log, 0);
    producer.onCredit(0, true);
    expect(log).to.deep.equal(['put 0 Full']);
    expect(items).to.deep.equal([]);
  });
});

describe('RemoteProducer (a real handle, its owner in another runtime of this process)', () => {
  const fifo = (q: Queue<unknown>) => (q[kEndpoint] as LocalQueueEndpoint<unknown>).fifo;
  const turns = async (n = 8): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('puts with credits resolve without waiting for the owner, and credits left idle go back', async () => {
    const q = new Queue<number>({ maxsize: 8 });
    const { handle } = await remoteHandle(q);
    await handle.put(0); // the first put waits for the window
    const order: string[] = [];
    const second = handle.put(1).then(() => order.push('second put resolved'));
    await Promise.resolve();
    order.push('a microtask later');
    await second;
    expect(order, 'resolved from a credit on hand').to.deep.equal(['second put resolved', 'a microtask later']);
    // Refunded a few turns after the handle went idle (a refund may first let its pending request be granted).
    for (let i = 0; i < 100 && fifo(q).reserved > 0; i++) await turns(1);
    expect(fifo(q).reserved, 'idle credits refunded').to.equal(0);
    expect(await q.qsize()).to.equal(2);
    await handle.close();
  });

  it('a put with timeout 0 made while the end is on its way rejects ClosedError, not Full', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const { handle } = await remoteHandle(q);
    await turns();
    await q.end();
    // The handle has not heard of the end yet: it asks the owner, who answers with the end.
    await expectRejection(handle.put(1, { timeout: 0 }), ClosedError);
    await expectRejection(handle.put(2), ClosedError);
    await handle.close();
  });

  it('close() withdraws a waiting put: nothing reaches the queue, and the owner holds no credit for it', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1);
    const { handle } = await remoteHandle(q);
    const waiting = expectRejection(handle.put(2), ClosedError);
    await turns();
    await handle.close();
    await waiting;
    await turns();
    expect(await q.qsize()).to.equal(1);
    expect(fifo(q).reserved).to.equal(0);
    expect(fifo(q).waitingPutters).to.equal(0);
  });
});
