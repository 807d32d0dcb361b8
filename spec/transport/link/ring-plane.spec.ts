/** A socket link between two processes of one machine moves its frames to shared-memory rings (unless RXMP_RINGS=off). */
import { expect } from 'chai';
import type { SocketLink } from '../../../src/transport/link/socket-link.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { isControl, RingHandshake } from '../../../src/transport/link/ring-handshake.js';
import { RingPlane } from '../../../src/transport/link/ring-plane.js';
import { until } from '../../support/async.js';
import { type LinkPair, linkPair } from './pairs.js';

/** A socket link pair whose two sides both moved to the rings (one frame from b made the switch happen). */
async function switchedPair(): Promise<LinkPair> {
  const pair = await linkPair('socket');
  const { a, b } = sides(pair);
  b.send(put(-1));
  await until(() => a.dataPlane === 'rings' && b.dataPlane === 'rings');
  return pair;
}

function sides(pair: LinkPair): { a: SocketLink; b: SocketLink } {
  return { a: pair.a as SocketLink, b: pair.b as SocketLink };
}

const put = (i: number): Message => ({ t: 'put', q: 'q', items: [i] }) as Message;
const itemsOf = (got: Message[]): unknown[] => got.flatMap((m) => (m as { items?: unknown[] }).items ?? []);

describe('socket links: the shared-memory data plane', () => {
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.dispose();
    pair = undefined;
    delete process.env.RXMP_RINGS;
  });

  it('switches both directions to rings after the handshake; frames keep their order, a frame too big for a ring included', async () => {
    pair = await linkPair('socket');
    const p = pair;
    const a = p.a as SocketLink;
    const b = p.b as SocketLink;
    const back: Message[] = [];
    b.onMessage((m) => back.push(m));
    a.onMessage(() => undefined);
    b.send(put(-1)); // b's side switches once it hears the offer; a's once it hears the answer
    await until(() => a.dataPlane === 'rings' && b.dataPlane === 'rings');
    for (let i = 0; i < 3000; i++) {
      a.send(put(i));
      if (i === 1500) a.send({ t: 'put', q: 'q', items: [new Uint8Array(3 << 20)] } as Message); // over half a 1 MiB ring: on the socket, in its place
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => itemsOf(p.got).length === 3001);
    const items = itemsOf(p.got);
    expect(items[1501]).to.be.instanceOf(Uint8Array);
    expect((items[1501] as Uint8Array).length).to.equal(3 << 20);
    expect(items.filter((x) => typeof x === 'number')).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('what a side wrote to its ring before it went is delivered before the link reports closed', async () => {
    pair = await switchedPair();
    const p = pair;
    const { a, b } = sides(p);
    let seenAtClose = -1;
    b.onClose(() => {
      seenAtClose = itemsOf(p.got).length;
    });
    for (let i = 0; i < 500; i++) a.send(put(i));
    expect(a.flushSync(), 'in the ring: it has left this side').to.equal(true);
    a.fail(new Error('gone')); // the socket is destroyed; the ring still holds the 500
    await until(() => seenAtClose >= 0);
    expect(seenAtClose).to.equal(500);
  });

  it('a put of one item goes into the ring at once, as a record of its own, in order with the batches around it', async () => {
    pair = await switchedPair();
    const p = pair;
    const { a } = sides(p);
    expect(a.writesThrough).to.equal(true);
    const other = { t: 'put', q: 'other', items: ['x'] } as Message;
    expect(a.tryPutThrough('q', { n: 0, s: 'zero', m: new Map([[1, 2]]) })).to.equal(true);
    expect(a.tryPutThrough('q', 1)).to.equal(true);
    a.send(other);
    expect(a.tryPutThrough('q', 2), 'a batch waits: this one would overtake it').to.equal(false);
    a.send(put(2));
    expect(a.flushSync()).to.equal(true);
    expect(a.tryPutThrough('q', 3)).to.equal(true);
    expect(a.tryPutThrough('other', 'y')).to.equal(true);
    expect(a.tryPutThrough('q', 4)).to.equal(true);
    await until(() => itemsOf(p.got).length === 7);
    const seen = p.got.map((m) => [(m as { q: string }).q, (m as { items: unknown[] }).items]);
    expect(seen).to.deep.equal([
      ['q', [{ n: 0, s: 'zero', m: new Map([[1, 2]]) }, 1]], // a run of one-item puts into one queue arrives as one put
      ['other', ['x']],
      ['q', [2]],
      ['q', [3]],
      ['other', ['y']],
      ['q', [4]],
    ]);
  });

  it('no put goes into the ring at the call while bytes written before it still wait in the socket (a large frame its marker stands for)', async () => {
    pair = await switchedPair();
    const p = pair;
    const { a } = sides(p);
    a.send({ t: 'put', q: 'q', items: [new Uint8Array(32 << 20)] } as Message); // far more than the socket's buffer
    expect(a.flushSync(), 'the large frame still waits in the socket').to.equal(false);
    expect(a.tryPutThrough('q', 1), 'it would resolve before the frame before it could survive this side').to.equal(false);
    await a.drained();
    expect(a.tryPutThrough('q', 2)).to.equal(true);
    await until(() => itemsOf(p.got).length === 2);
    expect(itemsOf(p.got)[1]).to.equal(2);
  });

  it('a malformed record in the ring fails the link with a ProtocolError, delivering nothing of it', async () => {
    pair = await switchedPair();
    const p = pair;
    const { a, b } = sides(p);
    let reason: Error | undefined;
    b.onClose((_, why) => {
      reason = why;
    });
    // A record that says "one-item put" with a queue id running past its end.
    const plane = (a as unknown as { plane: RingPlane }).plane;
    plane.recordsOut.head = new Uint8Array([0xc1, 1, 200]);
    plane.recordsOut.headLength = 3;
    expect(plane.tryWriteRecord(new Uint8Array([1]))).to.equal(true);
    await until(() => reason !== undefined);
    expect(reason?.name).to.equal('ProtocolError');
    expect(itemsOf(p.got)).to.deep.equal([]);
  });

  it('with RXMP_RINGS=off every frame stays on the socket', async () => {
    process.env.RXMP_RINGS = 'off';
    pair = await linkPair('socket');
    const a = pair.a as SocketLink;
    const b = pair.b as SocketLink;
    b.send(put(-1));
    a.send(put(1));
    const p = pair;
    await until(() => itemsOf(p.got).length === 1);
    expect([a.dataPlane, b.dataPlane]).to.deep.equal(['socket', 'socket']);
  });
});

