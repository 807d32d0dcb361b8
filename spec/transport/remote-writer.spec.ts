/**
 * The writing half of a pipe end whose reader lives in another runtime,
 * driven message by message: the reader's home is played by hand.
 */
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { ValueMessage, type Outgoing } from '../../src/core/pipe-channel.js';
import { ClosedError } from '../../src/errors.js';
import type { Link } from '../../src/transport/link.js';
import { RemoteWriter } from '../../src/transport/pipe/remote-writer.js';

/** A link that records what the writer sends on it. */
function recordingLink(): { link: Link; sent: string[] } {
  const sent: string[] = [];
  const link = { closed: false, send: (m: { t: string; seq: number }) => sent.push(`${m.t} ${m.seq}`) } as unknown as Link;
  return { link, sent };
}

function send(writer: RemoteWriter, outgoing: Outgoing, log: string[], name: string): void {
  writer.send({ outgoing, accepted: () => log.push(`${name} sent`), failed: (e) => log.push(`${name} ${e.name}`) });
}

const message = (n: number): Outgoing => ({ message: new ValueMessage(n, 8) });

describe('RemoteWriter', () => {
  it('a message counts as sent when it goes out; the end of the stream only once the reader’s home says it arrived', () => {
    const { link, sent } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, { end: true }, log, 'end');
    expect(sent).to.deep.equal(['pdata 1', 'pend 2']);
    expect(log).to.deep.equal(['one sent']);
    writer.acked(1, 1);
    expect(log, 'only the message has arrived').to.deep.equal(['one sent']);
    writer.acked(2, 1);
    expect(log).to.deep.equal(['one sent', 'end sent']);
  });

  it('an end that arrived is confirmed by the hello of a reader that moved on', () => {
    const first = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(first.link, 0, 0);
    const log: string[] = [];
    send(writer, { end: true }, log, 'end');
    writer.hold(); // the reader moves
    const second = recordingLink();
    writer.bind(second.link, 1, 0);
    expect(log).to.deep.equal(['end sent']);
    expect(second.sent, 'nothing to resend').to.deep.equal([]);
  });

  it('an end whose reader goes away before confirming it fails with the reason', () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, { end: true }, log, 'end');
    writer.fail(new ClosedError('peer', 'gone'));
    expect(log).to.deep.equal(['end ClosedError']);
  });

  it('an unconfirmed end moves on with the writer’s state, and is sent again from there', () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, { end: true }, log, 'end');
    const state = writer.capture();
    expect(log).to.deep.equal(['one sent', 'end sent']);
    const moved = new RemoteWriter('p', 1, 1000, asyncScheduler, state);
    const there = recordingLink();
    moved.bind(there.link, 1, 1);
    expect(there.sent).to.deep.equal(['pend 2']);
  });
});
