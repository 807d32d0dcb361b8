import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { diagnosticChannels, Process, ProcessError } from '../../src/index.js';
import { until } from '../support/async.js';
import { startChild } from '../support/children.js';

describe('Process introspection', function () {
  this.timeout(30_000);

  it('util.inspect and String show name, kind, pid and exitCode, not internals', async () => {
    const p = new Process({ target: new URL('../fixtures/sleepy.js', import.meta.url), args: [0], name: 'worker' });
    expect(inspect(p)).to.equal("Process { name: 'worker', kind: 'fork', pid: undefined, exitCode: null }");
    const f = startChild('sleepy', { args: [0], name: 'worker' });
    expect(String(f)).to.equal(`Process { name: 'worker', kind: 'fork', pid: ${f.pid}, exitCode: null }`);
    await f.join();
    expect(inspect(f)).to.equal(`Process { name: 'worker', kind: 'fork', pid: ${f.pid}, exitCode: 0 }`);
    const t = startChild('sleepy', { args: [0], name: 'reader', kind: 'thread' });
    await t.join();
    expect(String(t)).to.equal(`Process { name: 'reader', kind: 'thread', threadId: ${t.threadId}, exitCode: 0 }`);
  });

  for (const kind of ['fork', 'thread'] as const) {
    it(`publishes rxmp:process:start and rxmp:process:exit for a ${kind} child`, async () => {
      const seen: { channel: string; message: Record<string, unknown> }[] = [];
      const onStart = (message: unknown): void => void seen.push({ channel: 'start', message: message as Record<string, unknown> });
      const onExit = (message: unknown): void => void seen.push({ channel: 'exit', message: message as Record<string, unknown> });
      diagnosticsChannel.subscribe(diagnosticChannels.processStart, onStart);
      diagnosticsChannel.subscribe(diagnosticChannels.processExit, onExit);
      try {
        const name = `diagnosed-${kind}`;
        const ok = startChild('sleepy', { args: [0], kind, name });
        const bad = startChild('fails', { args: ['boom'], kind, name: `${name}-failing` });
        await Promise.all([ok.join(), bad.join()]);
        await until(() => seen.filter((s) => s.channel === 'exit' && String(s.message.name).startsWith(name)).length === 2);
        const of = (channel: string, n: string) => seen.find((s) => s.channel === channel && s.message.name === n)?.message;
        const id = kind === 'fork' ? { pid: ok.pid } : { threadId: ok.threadId };
        expect(of('start', name)).to.deep.include({ name, kind, ...id });
        expect(of('exit', name)).to.deep.include({ name, kind, ...id, exitCode: 0, signal: null });
        expect(of('exit', name)).not.to.have.property('error');
        const failed = of('exit', `${name}-failing`);
        expect(failed?.exitCode).to.equal(1);
        expect(failed?.error).to.be.instanceOf(ProcessError);
      } finally {
        diagnosticsChannel.unsubscribe(diagnosticChannels.processStart, onStart);
        diagnosticsChannel.unsubscribe(diagnosticChannels.processExit, onExit);
      }
    });
  }
});
