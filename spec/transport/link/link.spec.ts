/** The Link contract, over each kind of link: delivery stops at a failure, flushes, encode failures. */
import { expect } from 'chai';
import { ProtocolError } from '../../../src/errors.js';
import { Link } from '../../../src/transport/link/link.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { settles, until } from '../../support/async.js';
import { warningsDuring } from '../../support/warnings.js';
import { itemsOf, linkPair, type LinkPair, type PairKind } from './pairs.js';

/** A value the wire encoding cannot write (it would call a "toJSON" that is not a function). */
const unencodable = () => ({ constructor: 1, toJSON: 'not a function' });

for (const kind of ['socket', 'port', 'memory'] as PairKind[]) {
  describe(`Link over a ${kind} link`, function () {
    this.timeout(20_000);
    let pair: LinkPair | undefined;
    afterEach(async () => {
      await pair?.dispose();
      pair = undefined;
    });

    it('a link that fails while delivering a batch delivers nothing after the message that failed it', async () => {
      pair = await linkPair(kind);
      const delivered: string[] = [];
      pair.b.onMessage((m, link) => {
        delivered.push(m.t);
        if (m.t === 'ack') link.fail(new ProtocolError('refused'));
      });
      const reason = new Promise<Error | undefined>((resolve) => pair?.b.onClose((_, why) => resolve(why)));
      pair.a.send({ t: 'ack', q: 'q', tag: 1, n: 1 });
      pair.a.send({ t: 'credit', q: 'q', n: 1 }); // the same batch, so the same frame
      expect(await settles(reason)).to.be.instanceOf(ProtocolError);
      expect(delivered).to.deep.equal(['ack']);
    });

    it('a failed link writes nothing of what was still pending, and takes no more sends', async () => {
      pair = await linkPair(kind);
      pair.a.send({ t: 'ack', q: 'q', tag: 1, n: 1 });
      pair.a.fail(new ProtocolError('cut'));
      pair.a.send({ t: 'ack', q: 'q', tag: 1, n: 2 });
      await settles(pair.b.whenClosed());
      expect(pair.got).to.deep.equal([]);
    });

    it('flushSync() with nothing pending returns true', async () => {
      pair = await linkPair(kind);
      await pair.a.drained();
      expect(pair.a.flushSync()).to.equal(true);
    });

    it('flushSync() writes what is pending now, not at the end of the turn, and returns true once it has left this process', async () => {
      pair = await linkPair(kind);
      pair.a.send({ t: 'ack', q: 'q', tag: 1, n: 1 });
      expect(pair.a.flushSync()).to.equal(true);
      if (kind !== 'memory') {
        // Cutting the link now drops what is still pending: what flushSync wrote is gone already.
        pair.a.fail(new ProtocolError('cut'));
        await settles(pair.b.whenClosed());
      } else {
        await until(() => pair!.got.length > 0);
      }
      expect(pair.got).to.deep.equal([{ t: 'ack', q: 'q', tag: 1, n: 1 }]);
    });

    it('an encode failure inside a flush is an RxmpWarning (RXMP_ENCODE_FAILED): the link stays open, the rest of the batch arrives and a lost put gives its credit back', async () => {
      pair = await linkPair(kind);
      const p = pair;
      const warnings = await warningsDuring(async () => {
        p.a.sendItem('put', 'q', 1);
        p.a.sendItem('put', 'q', unencodable());
        p.a.sendItem('put', 'q', 3);
        p.a.send({ t: 'ack', q: 'q', tag: 1, n: 4 });
        await until(() => p.got.some((m) => m.t === 'ack'));
      });
      expect(warnings.map((w) => w.code)).to.deep.equal(['RXMP_ENCODE_FAILED']);
      expect(itemsOf(p.got)).to.deep.equal([1, 3]);
      expect(p.got.filter((m) => m.t === 'refund')).to.deep.equal([{ t: 'refund', q: 'q', n: 1 }]);
      expect(p.a.closed || p.b.closed).to.equal(false);
      p.a.sendItem('put', 'q', 5);
      await until(() => itemsOf(p.got).includes(5));
    });
  });
}

