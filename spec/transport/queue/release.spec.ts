/**
 * A long-lived process that shares many short-lived queues must not grow:
 * a shared queue is forgotten at its owner, and a handle in the runtime that
 * held it, once nothing can reach it any more (the rule: `QueueBroker`).
 */
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { JoinableQueue, Queue } from '../../../src/index.js';
import { exportValue, importValue, loseTransfer } from '../../../src/process/handle-passing.js';
import type { Runtime } from '../../../src/transport/runtime.js';
import { settles } from '../../support/async.js';
import { memoryRuntimes, pass } from '../../support/runtimes.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const turns = async (n = 6): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** What the two runtimes keep about queues: served at the owner, sessions there, handles at the holder. */
const kept = (owner: Runtime, holder: Runtime) => ({
  serving: owner.queueBroker.serving,
  sessions: owner.queueBroker.sessions,
  handles: holder.queueClient.handles,
});
const nothing = { serving: 0, sessions: 0, handles: 0 };

/** Collects garbage until `done()` holds (finalizers run on later turns), or gives up. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) {
    gc();
    await turns(3);
  }
}

describe('releasing shared queues', function () {
  this.timeout(60_000);

  it('1,000 queues shared and then closed on both sides leave nothing behind at the owner or the holder', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    for (let i = 0; i < 1000; i++) {
      const q = new Queue<number>({ maxsize: 4 });
      const h = await pass(q, owner, holder);
      await h.put(i);
      expect(await q.get()).to.equal(i);
      await h.close();
      await q.close();
    }
    await turns();
    expect(kept(owner, holder)).to.deep.equal(nothing);
  });

  it('1,000 queues shared and then dropped unclosed on both sides are released once collected', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    // In a function of its own, so that no frame of this spec still holds the last queue when collecting.
    await (async () => {
      for (let i = 0; i < 1000; i++) {
        const q = new JoinableQueue<number>();
        const h = await pass(q, owner, holder);
        await h.put(i);
        expect(await h.get()).to.equal(i);
        h.taskDone();
      }
    })();
    await collectUntil(() => owner.queueBroker.serving === 0 && holder.queueClient.handles === 0);
    expect(kept(owner, holder)).to.deep.equal(nothing);
  });

  it('an owner object that is still open keeps its queue served after every remote handle closed; closing it releases the queue', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<number>();
    const h = await pass(q, owner, holder);
    await h.close();
    await turns();
    expect(kept(owner, holder)).to.deep.equal({ serving: 1, sessions: 0, handles: 0 });
    await q.close();
    expect(owner.queueBroker.serving).to.equal(0);
  });

  it('a remote handle that is still open keeps the queue served after the owner closed its object', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<string>();
    const h = await pass(q, owner, holder);
    await q.close();
    await h.put('still served');
    expect(await settles(h.get())).to.equal('still served');
    expect(owner.queueBroker.serving).to.equal(1);
    await h.close();
    await turns();
    expect(kept(owner, holder)).to.deep.equal(nothing);
  });

  it('a description in flight keeps its queue served: the owner closes its object before the description lands, and the handle works', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<string>();
    const transfer = structuredClone(await exportValue(q, owner));
    await q.close();
    await turns();
    expect(owner.queueBroker.serving, 'pinned by the description').to.equal(1);
    const h = importValue(transfer, holder) as Queue<string>;
    await h.put('landed');
    expect(await settles(h.get())).to.equal('landed');
    await h.close();
    await turns();
    expect(kept(owner, holder)).to.deep.equal(nothing);
  });

  it('a description that never lands (its receiver exited first) unpins its queue', async () => {
    const [owner] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<string>();
    const transfer = await exportValue(q, owner);
    await q.close();
    expect(owner.queueBroker.serving).to.equal(1);
    loseTransfer(transfer, owner);
    expect(owner.queueBroker.serving).to.equal(0);
  });

  it('a description passed on by a remote handle keeps the queue served until the third runtime has revived it', async () => {
    const [owner, holder, third] = memoryRuntimes(3) as [Runtime, Runtime, Runtime];
    const q = new Queue<string>();
    const h = await pass(q, owner, holder);
    const onward = structuredClone(await exportValue(h, holder));
    await h.close();
    await q.close();
    await turns();
    expect(owner.queueBroker.serving, 'pinned by the description the holder sent on').to.equal(1);
    const t = importValue(onward, third) as Queue<string>;
    await t.put('via the holder');
    expect(await settles(t.get())).to.equal('via the holder');
    await t.close();
    await turns();
    expect(owner.queueBroker.serving).to.equal(0);
  });

  it('a closed handle is forgotten: the next description revives a fresh, working handle', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new Queue<number>();
    const first = await pass(q, owner, holder);
    await first.close();
    const second = await pass(q, owner, holder);
    expect(second).to.not.equal(first);
    await second.put(2);
    expect(await settles(q.get())).to.equal(2);
    await second.close();
  });

  it('a JoinableQueue handle that closes holding an item got and not done keeps its session until that item is done', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new JoinableQueue<number>();
    await q.put(1);
    const h = await pass(q, owner, holder);
    expect(await h.get()).to.equal(1);
    await h.close();
    await q.close();
    await turns();
    expect(kept(owner, holder)).to.deep.equal({ serving: 1, sessions: 1, handles: 0 });
    h.taskDone();
    await turns();
    expect(kept(owner, holder)).to.deep.equal(nothing);
  });

  it('a collected JoinableQueue handle gives back what it got and never marked done, so join() resolves', async () => {
    const [owner, holder] = memoryRuntimes() as [Runtime, Runtime];
    const q = new JoinableQueue<number>();
    await q.put(1);
    await (async () => {
      const h = await pass(q, owner, holder);
      expect(await h.get()).to.equal(1);
    })();
    await collectUntil(() => holder.queueClient.handles === 0);
    expect(holder.queueClient.handles).to.equal(0);
    expect(await settles(q.get())).to.equal(1);
    q.taskDone();
    await settles(q.join());
  });
});
