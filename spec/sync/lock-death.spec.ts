import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Lock, Value } from '../../src/index.js';
import { settles } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';
import { rxmpWarnings } from '../support/warnings.js';

describe('Lock: a holder or waiter that dies', function () {
  this.timeout(60_000);

  for (const kind of ['fork', 'thread'] as const) {
    itKills(`${kind}: a SIGKILLed holder does not keep the lock; the waiter here gets it and is told it was abandoned`, async () => {
      const lock = new Lock();
      const holder = startChild('shared-ops', { args: ['lockKeep', lock], kind });
      expect(await firstValueFrom(holder.output$)).to.equal('held');
      const warnings = rxmpWarnings();
      try {
        const waiting = lock.acquire();
        holder.kill();
        expect(await settles(waiting, 20_000)).to.equal(true);
        expect(lock.abandoned).to.equal(true);
        expect((await warnings.next()).map((w) => w.code)).to.include('RXMP_LOCK_ABANDONED');
        lock.release();
        expect(lock.abandoned).to.equal(false);
        expect(lock.tryAcquire()).to.equal(true);
        expect(lock.abandoned, 'told once').to.equal(false);
        lock.release();
      } finally {
        warnings.stop();
      }
    });

    itKills(`${kind}: a child that exits holding a Value's lock does not wedge it`, async () => {
      const v = new Value('i', 0);
      const holder = startChild('shared-ops', { args: ['lockKeep', v.getLock()], kind });
      expect(await firstValueFrom(holder.output$)).to.equal('held');
      holder.kill();
      await holder.join();
      const warnings = rxmpWarnings();
      try {
        expect(await v.getLock().acquire({ timeout: 10_000 })).to.equal(true);
        v.value += 1;
        v.getLock().release();
        expect(v.value).to.equal(1);
      } finally {
        warnings.stop();
      }
    });

    itKills(`${kind}: a SIGKILLed waiter is withdrawn and does not take the lock later`, async () => {
      const lock = new Lock();
      expect(lock.tryAcquire()).to.equal(true);
      const waiter = startChild('shared-ops', { args: ['lockKeep', lock], kind });
      expect(await firstValueFrom(waiter.output$)).to.equal('waiting');
      waiter.kill();
      await waiter.join();
      lock.release();
      expect(lock.tryAcquire()).to.equal(true);
      expect(lock.abandoned).to.equal(false);
      lock.release();
    });
  }
});
