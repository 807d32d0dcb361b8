/** rxmp's diagnostics channels, as a tool subscribed with `node:diagnostics_channel` sees them. */
import { expect } from 'chai';
import diagnosticsChannel from 'node:diagnostics_channel';
import { consume, diagnosticChannels, JoinableQueue, Pipe, Queue } from '../src/index.js';
import { settles, sleep, until } from './support/async.js';
import { startChild } from './support/children.js';

/** Records every message on `name` until `stop()`. */
function record(name: string): { messages: Record<string, unknown>[]; stop(): void } {
  const messages: Record<string, unknown>[] = [];
  const listener = (message: unknown): void => void messages.push(message as Record<string, unknown>);
  diagnosticsChannel.subscribe(name, listener);
  return { messages, stop: () => diagnosticsChannel.unsubscribe(name, listener) };
}

describe('diagnostics channels', function () {
  this.timeout(60_000);

  it('the exported names are the channels rxmp publishes on', () => {
    expect(diagnosticChannels).to.include({
      linkOpen: 'rxmp:link:open',
      linkClose: 'rxmp:link:close',
      queueRedeliver: 'rxmp:queue:redeliver',
      connectionDrop: 'rxmp:connection:drop',
    });
  });

  for (const kind of ['fork', 'thread'] as const) {
    it(`a ${kind} consumer killed mid-stream: rxmp:link:open, then rxmp:link:close and rxmp:queue:redeliver (link-closed) for its items`, async () => {
      const opened = record(diagnosticChannels.linkOpen);
      const closed = record(diagnosticChannels.linkClose);
      const redelivered = record(diagnosticChannels.queueRedeliver);
      try {
        const q = new JoinableQueue<number>();
        const reported = new Queue<number>();
        const seen: number[] = [];
        reported.observe().subscribe((n) => seen.push(n));
        for (let i = 0; i < 20; i++) await q.put(i);
        const victim = startChild('report-each', { args: [q, reported, { workMs: 30 }], kind });
        while (seen.length < 2) await sleep(5);
        const peers = opened.messages.map((m) => m.peer);
        expect(opened.messages.map((m) => m.kind)).to.include(kind === 'fork' ? 'socket' : 'port');
        victim.kill();
        await victim.join();
        await until(() => redelivered.messages.some((m) => m.reason === 'link-closed'));
        const back = redelivered.messages.find((m) => m.reason === 'link-closed') as Record<string, unknown>;
        expect(back.items).to.be.a('number').above(0);
        expect(back.queue).to.be.a('string');
        expect(peers).to.include(back.peer);
        await until(() => closed.messages.some((m) => m.peer === back.peer));
        startChild('report-each', { args: [q, reported, { workMs: 0 }], kind });
        await settles(q.join(), 30_000);
        await q.end();
      } finally {
        opened.stop();
        closed.stop();
        redelivered.stop();
      }
    });

    it(`rxmp:connection:drop tells when the ${kind} child holding the other end of a pipe is killed`, async () => {
      const dropped = record(diagnosticChannels.connectionDrop);
      try {
        const [here, there] = Pipe<number>();
        const child = startChild('pipe-echo', { args: [there], kind });
        await here.send(1);
        expect(await here.recv()).to.equal(2);
        child.kill();
        await child.join();
        await until(() => dropped.messages.length > 0);
        expect(dropped.messages[0]).to.include({ end: 0 }).and.to.have.property('pipe').that.is.a('string');
        expect(dropped.messages[0]?.reason).to.be.a('string');
        await here.close();
      } finally {
        dropped.stop();
      }
    });
  }

  it('rxmp:queue:redeliver tells of items a consume that failed (failed) or stopped (returned) put back, in-process', () => {
    const redelivered = record(diagnosticChannels.queueRedeliver);
    try {
      const q = new Queue<string>();
      void q.put('a');
      const failedOnce = consume(q, () => {
        throw new Error('no');
      }).subscribe({ error: () => {} });
      failedOnce.unsubscribe();
      const never = consume(q, () => new Promise<never>(() => {})).subscribe();
      never.unsubscribe();
      expect(redelivered.messages).to.deep.equal([
        { queue: 'this process', items: 1, reason: 'failed' },
        { queue: 'this process', items: 1, reason: 'returned' },
      ]);
    } finally {
      redelivered.stop();
    }
  });
});
