import { expect } from 'chai';
import { ProtocolError } from '../../../src/errors.js';
import { LinkHub } from '../../../src/transport/link/link-hub.js';
import { MemoryLink } from '../../../src/transport/link/memory-link.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { warningsDuring } from '../../support/warnings.js';

function hubs(): [LinkHub, LinkHub, MemoryLink, MemoryLink] {
  const a = new LinkHub({ id: 'a', authkey: new Uint8Array(32), listen: false });
  const b = new LinkHub({ id: 'b', authkey: new Uint8Array(32), listen: false });
  const [toB, toA] = MemoryLink.pair();
  a.adopt(toB, 'b');
  b.adopt(toA, 'a');
  return [a, b, toB, toA];
}

const reply = (rid: number): Message => ({ t: 'reply', rid });
const nextTurn = () => new Promise((r) => setImmediate(r));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};

describe('LinkHub', () => {
  it('a message type has one route: routing it a second time throws', async () => {
    const [a, b] = hubs();
    a.route(['reply'], () => {});
    expect(() => a.route(['credit', 'reply'], () => {})).to.throw(Error, '"reply" already');
    // Nothing of the refused call was taken: `credit` is still free.
    a.route(['credit'], () => {});
    await Promise.all([a.close(), b.close()]);
  });

  it('an exception thrown inside a route is reported as an rxmp bug, and the link it came on stays up', async () => {
    const [a, b, toB] = hubs();
    const got: number[] = [];
    b.route(['reply'], (m) => {
      const rid = (m as { rid: number }).rid;
      if (rid === 1) throw new TypeError('a bug in a handler');
      got.push(rid);
    });
    const warnings = await warningsDuring(() =>
      (async () => {
        toB.send(reply(1));
        await turns(4);
        toB.send(reply(2));
        await turns(4);
      })(),
    );
    expect(warnings.map((w) => w.code)).to.deep.equal(['RXMP_INTERNAL_ERROR']);
    expect(warnings[0]?.message).to.contain('a bug in a handler');
    expect(toB.closed, 'the peer is not blamed').to.equal(false);
    expect(got).to.deep.equal([2]);
    await Promise.all([a.close(), b.close()]);
  });

  it('a message that breaks the protocol cuts off the link it came on', async () => {
    const [a, b, toB, toA] = hubs();
    b.route(['reply'], () => {
      throw new ProtocolError('the peer broke the protocol');
    });
    const closed = new Promise<Error | undefined>((resolve) => toA.onClose((_, reason) => resolve(reason)));
    const warnings = await warningsDuring(() =>
      (async () => {
        toB.send(reply(1));
        return closed;
      })(),
    );
    expect(await closed).to.be.instanceOf(ProtocolError);
    expect(toB.closed, 'the peer sees the link gone').to.equal(true);
    expect(warnings.map((w) => w.code)).to.deep.equal(['ProtocolError']);
    await Promise.all([a.close(), b.close()]);
  });
});
