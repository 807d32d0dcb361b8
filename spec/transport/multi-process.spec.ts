/** Many processes on one queue: exactly once, FIFO per producer, bounded, and nothing lost when a consumer dies. */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { ClosedError, JoinableQueue, type Queue as QueueType, Queue } from '../../src/index.js';
import type { Tagged } from '../fixtures/produce-tagged.js';
import { expectRejection, settles, sleep } from '../support/async.js';
import { startChild } from '../support/children.js';

for (const kind of ['fork', 'thread'] as const) {
  describe(`several ${kind} children on one queue`, function () {
    this.timeout(60_000);

    it('a handle’s calls on one queue take effect in call order: getNowait() then put() finds the queue empty', async () => {
      const q = new Queue<number>();
      const child = startChild('nowait-then-put', { args: [q], kind });
      expect(await child.result).to.equal('Empty');
      expect(await child.join()).to.equal(0);
      expect(await q.getNowait()).to.equal(1);
    });

    it('3 producers and 2 consumers: every item exactly once, FIFO per producer, maxsize never exceeded', async () => {
      const maxsize = 20;
      const perProducer = 400;
      const q = new Queue<Tagged>({ maxsize });
      const producers = [0, 1, 2].map((p) => startChild('produce-tagged', { args: [q, p, perProducer], kind }));
      const consumers = [0, 1].map(() => startChild('collect', { args: [q], kind }));
      const results = consumers.map((c) => firstValueFrom(c.output$) as Promise<Tagged[]>);
      let largest = 0;
      const sampler = setInterval(() => void q.qsize().then((n) => (largest = Math.max(largest, n))), 1);
      for (const p of producers) expect(await p.join()).to.equal(0);
      await q.end();
      const got = await Promise.all(results);
      clearInterval(sampler);
      for (const c of consumers) expect(await c.join()).to.equal(0);

      for (const mine of got) {
        for (const p of [0, 1, 2]) {
          const seqs = mine.filter((t) => t.producer === p).map((t) => t.seq);
          expect(seqs, `consumer sees producer ${p} in put order`).to.deep.equal([...seqs].sort((a, b) => a - b));
        }
      }
      const all = got.flat().map((t) => `${t.producer}:${t.seq}`);
      expect(new Set(all).size, 'no duplicates').to.equal(all.length);
      expect(all.length, 'nothing lost').to.equal(3 * perProducer);
      expect(largest).to.be.at.most(maxsize);
    });

    it('a JoinableQueue consumer killed with SIGKILL mid-stream loses nothing, and join() resolves', async () => {
      const total = 60;
      const q = new JoinableQueue<number>({ maxsize: 10 });
      const reported = new Queue<number>();
      const seen: number[] = [];
      reported.observe().subscribe((n) => seen.push(n));
      const producer = (async () => {
        for (let i = 0; i < total; i++) await q.put(i);
      })();
      const victim = startChild('report-each', { args: [q, reported, { workMs: 20, concurrency: 3 }], kind });
      while (seen.length < 6) await sleep(5);
      victim.kill();
      expect(await victim.join()).to.not.equal(0);
      // A second consumer finishes the work, including whatever the victim held.
      startChild('report-each', { args: [q, reported, { workMs: 1, concurrency: 3 }], kind });
      await producer;
      await settles(q.join(), 30_000);
      expect(new Set(seen).size, 'every item was worked on').to.equal(total);
      await q.end();
    });

    it('items prefetched by a consumer that is killed go back to the front: each item exactly once, in order', async () => {
      const total = 100;
      const q = new Queue<number>({ maxsize: total });
      for (let i = 0; i < 40; i++) await q.put(i);
      // What the victim's application saw, recorded so that the record survives its death
      // (a report put into another queue may be lost with it, after its ack left).
      const file = join(tmpdir(), `queue-spec-${process.pid}-${kind}-${Math.random().toString(36).slice(2)}.log`);
      const recorded = () =>
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => Number(l.split(' ')[1]))
          : [];
      const victim = startChild('record-each', { args: [q, file, { prefetch: 16, spinMs: 10 }], kind });
      while (recorded().length < 5) await sleep(2);
      victim.kill();
      await victim.join();
      const seen = recorded();
      rmSync(file, { force: true });
      for (let i = 40; i < total; i++) await q.put(i);
      await q.end();
      const rest: number[] = [];
      for await (const n of q) rest.push(n);
      const all = [...seen, ...rest].sort((a, b) => a - b);
      expect(all, 'each item reported by the victim or drained here, exactly once').to.deep.equal([...Array(total).keys()]);
      expect(rest, 'what came back is at the front, in order').to.deep.equal([...rest].sort((a, b) => a - b));
    });

    it('a child that closes its handle while fetched items are on their way gives them all back, in order, and its link goes on', async () => {
      const total = 40;
      const q = new Queue<number>({ maxsize: total });
      for (let i = 0; i < total; i++) await q.put(i);
      const results = new Queue<number>();
      const dropped: string[] = [];
      const onWarning = (w: Error) => void (w.name === 'RxmpWarning' && dropped.push(w.message));
      process.on('warning', onWarning);
      const child = startChild('take-then-close', { args: [q, results, 4, 8], kind });
      try {
        expect(await child.join()).to.equal(0);
        await sleep(50); // a warning is emitted on the next tick
      } finally {
        process.off('warning', onWarning);
      }
      expect(dropped, 'the link was never dropped').to.deep.equal([]);
      const reported: number[] = [];
      for (let n = await results.qsize(); n > 0; n--) reported.push(await results.get());
      expect(reported).to.deep.equal([0, 1, 2, 3, -1]);
      const rest: number[] = [];
      while (rest.length < total - 4) rest.push(await q.get());
      expect(rest, 'the rest, each once and in order').to.deep.equal([...Array(total).keys()].slice(4));
      expect(await q.qsize()).to.equal(0);
    });

    it('a child that returns right after its puts has flushed every one of them', async () => {
      const q = new Queue<number>();
      const child = startChild('produce', { args: [q, 5000], kind });
      expect(await child.join()).to.equal(0);
      expect(await q.qsize()).to.equal(5000);
    });

    it('an uncloneable put rejects SerializationError in the child that made it; the queue goes on', async () => {
      const q = new Queue<unknown>();
      const child = startChild('unserializable', { args: [q], kind });
      expect(await firstValueFrom(child.output$)).to.deep.equal({ name: 'SerializationError', path: '$.job.callback' });
      expect(await child.join()).to.equal(0);
      expect(await q.get()).to.equal('good');
      expect(await q.qsize()).to.equal(0);
    });

    it('when the owner dies, waiting calls on its queue reject ClosedError, and so do later ones', async () => {
      const owner = startChild('own-queue', { kind });
      const q = (await firstValueFrom(owner.output$)) as QueueType<number>;
      await q.put(1);
      expect(await q.get()).to.equal(1);
      const waiting = expectRejection(q.get(), ClosedError);
      owner.kill();
      await owner.join();
      await waiting;
      await expectRejection(q.put(2), ClosedError);
      await expectRejection(q.qsize(), ClosedError);
    });

    it('a handle passed on to a grandchild reaches the owner directly', async () => {
      const q = new Queue<number>();
      const relay = startChild('relay', { args: [q, 50, kind], kind });
      expect(await relay.join()).to.equal(0);
      const got: number[] = [];
      for (let i = 0; i < 50; i++) got.push(await q.get());
      expect(got).to.deep.equal([...Array(50).keys()].map((i) => i + 1000));
    });
  });
}

describe('a JoinableQueue shared by a parent and its forked consumers', function () {
  this.timeout(60_000);

  it('join() in the parent waits for the children’s taskDone calls', async () => {
    const q = new JoinableQueue<number>();
    const reported = new Queue<number>();
    for (let i = 0; i < 20; i++) await q.put(i);
    startChild('report-each', { args: [q, reported, { workMs: 5 }] });
    startChild('report-each', { args: [q, reported, { workMs: 5 }], kind: 'thread' });
    await settles(q.join(), 30_000);
    expect(await reported.qsize()).to.equal(20);
    await q.end();
  });
});
