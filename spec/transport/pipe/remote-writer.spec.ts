/**
 * The writing half of a pipe end whose reader lives in another runtime,
 * driven message by message: the reader's home is played by hand.
 */
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { ValueMessage, type Outgoing } from '../../../src/core/pipe/pipe-channel.js';
import { ClosedError } from '../../../src/errors.js';
import type { Link } from '../../../src/transport/link/link.js';
import { RemoteWriter } from '../../../src/transport/pipe/remote-writer.js';

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

/** Whether `promise` has settled by the time pending microtasks have run. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('RemoteWriter', () => {
  it('settled() resolves once the reader’s home has received every message and the end', async () => {
    const { link, sent } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, { end: true }, log, 'end');
    expect(sent).to.deep.equal(['pdata 1', 'pend 2']);
    expect(log, 'both went out').to.deep.equal(['one sent', 'end sent']);
    const settled = writer.settled();
    writer.acked(1, 1);
    expect(await settledNow(settled), 'only the message has arrived').to.equal(false);
    writer.acked(2, 1);
    expect(await settledNow(settled)).to.equal(true);
    expect(await settledNow(writer.settled()), 'nothing outstanding: at once').to.equal(true);
  });

  it('the hello of a reader that moved on confirms what it had received; the rest is sent again', async () => {
    const first = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(first.link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, { end: true }, log, 'end');
    const settled = writer.settled();
    writer.hold(); // the reader moves
    const second = recordingLink();
    writer.bind(second.link, 1, 0);
    expect(second.sent, 'what it had not received').to.deep.equal(['pend 2']);
    expect(await settledNow(settled)).to.equal(false);
    writer.acked(2, 2);
    expect(await settledNow(settled)).to.equal(true);
  });

  it('settled() resolves when the reader goes away before confirming (sends fail instead)', async () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, { end: true }, log, 'end');
    const settled = writer.settled();
    writer.fail(new ClosedError('peer', 'gone'));
    expect(await settledNow(settled)).to.equal(true);
    send(writer, message(2), log, 'two');
    expect(log).to.deep.equal(['end sent', 'two ClosedError']);
  });

  it('what is unconfirmed moves on with the writer’s state and is sent again from its new home', async () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, { end: true }, log, 'end');
    const settled = writer.settled();
    const state = writer.capture();
    expect(await settledNow(settled), 'handed over').to.equal(true);
    const moved = new RemoteWriter('p', 1, 1000, asyncScheduler, state);
    const there = recordingLink();
    const settledThere = moved.settled();
    moved.bind(there.link, 1, 1);
    expect(there.sent).to.deep.equal(['pend 2']);
    expect(await settledNow(settledThere)).to.equal(false);
    moved.acked(2, 2);
    expect(await settledNow(settledThere)).to.equal(true);
  });

  it('whenDone() waits for sends still waiting for room too, then for the reader’s home to have them', async () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 10, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    send(writer, message(2), log, 'two'); // the window holds one of these
    send(writer, { end: true }, log, 'end');
    const done = writer.whenDone();
    writer.acked(1, 1);
    expect(await settledNow(done), 'two and the end only just went out').to.equal(false);
    writer.acked(3, 3);
    expect(await settledNow(done)).to.equal(true);
  });

  it('a writer that knows its reader closed stays broken at its new home; one that settled stays settled', async () => {
    const { link } = recordingLink();
    const writer = new RemoteWriter('p', 1, 1000, asyncScheduler);
    writer.bind(link, 0, 0);
    const log: string[] = [];
    send(writer, message(1), log, 'one');
    writer.acked(1, 0);
    const settledThere = new RemoteWriter('p', 1, 1000, asyncScheduler, writer.capture());
    expect(await settledNow(settledThere.settled()), 'no hello needed to know').to.equal(true);
    const broken = new RemoteWriter('p', 1, 1000, asyncScheduler);
    broken.fail(new ClosedError('peer', 'peer end is closed (broken pipe): its reader closed'));
    const there = new RemoteWriter('p', 1, 1000, asyncScheduler, broken.capture());
    send(there, message(2), log, 'two');
    expect(log).to.deep.equal(['one sent', 'two ClosedError']);
  });
});
