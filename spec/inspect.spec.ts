/** `util.inspect` and `toString` of the public handles: what a user wants to see, not internals. */
import { expect } from 'chai';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { JoinableQueue, Pipe, Queue, SimpleQueue } from '../src/index.js';
import { startChild } from './support/children.js';

describe('util.inspect and toString of handles', function () {
  this.timeout(30_000);

  it('a Queue shows its maxsize, its owner and whether this handle is closed; String() says the same', async () => {
    const q = new Queue<number>({ maxsize: 10 });
    expect(inspect(q)).to.equal("Queue { maxsize: 10, owner: 'this process', closed: false }");
    expect(String(q)).to.equal(inspect(q));
    await q.close();
    expect(`${q}`).to.equal("Queue { maxsize: 10, owner: 'this process', closed: true }");
    expect(inspect(new Queue())).to.equal("Queue { maxsize: Infinity, owner: 'this process', closed: false }");
  });

  it('a JoinableQueue owned here adds its unfinished tasks', async () => {
    const q = new JoinableQueue<string>({ maxsize: 3 });
    await q.put('a');
    await q.put('b');
    expect(inspect(q)).to.equal("JoinableQueue { maxsize: 3, owner: 'this process', unfinished: 2, closed: false }");
    await q.get();
    q.taskDone();
    expect(String(q)).to.contain('unfinished: 1');
  });

  it('a SimpleQueue shows its owner and closed; a Connection what it can still do', async () => {
    expect(inspect(new SimpleQueue())).to.equal("SimpleQueue { owner: 'this process', closed: false }");
    const [reader, writer] = Pipe<number>({ duplex: false });
    expect(inspect(reader)).to.equal('Connection { readable: true, writable: false, closed: false }');
    expect(String(writer)).to.equal('Connection { readable: false, writable: true, closed: false }');
    await reader.close();
    expect(inspect(reader)).to.equal('Connection { readable: false, writable: false, closed: true }');
    await writer.close();
  });

  it('nested in other values too, and never with internals (endpoints, pending calls)', () => {
    const shown = inspect({ jobs: new Queue({ maxsize: 2 }) }, { depth: 5 });
    expect(shown).to.equal("{ jobs: Queue { maxsize: 2, owner: 'this process', closed: false } }");
    expect(inspect(new JoinableQueue(), { depth: 10, showHidden: true })).to.not.match(/endpoint|calls|fifo|ledger/i);
  });

  for (const kind of ['fork', 'thread'] as const) {
    it(`handles revived in a ${kind} child name their owner by pid, and keep maxsize`, async () => {
      const q = new Queue<number>({ maxsize: 10 });
      const j = new JoinableQueue<number>();
      const s = new SimpleQueue<number>();
      const [here, there] = Pipe<number>();
      const child = startChild('inspect-handles', { args: [q, j, s, there], kind });
      const shown = (await firstValueFrom(child.output$)) as string[];
      expect(await child.join()).to.equal(0);
      const owner = `pid ${process.pid}`;
      expect(shown).to.deep.equal([
        `Queue { maxsize: 10, owner: '${owner}', closed: false }`,
        `JoinableQueue { maxsize: Infinity, owner: '${owner}', closed: false }`,
        `SimpleQueue { owner: '${owner}', closed: false }`,
        'Connection { readable: true, writable: true, closed: false }',
      ]);
      await here.close();
    });

    it(`a handle here on a queue owned by a ${kind} child names the child's pid${kind === 'thread' ? ' and thread' : ''}`, async () => {
      const child = startChild('own-queue', { kind });
      const q = (await firstValueFrom(child.output$)) as Queue<number>;
      const owner = kind === 'fork' ? `pid ${child.pid}` : new RegExp(`^pid ${process.pid} thread \\d+$`);
      const shown = /owner: '([^']*)'/.exec(inspect(q))?.[1];
      if (typeof owner === 'string') expect(shown).to.equal(owner);
      else expect(shown).to.match(owner);
      expect(String(q)).to.match(/^Queue \{ maxsize: 5, owner: 'pid \d+( thread \d+)?', closed: false \}$/);
      await q.close();
      child.kill();
    });
  }
});