describe('RingHandshake', () => {
  const io = (out: Uint8Array[]) => ({
    writeSocket: (frame: Uint8Array) => out.push(frame.subarray(4)),
    deliver: () => undefined,
    deliverMessage: () => undefined,
    drained: () => undefined,
    fail: (error: Error) => {
      throw error;
    },
  });
  const side = (out: Uint8Array[]) => {
    const plane = new RingPlane(io(out), 4);
    return { plane, handshake: new RingHandshake(plane, (frame) => out.push(frame.subarray(4)), 4) };
  };

  /** A client and a listener's side, unconnected: each one's socket frames (their payloads) pile up for the other. */
  const sidesOfALink = () => {
    const toServer: Uint8Array[] = [];
    const toClient: Uint8Array[] = [];
    const client = side(toServer);
    const server = side(toClient);
    return {
      client,
      server,
      toServer,
      toClient,
      stop: () => {
        client.plane.stop();
        server.plane.stop();
      },
    };
  };

  it('a listener that cannot map the rings refuses, and both sides stay on the socket', () => {
    const { client, server, toServer, toClient, stop } = sidesOfALink();
    client.handshake.offer();
    const offer = toServer.shift() as Uint8Array;
    expect(isControl(offer)).to.equal(true);
    // Rings of a size the listener does not expect (as if made by another version): refused.
    const body = JSON.parse(new TextDecoder().decode(offer.subarray(2))) as { memory: { size: number } };
    body.memory.size += 8;
    const tampered = new Uint8Array([...offer.subarray(0, 2), ...new TextEncoder().encode(JSON.stringify(body))]);
    server.handshake.control(tampered);
    expect([server.plane.writesRing, server.plane.readsRing]).to.deep.equal([false, false]);
    client.handshake.control(toClient.shift() as Uint8Array);
    expect([client.plane.writesRing, client.plane.readsRing]).to.deep.equal([false, false]);
    stop();
  });

  it('offer, accept, switched: each side writes to the ring right after its last socket frame, and reads the other', () => {
    const { client, server, toServer, toClient, stop } = sidesOfALink();
    client.handshake.offer();
    server.handshake.control(toServer.shift() as Uint8Array); // OFFER
    expect([server.plane.writesRing, server.plane.readsRing], 'S after ACCEPT').to.deep.equal([true, false]);
    client.handshake.control(toClient.shift() as Uint8Array); // ACCEPT
    expect([client.plane.writesRing, client.plane.readsRing], 'C after SWITCHED').to.deep.equal([true, true]);
    server.handshake.control(toServer.shift() as Uint8Array); // SWITCHED
    expect([server.plane.writesRing, server.plane.readsRing], 'S reads').to.deep.equal([true, true]);
    expect([toServer.length, toClient.length], 'nothing more on the socket').to.deep.equal([0, 0]);
    stop();
  });

  it('a control frame out of turn (SWITCHED before any OFFER) is a protocol error', () => {
    const { client, server, toServer, toClient, stop } = sidesOfALink();
    client.handshake.offer();
    server.handshake.control(toServer.shift() as Uint8Array);
    client.handshake.control(toClient.shift() as Uint8Array);
    const switched = toServer.shift() as Uint8Array;
    const stranger = side([]);
    expect(() => stranger.handshake.control(switched)).to.throw(/unexpected link-control frame \(4\)/);
    stop();
    stranger.plane.stop();
  });
});

describe('socket links on rings: the exit flush', () => {
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.dispose();
    pair = undefined;
    delete process.env.RXMP_RINGS;
  });

  it('flushAtExit writes what is pending into the ring, synchronously, and the peer reads it', async () => {
    pair = await switchedPair();
    const p = pair;
    const { a } = sides(p);
    for (let i = 0; i < 200; i++) a.send(put(i));
    a.flushAtExit();
    a.fail(new Error('exited')); // drops whatever is still pending: only what the exit flush wrote arrives
    await until(() => itemsOf(p.got).length === 200);
    expect(itemsOf(p.got)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
  });
});
