import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { PipeChannel, sizeOf, type RecvWaiter, type SendWaiter } from '../../../src/core/pipe/pipe-channel.js';
import { Timeline, testScheduler } from '../../support/marbles.js';

const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);

function sender(tag: string, log: (e: string) => void, outgoing: SendWaiter['outgoing']): SendWaiter {
  return { outgoing, accepted: () => log(`${tag} sent`), failed: (e) => log(`${tag} ${e.name}`) };
}
function receiver(log: (e: string) => void): RecvWaiter {
  return {
    delivered: (b) => log(`recv ${sizeOf(b)}`),
    failed: (e) => log(`recv ${e.name}`),
    ended: (e) => log(e ? `recv end ${e.message}` : 'recv end'),
  };
}

describe('PipeChannel', () => {
  it('accepts sends while they fit the window, and holds the rest in order', () => {
    const ch = new PipeChannel(100, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    ch.send(sender('a', l, { message: bytes(60) }));
    ch.send(sender('b', l, { message: bytes(60) }));
    ch.send(sender('c', l, { message: bytes(10) })); // fits, but must not overtake b
    expect(log).to.deep.equal(['a sent']);
    ch.recv(receiver(l));
    expect(log).to.deep.equal(['a sent', 'recv 60', 'b sent', 'c sent']);
    expect(ch.buffered).to.equal(70);
  });

  it('lets one message larger than the window through when the buffer is empty', () => {
    const ch = new PipeChannel(10, asyncScheduler);
    const log: string[] = [];
    ch.send(sender('big', log.push.bind(log), { message: bytes(1000) }));
    expect(log).to.deep.equal(['big sent']);
  });

  it('delivers the end behind every message sent before it', () => {
    const ch = new PipeChannel(100, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    ch.send(sender('a', l, { message: bytes(80) }));
    ch.send(sender('b', l, { message: bytes(80) }));
    ch.send(sender('end', l, { end: true }));
    for (let i = 0; i < 3; i++) ch.recv(receiver(l));
    expect(log).to.deep.equal(['a sent', 'recv 80', 'b sent', 'end sent', 'recv 80', 'recv end']);
  });

  it('carries an error end to the reader after the messages', () => {
    const ch = new PipeChannel(100, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    ch.send(sender('a', l, { message: bytes(1) }));
    ch.send(sender('end', l, { end: true, error: new Error('upstream failed') }));
    ch.recv(receiver(l));
    ch.recv(receiver(l));
    expect(log.slice(2)).to.deep.equal(['recv 1', 'recv end upstream failed']);
  });

  it('withdrawing a big waiting send lets smaller ones behind it through', () => {
    const ch = new PipeChannel(100, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    ch.send(sender('a', l, { message: bytes(90) }));
    const big = ch.send(sender('big', l, { message: bytes(50) }));
    ch.send(sender('small', l, { message: bytes(5) }));
    expect(ch.cancelSend(big!)).to.equal(true);
    expect(log).to.deep.equal(['a sent', 'small sent']);
  });

  it('times out sends, receives and polls in virtual time', () => {
    testScheduler().run(({ flush }) => {
      const t = new Timeline(asyncScheduler);
      const ch = new PipeChannel(10, asyncScheduler);
      ch.recv(
        receiver((e) => t.log(e)),
        3,
      );
      ch.poll({ answered: (ready) => t.log(`poll ${ready}`), failed: (e) => t.log(`poll ${e.name}`) }, 4);
      asyncScheduler.schedule(() => {
        ch.send(sender('a', (e) => t.log(e), { message: bytes(10) }));
        ch.send(
          sender('b', (e) => t.log(e), { message: bytes(10) }),
          2,
        );
      }, 6);
      flush();
      expect(t.events).to.deep.equal([
        [3, 'recv Empty'],
        [4, 'poll false'],
        [6, 'a sent'],
        [8, 'b Full'],
      ]);
    });
  });

  it('answers a waiting poll in the frame a message arrives, without consuming it', () => {
    const ch = new PipeChannel(10, asyncScheduler);
    const log: string[] = [];
    ch.poll({ answered: (r) => log.push(`poll ${r}`), failed: (e) => log.push(`poll ${e.name}`) });
    ch.send(sender('a', log.push.bind(log), { message: bytes(1) }));
    expect(log).to.deep.equal(['poll true', 'a sent']);
    expect(ch.messages).to.equal(1);
  });

  it('closing the reader drops unread messages and breaks the writer’s pipe', () => {
    const ch = new PipeChannel(10, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    ch.send(sender('a', l, { message: bytes(10) }));
    ch.send(sender('b', l, { message: bytes(10) }));
    ch.closeReader();
    ch.send(sender('c', l, { message: bytes(1) }));
    expect(log).to.deep.equal(['a sent', 'b ClosedError', 'c ClosedError']);
    expect(ch.buffered).to.equal(0);
  });
});
