/** A link over a MessagePort posts exactly the bytes of each batch. */
import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { PortLink } from '../../../src/transport/link/port-link.js';
import { itemsOf } from './pairs.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { until } from '../../support/async.js';

describe('PortLink', () => {
  it('after one large item, each later batch posts only its own bytes (not the encoder’s whole buffer)', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = new PortLink(port1);
    const b = new PortLink(port2);
    const got: Message[] = [];
    b.onMessage((m) => got.push(m));
    const posted: number[] = [];
    // Batches only (the first message on a port shares the link's words of memory).
    port2.on('message', (bytes: Uint8Array) => void (bytes instanceof Uint8Array && posted.push(bytes.buffer.byteLength)));
    try {
      a.sendItem('put', 'q', new Uint8Array(4 * 1024 * 1024));
      await until(() => got.length === 1);
      for (let i = 0; i < 5; i++) {
        a.sendItem('put', 'q', i);
        await until(() => got.length === 2 + i);
      }
      expect(itemsOf(got).slice(1)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(posted.length).to.equal(6);
      for (const size of posted.slice(1)) expect(size, 'bytes carried by a batch of one int').to.be.below(1024);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('shares a word of memory each way: what one side writes there, the other reads after it stopped', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = new PortLink(port1);
    const b = new PortLink(port2);
    try {
      await until(() => a.peerWords !== undefined && b.peerWords !== undefined);
      const word = a.ownWords.claim() as number;
      expect(a.ownWords.advance(word, 0, 17)).to.equal(true);
      expect(b.peerWords?.fence(word)).to.equal(17);
      expect(a.ownWords.advance(word, 17, 18), 'fenced by the reader').to.equal(false);
    } finally {
      port1.close();
      port2.close();
    }
  });
});
