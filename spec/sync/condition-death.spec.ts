import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Condition } from '../../src/index.js';
import { settles } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';

describe('Condition: a waiter that dies', function () {
  this.timeout(60_000);

  for (const kind of ['fork', 'thread'] as const) {
    itKills(`${kind}: a SIGKILLed waiter is withdrawn; notify() wakes the next waiter here`, async () => {
      const cond = new Condition();
      const waiter = startChild('shared-ops', { args: ['condWaitKeep', cond], kind });
      expect(await firstValueFrom(waiter.output$)).to.equal('waiting');
      const mine = cond.runExclusive(() => cond.wait());
      waiter.kill();
      await waiter.join();
      await cond.runExclusive(() => cond.notify());
      expect(await settles(mine, 20_000)).to.equal(true);
    });
  }

  itKills('fork: a notification sent to a waiter SIGKILLed a moment before goes to the next waiter once its death is seen', async () => {
    const cond = new Condition();
    const waiter = startChild('shared-ops', { args: ['condWaitKeep', cond], kind: 'fork' });
    expect(await firstValueFrom(waiter.output$)).to.equal('waiting');
    const mine = cond.runExclusive(() => cond.wait());
    waiter.kill(); // SIGKILL: it never runs again, so it cannot take what comes next
    await cond.runExclusive(() => cond.notify());
    expect(await settles(mine, 20_000)).to.equal(true);
    await waiter.join();
  });

  itKills('fork: a waiter SIGKILLed after it was notified, while it waits for the lock, does not wedge the lock', async () => {
    const cond = new Condition();
    const waiter = startChild('shared-ops', { args: ['condWaitKeep', cond], kind: 'fork' });
    expect(await firstValueFrom(waiter.output$)).to.equal('waiting');
    await cond.acquire();
    cond.notify(); // it wakes, and waits to take the lock back
    await new Promise((r) => setTimeout(r, 50));
    waiter.kill();
    await waiter.join();
    cond.release();
    expect(
      await settles(
        cond.runExclusive(() => 'free'),
        20_000,
      ),
    ).to.equal('free');
  });
});
