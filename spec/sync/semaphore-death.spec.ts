import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Semaphore } from '../../src/index.js';
import { settles } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';

describe('Semaphore: a holder or waiter that dies', function () {
  this.timeout(60_000);

  for (const kind of ['fork', 'thread'] as const) {
    itKills(`${kind}: a SIGKILLed holder's unit goes to the waiter here`, async () => {
      const sem = new Semaphore(1);
      const holder = startChild('shared-ops', { args: ['semKeep', sem], kind });
      expect(await firstValueFrom(holder.output$)).to.equal('held');
      const waiting = sem.acquire();
      holder.kill();
      expect(await settles(waiting, 20_000)).to.equal(true);
      expect(sem.getValue()).to.equal(0);
      sem.release();
    });

    itKills(`${kind}: a SIGKILLed waiter's wait is withdrawn; the next waiter gets the unit`, async () => {
      const sem = new Semaphore(0);
      const waiter = startChild('shared-ops', { args: ['semKeep', sem], kind });
      expect(await firstValueFrom(waiter.output$)).to.equal('waiting');
      const mine = sem.acquire();
      waiter.kill();
      await waiter.join();
      sem.release();
      expect(await settles(mine, 20_000)).to.equal(true);
      expect(sem.getValue()).to.equal(0);
    });
  }
});