describe('Link over a socket link, large batches', function () {
  this.timeout(30_000);
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.dispose();
    pair = undefined;
  });
  const maxFrame = 64 * 1024;
  const chunk = (i: number) => new Uint8Array(20 * 1024).fill(i);

  it('a batch larger than the frame limit arrives whole, in order, split into frames under the limit', async () => {
    pair = await linkPair('socket', { maxFrame });
    for (let i = 0; i < 10; i++) pair.a.sendItem('put', 'q', chunk(i));
    pair.a.send({ t: 'pdata', p: 'p', e: 1, seq: 1, data: [chunk(0), 'x', chunk(2), chunk(3), chunk(4)], raw: [0, 3] });
    pair.a.send({ t: 'items', q: 'r', tag: 4, items: [chunk(0), chunk(1), chunk(2), chunk(3)] });
    const p = pair;
    const leased = () => p.got.filter((m): m is Extract<Message, { t: 'items' }> => m.t === 'items' && m.q === 'r');
    await until(() => leased().some((m) => m.tag + m.items.length === 8));
    expect(itemsOf(p.got.filter((m) => m.t === 'put')).map((u) => (u as Uint8Array)[0])).to.deep.equal([...Array(10).keys()]);
    const pdata = p.got.filter((m): m is Extract<Message, { t: 'pdata' }> => m.t === 'pdata');
    expect(pdata.length, 'the pipe data went in several messages').to.be.above(1);
    let seq = 1;
    const values: unknown[] = [];
    const raw: number[] = [];
    for (const m of pdata) {
      expect(m.seq).to.equal(seq);
      for (const i of m.raw ?? []) raw.push(m.seq - 1 + i);
      values.push(...m.data);
      seq += m.data.length;
    }
    expect(values.map((v) => (typeof v === 'string' ? v : (v as Uint8Array)[0]))).to.deep.equal([0, 'x', 2, 3, 4]);
    expect(raw).to.deep.equal([0, 3]);
    // Split leased items keep their delivery tags: each part names its own first tag.
    expect(leased().length, 'the leased items went in several messages').to.be.above(1);
    expect(leased().flatMap((m) => m.items.map((_, i) => m.tag + i))).to.deep.equal([4, 5, 6, 7]);
    expect(leased().flatMap((m) => m.items.map((u) => (u as Uint8Array)[0]))).to.deep.equal([0, 1, 2, 3]);
    expect(p.b.closed).to.equal(false);
  });

  it('an item that can never fit a frame is dropped with an RxmpWarning, its put credit goes back, and the link goes on', async () => {
    pair = await linkPair('socket', { maxFrame });
    const p = pair;
    const warnings = await warningsDuring(async () => {
      p.a.sendItem('put', 'q', 1);
      p.a.sendItem('put', 'q', new Uint8Array(maxFrame + 1));
      p.a.sendItem('put', 'q', 3);
      await until(() => itemsOf(p.got).includes(3) && p.got.some((m) => m.t === 'refund'));
    });
    expect(warnings.map((w) => w.code)).to.deep.equal(['RXMP_ENCODE_FAILED']);
    expect(itemsOf(p.got)).to.deep.equal([1, 3]);
    expect(p.got.filter((m) => m.t === 'refund')).to.deep.equal([{ t: 'refund', q: 'q', n: 1 }]);
    expect(p.b.closed).to.equal(false);
  });

  it('flushSync() returns false while bytes still wait in this process, and drained() resolves once they have left', async () => {
    pair = await linkPair('socket');
    pair.a.sendItem('put', 'q', new Uint8Array(16 * 1024 * 1024));
    expect(pair.a.flushSync()).to.equal(false);
    await settles(pair.a.drained());
    const p = pair;
    await until(() => itemsOf(p.got).length === 1);
  });
});

/** A link that records what it writes, to see when the base class flushes. */
class RecordingLink extends Link {
  readonly frames: Uint8Array[] = [];
  constructor() {
    super();
    this.markReady();
  }
  hold(): void {}
  release(): void {}
  protected abort(): void {
    this.closedBy(undefined);
  }
  protected writeFrames(frames: Uint8Array[]): void {
    this.frames.push(...frames);
  }
  protected settledWrites(): boolean {
    return true;
  }
  protected end(): void {
    this.closedBy(undefined);
  }
}

describe('Link flushing', () => {
  it('a sender that never yields to the event loop still writes, once its pending batch is large enough', () => {
    const link = new RecordingLink();
    for (let i = 0; i < 100_000; i++) link.sendItem('put', 'q', i);
    expect(link.frames.length, 'frames written without a turn of the event loop').to.be.above(0);
    link.fail(new Error('done'));
  });

  it('a consumer that acks and marks done item after item sends one ack and one done per batch, the ack first', async () => {
    const pair = await linkPair('memory');
    for (let tag = 1; tag <= 3; tag++) {
      pair.a.sendCount('ack', 'q', 1, tag);
      pair.a.send({ t: 'done', q: 'q', tags: [tag] });
    }
    await until(() => pair.got.length >= 2);
    expect(pair.got).to.deep.equal([
      { t: 'ack', q: 'q', tag: 1, n: 3 },
      { t: 'done', q: 'q', tags: [1, 2, 3] },
    ]);
    await pair.dispose();
  });

  it('a consumer that acks item after item while it puts results into another queue sends one ack per batch', async () => {
    const pair = await linkPair('memory');
    for (let tag = 1; tag <= 3; tag++) {
      pair.a.send({ t: 'ack', q: 'tasks', tag, n: 1, hold: true, ...(tag > 1 ? { done: [tag - 1] } : {}) });
      pair.a.sendItem('put', 'results', tag * 10);
    }
    await until(() => pair.got.length >= 2);
    expect(pair.got).to.deep.equal([
      { t: 'ack', q: 'tasks', tag: 1, n: 3, hold: true, done: [1, 2] },
      { t: 'put', q: 'results', items: [10, 20, 30] },
    ]);
    await pair.dispose();
  });

  it('an ack does not fold past a message of its own queue other than a done', async () => {
    const pair = await linkPair('memory');
    pair.a.sendCount('ack', 'q', 1, 1);
    pair.a.send({ t: 'giveback', q: 'q', tags: [2] });
    pair.a.sendCount('ack', 'q', 1, 3);
    await until(() => pair.got.length >= 3);
    expect(pair.got.map((m) => m.t)).to.deep.equal(['ack', 'giveback', 'ack']);
    await pair.dispose();
  });

  it('a large item is written at once, without waiting for the end of the turn', () => {
    const link = new RecordingLink();
    link.sendItem('put', 'q', new Uint8Array(8 * 1024 * 1024));
    expect(link.frames.length).to.equal(1);
    link.fail(new Error('done'));
  });
});
