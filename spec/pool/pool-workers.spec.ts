import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { ProcessError } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import { endPools, perWorker, pool } from './pool-support.js';

describe('Pool workers', function () {
  this.timeout(60_000);
  afterEach(endPools);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('maxTasksPerChild: a worker exits after that many tasks and a fresh one takes its place', async () => {
        const p = pool('whoami', { kind, processes: 1, maxTasksPerChild: 2, prefetch: 1 });
        const results = await lastValueFrom(p.map([1, 2, 3, 4, 5, 6]));
        expect(results.map((r) => r.x)).to.deep.equal([1, 2, 3, 4, 5, 6]);
        expect(perWorker(results, kind)).to.deep.equal([2, 2, 2]);
        if (kind === 'fork') expect(results[0]?.pid).to.not.equal(process.pid);
      });

      it('initializer runs once in each worker, with initargs, before its first task', async () => {
        const p = pool('whoami', { kind, processes: 1, maxTasksPerChild: 3, prefetch: 1, initializer: 'init', initargs: ['hello'] });
        const results = await lastValueFrom(p.map([1, 2, 3, 4, 5, 6]));
        expect(perWorker(results, kind)).to.deep.equal([3, 3]);
        for (const r of results) expect([r.inits, r.tag]).to.deep.equal([1, 'hello']);
      });

      it('an initializer that throws breaks the pool: tasks fail with its ProcessError instead of workers restarting forever', async () => {
        const p = pool('whoami', { kind, initializer: 'badInit' });
        const error = await expectRejection(p.apply(1), ProcessError);
        expect(error.childError?.name).to.equal('RangeError');
        await expectRejection(p.apply(2), ProcessError);
      });

      it('a worker that dies of a task’s stray uncaught error is replaced; the pool does not break', async () => {
        const p = pool('crashesLater', { kind, processes: 1, prefetch: 1 });
        expect(await p.apply(1)).to.equal(1);
        const pids = kind === 'fork' ? p.pids : undefined;
        // The worker dies meanwhile; the next task runs on its replacement.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await p.apply(2)).to.equal(2);
        if (pids) expect(p.pids).to.not.deep.equal(pids);
      });

      it('a task that kills its worker is retried once, then fails with ProcessError; other tasks succeed', async () => {
        const log = join(tmpdir(), `pool-dies-${process.pid}-${kind}.log`);
        rmSync(log, { force: true });
        try {
          const p = pool('dies', { kind, processes: 2, prefetch: 1 });
          const outcomes = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((x) => p.apply(x, 3, log)));
          const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined));
          expect(values).to.deep.equal([1, 2, undefined, 4, 5, 6]);
          const failed = outcomes[2] as PromiseRejectedResult;
          expect(failed.reason).to.be.instanceOf(ProcessError);
          expect((failed.reason as ProcessError).exitCode).to.equal(3);
          expect(readFileSync(log, 'utf8')).to.equal('attempt\nattempt\n');
          // The dead workers were replaced: the pool still has two and still works.
          expect(p.running).to.equal(2);
          expect(await p.apply(7, 3, log)).to.equal(7);
        } finally {
          if (existsSync(log)) rmSync(log);
        }
      });
    });
  }
});
