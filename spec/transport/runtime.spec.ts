/** Two runtimes in one process, joined in memory: handle passing and the queue service without a child. */
import { expect } from 'chai';
import { JoinableQueue, Queue } from '../../src/index.js';

import type { Runtime } from '../../src/transport/runtime.js';
import { settles } from '../support/async.js';
import { memoryRuntimes, pass } from '../support/runtimes.js';

describe('Runtime (two in one process, joined in memory)', () => {
  it('a queue owned by one runtime is a working handle in the other', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<string>({ maxsize: 2 });
    const handle = await pass(q, owner, holder);
    expect(handle).to.be.instanceOf(Queue).and.not.equal(q);
    await handle.put('from the holder');
    expect(await settles(q.get())).to.equal('from the holder');
    await q.put('from the owner');
    expect(await settles(handle.get())).to.equal('from the owner');
    await handle.close();
  });

  it('a handle sent back to its owner is the owner’s own object; each runtime has one object per queue', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new JoinableQueue<number>();
    const there = await pass({ q }, owner, holder);
    const again = await pass([q], owner, holder);
    expect(again[0]).to.equal(there.q);
    expect(await pass(there.q, holder, owner)).to.equal(q);
    await there.q.close();
  });

  it('the same handle twice in one value arrives as one object in both places', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<number>();
    const [a, b] = await pass([q, { again: q }], owner, holder);
    expect(a).to.be.instanceOf(Queue);
    expect(b.again).to.equal(a);
    await a.close();
  });

  it('handles travel out of band: a value shaped like a handle description arrives as the plain value it is', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const lookalike = { __rxmp_handle__: 'queue', kind: 'Queue', id: 'x/q1', maxsize: 1, owner: { id: 'x' } };
    expect(await pass([lookalike], owner, holder)).to.deep.equal([lookalike]);
  });
});
