/** Poison items across processes and threads: the attempt count survives redelivery, the rest gets done. */
import { expect } from 'chai';
import { JoinableQueue, type PoisonItem, type Process, Queue } from '../../src/index.js';
import { settles } from '../support/async.js';
import { startChild } from '../support/children.js';

const JOBS = ['a', 'b', 'poison', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];

async function drain<T>(q: Queue<T>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    try {
      out.push(await q.get({ timeout: 0 }));
    } catch {
      return out;
    }
  }
}

for (const kind of ['fork', 'thread'] as const) {
  describe(`consume() poison items with ${kind} workers`, function () {
    this.timeout(60_000);

    it('a job that kills every worker that takes it goes to the dead letter after maxAttempts; the rest is done, join() resolves', async () => {
      const jobs = new JoinableQueue<string>();
      const done = new Queue<string>();
      const dead = new Queue<PoisonItem<string>>();
      for (const job of JOBS) await jobs.put(job);
      const maxAttempts = 2;
      // A pool of two that replaces a worker that dies (as a supervisor would).
      const workers = new Set<Process>();
      let started = 0;
      let joined = false;
      const spawn = (): void => {
        const worker = startChild('consume-poison', { args: [jobs, done, dead, { maxAttempts, crash: 'exit' }], kind });
        started++;
        workers.add(worker);
        void worker.join().then((code) => {
          workers.delete(worker);
          if (code !== 0 && !joined) spawn();
        });
      };
      spawn();
      spawn();
      await settles(jobs.join(), 45_000);
      joined = true;
      await jobs.end();
      for (const worker of [...workers]) expect(await worker.join()).to.equal(0);

      // Two workers died on it (one attempt each); the third saw its count and set it aside unrun.
      expect(started).to.equal(4);
      const aside = await drain(dead);
      expect(aside.map((p) => [p.item, p.attempts])).to.deep.equal([['poison', maxAttempts]]);
      // A ClosedError (resource 'consumer') where it was made; through a queue it arrives as a plain Error.
      expect((aside[0]?.error as Error | undefined)?.message).to.match(/consumer of this item went away before finishing it \(2 attempts/);
      expect(new Set(await drain(done))).to.deep.equal(new Set(JOBS.filter((j) => j !== 'poison')));
    });

    it('a job whose run throws in every worker goes to the dead letter with the last error after maxAttempts, and the workers go on', async () => {
      const jobs = new JoinableQueue<string>();
      const done = new Queue<string>();
      const dead = new Queue<PoisonItem<string>>();
      const workers = [0, 1].map(() =>
        startChild('consume-poison', { args: [jobs, done, dead, { maxAttempts: 3, crash: 'throw' }], kind }),
      );
      for (const job of JOBS) await jobs.put(job);
      await settles(jobs.join(), 45_000);
      await jobs.end();
      for (const worker of workers) expect(await worker.join()).to.equal(0);
      const aside = await drain(dead);
      expect(aside.map((p) => [p.item, p.attempts])).to.deep.equal([['poison', 3]]);
      expect(aside[0]?.error).to.be.instanceOf(RangeError);
      expect((aside[0]?.error as Error | undefined)?.message).to.equal('cannot do poison');
      expect((await drain(done)).sort()).to.deep.equal(JOBS.filter((j) => j !== 'poison').sort());
    });
  });
}
