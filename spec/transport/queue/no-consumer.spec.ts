/** A JoinableQueue whose last consumer dies with tasks open says so, instead of leaving join() to hang in silence. */
import { expect } from 'chai';
import { consume, JoinableQueue, Queue, Unfinished } from '../../../src/index.js';
import { NO_CONSUMER } from '../../../src/transport/queue/owner/no-consumer.js';
import { expectRejection, settles, sleep, until } from '../../support/async.js';
import { startChild } from '../../support/children.js';
import { rxmpWarnings } from '../../support/warnings.js';

for (const kind of ['fork', 'thread'] as const) {
  describe(`a JoinableQueue whose last ${kind} consumer dies`, function () {
    this.timeout(60_000);

    it('warns RXMP_NO_CONSUMER with the tasks left when its only consumer is killed (SIGKILL) mid-stream; a new consumer finishes', async () => {
      const total = 30;
      const q = new JoinableQueue<number>();
      const reported = new Queue<number>();
      const seen: number[] = [];
      reported.observe().subscribe((n) => seen.push(n));
      for (let i = 0; i < total; i++) await q.put(i);
      const warnings = rxmpWarnings();
      try {
        const victim = startChild('report-each', { args: [q, reported, { workMs: 30 }], kind });
        while (seen.length < 3) await sleep(5);
        victim.kill();
        expect(await victim.join()).to.not.equal(0);
        const [warning] = (await settles(warnings.next())).filter((w) => w.code === NO_CONSUMER);
        expect(warning, 'an RXMP_NO_CONSUMER warning').to.not.equal(undefined);
        const unfinished = Number(/with (\d+) tasks? unfinished/.exec(warning?.message ?? '')?.[1]);
        expect(unfinished).to.be.within(total - seen.length, total);
        expect(warning?.message).to.contain('join() will wait until a new consumer takes them');
        // It names the consumer that died as users know it.
        expect(warning?.message).to.contain(kind === 'fork' ? `(pid ${victim.pid})` : `(pid ${process.pid} thread `);
        // join() with a timeout ends, and says how much is left; nothing was lost.
        const error = await expectRejection(q.join({ timeout: 50 }), Unfinished);
        expect(error.unfinished).to.equal(unfinished);
        startChild('report-each', { args: [q, reported, { workMs: 0 }], kind });
        await settles(q.join(), 30_000);
        expect(new Set(seen).size).to.equal(total);
        expect(warnings.seen().filter((w) => w.code === NO_CONSUMER)).to.have.length(1);
      } finally {
        warnings.stop();
        await q.end();
      }
    });

    it('does not warn while another consumer is still attached, nor when the consumers leave with every task done', async () => {
      const q = new JoinableQueue<number>();
      const reported = new Queue<number>();
      const seen: number[] = [];
      reported.observe().subscribe((n) => seen.push(n));
      for (let i = 0; i < 20; i++) await q.put(i);
      const warnings = rxmpWarnings();
      try {
        const victim = startChild('report-each', { args: [q, reported, { workMs: 30 }], kind });
        const survivor = startChild('report-each', { args: [q, reported, { workMs: 5 }], kind });
        while (seen.length < 4) await sleep(5);
        victim.kill();
        await victim.join();
        await settles(q.join(), 30_000);
        await q.end();
        expect(await survivor.join()).to.equal(0);
        await sleep(50);
        expect(warnings.seen().filter((w) => w.code === NO_CONSUMER)).to.deep.equal([]);
      } finally {
        warnings.stop();
      }
    });

    it('does not warn while the owner itself consumes the queue', async () => {
      const q = new JoinableQueue<number>();
      const reported = new Queue<number>();
      const seen: number[] = [];
      reported.observe().subscribe((n) => seen.push(n));
      for (let i = 0; i < 20; i++) await q.put(i);
      const warnings = rxmpWarnings();
      // The child first: started after the owner's consumer, on a loaded machine it found the queue drained and never reported.
      const victim = startChild('report-each', { args: [q, reported, { workMs: 30 }], kind });
      let here: { unsubscribe(): void } | undefined;
      try {
        await until(() => seen.length >= 2, 30_000);
        here = consume(q, (n: number) => sleep(20).then(() => n)).subscribe();
        victim.kill();
        await victim.join();
        await settles(q.join(), 30_000);
        await sleep(50);
        expect(warnings.seen().filter((w) => w.code === NO_CONSUMER)).to.deep.equal([]);
      } finally {
        here?.unsubscribe();
        victim.kill();
        await victim.join();
        warnings.stop();
        await q.end();
      }
    });
  });
}
