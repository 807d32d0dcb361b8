/** A link over a MessagePort: writes its frames to a shared-memory ring each way, or (RXMP_RINGS=off) posts exactly the bytes of each batch. */
import { expect } from 'chai';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { PortLink } from '../../../src/transport/link/port-link.js';
import { itemsOf } from './pairs.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { until } from '../../support/async.js';

/** Two PortLinks over a fresh channel, `b`'s messages collected in `got`; both ports close once `body` is done. */
async function linked(
  body: (links: { a: PortLink; b: PortLink; got: Message[]; port1: MessagePort; port2: MessagePort }) => Promise<void>,
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const a = new PortLink(port1);
  const b = new PortLink(port2);
  const got: Message[] = [];
  b.onMessage((m) => got.push(m));
  try {
    await body({ a, b, got, port1, port2 });
  } finally {
    port1.close();
    port2.close();
  }
}

describe('PortLink', () => {
  afterEach(() => {
    delete process.env.RXMP_RINGS;
  });

  it('with RXMP_RINGS=off, after one large item, each later batch posts only its own bytes (not the encoder’s whole buffer)', async () => {
    process.env.RXMP_RINGS = 'off';
    await linked(async ({ a, got, port2 }) => {
      const posted: number[] = [];
      // Batches only (the first message on a port shares the link's words of memory).
      port2.on('message', (bytes: Uint8Array) => void (bytes instanceof Uint8Array && posted.push(bytes.buffer.byteLength)));
      a.sendItem('put', 'q', new Uint8Array(4 * 1024 * 1024));
      await until(() => got.length === 1);
      for (let i = 0; i < 5; i++) {
        a.sendItem('put', 'q', i);
        await until(() => got.length === 2 + i);
      }
      expect(itemsOf(got).slice(1)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(posted.length).to.equal(6);
      for (const size of posted.slice(1)) expect(size, 'bytes carried by a batch of one int').to.be.below(1024);
    });
  });

  it('shares a word of memory each way: what one side writes there, the other reads after it stopped', async () => {
    await linked(async ({ a, b }) => {
      await until(() => a.peerWords !== undefined && b.peerWords !== undefined);
      const word = a.ownWords.claim() as number;
      expect(a.ownWords.advance(word, 0, 17)).to.equal(true);
      expect(b.peerWords?.fence(word)).to.equal(17);
      expect(a.ownWords.advance(word, 17, 18), 'fenced by the reader').to.equal(false);
    });
  });

  it('each side writes to a ring of its own, announced on the port: frames keep their order, one too big for a ring included (posted in its place)', async () => {
    await linked(async ({ a, b, got }) => {
      const back: Message[] = [];
      a.onMessage((m) => back.push(m));
      b.sendItem('put', 'q', -1);
      await until(() => back.length === 1);
      expect([a.dataPlane, b.dataPlane]).to.deep.equal(['rings', 'rings']);
      for (let i = 0; i < 3000; i++) {
        if (!a.tryPutThrough('q', i)) a.sendItem('put', 'q', i);
        if (i === 1500) a.sendItem('put', 'q', new Uint8Array(3 << 20)); // over half a 1 MiB ring
        if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      await until(() => itemsOf(got).length === 3001);
      const items = itemsOf(got);
      expect((items.find((x) => x instanceof Uint8Array) as Uint8Array).length).to.equal(3 << 20);
      expect(items.filter((x) => typeof x === 'number')).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i));
    });
  });

  it('what a side wrote to its ring before its port closed (a thread terminated mid-turn) is delivered before the link reports closed', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = new PortLink(port1);
    const b = new PortLink(port2);
    const got: Message[] = [];
    b.onMessage((m) => got.push(m));
    let seenAtClose = -1;
    b.onClose(() => {
      seenAtClose = itemsOf(got).length;
    });
    await until(() => a.dataPlane === 'rings' && b.dataPlane === 'rings');
    for (let i = 0; i < 500; i++) expect(a.tryPutThrough('q', i), 'straight into the ring').to.equal(true);
    port1.close(); // nothing more from a; b's port closes too
    await until(() => seenAtClose >= 0);
    expect(seenAtClose).to.equal(500);
  });

  it('a put written through overtakes the acks, dones and fetches waiting for the end of the turn, never a message it must follow', async () => {
    await linked(async ({ a, b, got }) => {
      await until(() => a.dataPlane === 'rings' && b.dataPlane === 'rings');
      a.sendCount('ack', 'tasks', 1, 1);
      a.send({ t: 'done', q: 'tasks', tags: [1] });
      a.send({ t: 'fetch', q: 'tasks', n: 4 });
      expect(a.tryPutThrough('results', 10), 'only acks, a done and a fetch wait').to.equal(true);
      a.send({ t: 'want', q: 'results', n: 5 });
      expect(a.tryPutThrough('results', 11), 'a want waits: the put goes after it').to.equal(false);
      a.sendItem('put', 'results', 11);
      await until(() => got.length === 6);
      expect(got.map((m) => m.t)).to.deep.equal(['put', 'ack', 'done', 'fetch', 'want', 'put']);
      expect(itemsOf(got)).to.deep.equal([10, 11]);
    });
  });

  it('a put written through never overtakes a non-blocking fetch: the getNowait() before it answers from the queue as it was', async () => {
    await linked(async ({ a, b, got }) => {
      await until(() => a.dataPlane === 'rings' && b.dataPlane === 'rings');
      a.send({ t: 'fetch', q: 'q', n: 1, try: true });
      expect(a.tryPutThrough('q', 1), 'a fetch marked try waits: the put goes after it').to.equal(false);
      a.sendItem('put', 'q', 1);
      await until(() => got.length === 2);
      expect(got.map((m) => m.t)).to.deep.equal(['fetch', 'put']);
    });
  });
});
