import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { JoinableQueue, Process, ProcessError, Queue, SerializationError } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import { startChild } from '../support/children.js';

const fixture = (name: string) => new URL(`../fixtures/${name}.js`, import.meta.url);

describe('Process', function () {
  this.timeout(30_000);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('runs the default export with its args and exits 0', async () => {
        const q = new Queue<number>();
        const p = startChild('produce', { args: [q, 3], kind });
        expect(await p.join()).to.equal(0);
        expect(p.exitCode).to.equal(0);
        expect(p.isAlive()).to.equal(false);
        expect(p.error).to.equal(undefined);
        expect([await q.get(), await q.get(), await q.get()]).to.deep.equal([0, 1, 2]);
      });

      it('join(timeout) resolves null while the child still runs; isAlive() says so', async () => {
        const p = startChild('sleepy', { args: [400], kind });
        expect(p.isAlive()).to.equal(true);
        expect(await p.join(20)).to.equal(null);
        expect(p.exitCode).to.equal(null);
        expect(await p.join()).to.equal(0);
      });

      it('a target that throws exits 1, and p.error carries the child’s error name, message and stack', async () => {
        const p = startChild('throws', { args: ['bad input'], kind });
        expect(await p.join()).to.equal(1);
        expect(p.error).to.be.instanceOf(ProcessError);
        expect(p.error?.exitCode).to.equal(1);
        expect(p.error?.childError?.name).to.equal('TypeError');
        expect(p.error?.childError?.message).to.equal('bad input');
        expect(p.error?.childError?.stack).to.contain('throws.js');
        expect(p.error?.message).to.contain('TypeError: bad input');
      });

      it('an export that is not a function fails the child with a clear error', async () => {
        const p = startChild('throws', { export: 'value', kind });
        expect(await p.join()).to.equal(1);
        expect(p.error?.childError?.message).to.contain('has no function export "value"');
      });

      it('an uncaught exception in the child is reported the same way', async () => {
        const p = startChild('crash-later', { kind });
        expect(await p.join()).to.equal(1);
        expect(p.error?.childError?.name).to.equal('SyntaxError');
        expect(p.error?.childError?.message).to.equal('uncaught in a timer');
      });

      it('a child that crashes uncaught right after its puts resolved still delivers every item it put', async () => {
        const q = new Queue<number>();
        const p = startChild('put-then-crash', { args: [q, 500], kind });
        expect(await p.join()).to.equal(1);
        expect(p.error?.childError?.name).to.equal('RangeError');
        expect(await q.qsize()).to.equal(500);
      });

      it('output$ streams the values of an Observable the target returns, then completes', async () => {
        const p = startChild('echo', { args: [1, 'two', { three: [3] }], kind });
        expect(await lastValueFrom(p.output$.pipe(toArray()))).to.deep.equal([1, 'two', { three: [3] }]);
        expect(await p.join()).to.equal(0);
      });

      it('output$ errors with the target Observable’s error (same class and message), and the child exits 1', async () => {
        const p = startChild('echo', { export: 'fails', kind });
        const seen: unknown[] = [];
        const error = await new Promise<Error>((resolve) => p.output$.subscribe({ next: (v) => seen.push(v), error: resolve }));
        expect(seen).to.deep.equal(['before']);
        expect(error).to.be.instanceOf(RangeError);
        expect(error.message).to.equal('stream broke');
        expect(await p.join()).to.equal(1);
      });

      it('output$ completes empty for a target that returns a plain value', async () => {
        const p = startChild('echo', { export: 'plain', args: [21], kind });
        expect(await lastValueFrom(p.output$.pipe(toArray()))).to.deep.equal([]);
        expect(await p.join()).to.equal(0);
      });

      it('queues anywhere inside args arrive as working handles; sent back, they are the owner’s own objects', async () => {
        const q = new Queue<number>();
        const jq = new JoinableQueue<string>();
        const p = startChild('echo', { args: [{ nested: { list: [q] } }, [jq]], kind });
        const [first, second] = (await lastValueFrom(p.output$.pipe(toArray()))) as unknown as [
          { nested: { list: [Queue<number>] } },
          [JoinableQueue<string>],
        ];
        expect(first.nested.list[0]).to.equal(q);
        expect(second[0]).to.equal(jq);
      });

      it('terminate() and kill() stop the child; exitCode reports how', async () => {
        const a = startChild('sleepy', { args: [60_000], kind });
        await new Promise((r) => setTimeout(r, 100));
        a.terminate();
        const b = startChild('sleepy', { args: [60_000], kind });
        await new Promise((r) => setTimeout(r, 100));
        b.kill();
        const [ca, cb] = [await a.join(), await b.join()];
        if (kind === 'fork') {
          expect([ca, cb]).to.deep.equal([-15, -9]); // minus the signal, as Python
          expect(b.error?.signal).to.equal('SIGKILL');
        } else {
          expect([ca, cb]).to.deep.equal([1, 1]); // a terminated worker exits 1
        }
        expect(a.error).to.be.instanceOf(ProcessError);
      });

      it('a child stopped right after start() still reports that it was stopped, and join() resolves', async () => {
        const a = startChild('sleepy', { args: [60_000], kind });
        a.kill();
        const code = await a.join();
        expect(code).to.equal(kind === 'fork' ? -9 : 1);
        expect(a.error).to.be.instanceOf(ProcessError);
        expect(a.isAlive()).to.equal(false);
      });

      it('passes env to the child, on top of this process’s environment', async () => {
        const p = startChild('sleepy', { export: 'env', kind, env: { RXMP_TEST: 'hello' } });
        expect(await firstValueFrom(p.output$)).to.equal('hello');
        expect(await p.join()).to.equal(0);
      });
    });
  }

  it('a forked child has a pid; a thread has a threadId instead', async () => {
    const f = startChild('sleepy', { args: [0] });
    const t = startChild('sleepy', { args: [0], kind: 'thread' });
    expect(f.pid).to.be.a('number');
    expect(t.pid).to.equal(undefined);
    expect(t.threadId).to.be.a('number');
  });

  it('names processes Process-N unless given a name', () => {
    const p = new Process({ target: fixture('sleepy') });
    expect(p.name).to.match(/^Process-\d+$/);
    expect(new Process({ target: fixture('sleepy'), name: 'indexer' }).name).to.equal('indexer');
  });

  it('rejects bad options with TypeError at construction', () => {
    expect(() => new Process({ target: fixture('missing') })).to.throw(TypeError, 'does not exist');
    expect(() => new Process({ target: 'https://example.com/x.js' })).to.throw(TypeError, 'file URL');
    expect(() => new Process({ target: 42 as never })).to.throw(TypeError, '42');
    expect(() => new Process({ target: fixture('sleepy'), args: 'x' as never })).to.throw(TypeError, 'array');
    expect(() => new Process({ target: fixture('sleepy'), kind: 'cluster' as never })).to.throw(TypeError, 'cluster');
  });

  it('start() throws SerializationError for args that cannot be copied, before any child starts', () => {
    const p = new Process({ target: fixture('sleepy'), args: [{ onDone: () => 0 }] });
    expect(() => p.start()).to.throw(SerializationError, '$[0].onDone is a function');
    expect(p.isAlive()).to.equal(false);
    expect(p.pid).to.equal(undefined);
  });

  it('start() twice throws; join() before start() rejects', async () => {
    const p = new Process({ target: fixture('sleepy'), args: [0] });
    await expectRejection(p.join(), Error);
    p.start();
    expect(() => p.start()).to.throw(Error, 'already started');
    expect(await p.join()).to.equal(0);
  });

  it('join rejects a bad timeout', async () => {
    const p = startChild('sleepy', { args: [0] });
    await expectRejection(p.join(-1), RangeError);
    await p.join();
  });

  it('output$ keeps what arrived before the first subscriber', async () => {
    const p = startChild('echo', { args: ['early'] });
    await p.join();
    expect(await firstValueFrom(p.output$)).to.equal('early');
  });
});
