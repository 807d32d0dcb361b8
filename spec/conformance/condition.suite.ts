/**
 * The Condition conformance suite: written once, run with the other side
 * in this thread, in a worker thread and in a forked child.
 */
import { expect } from 'chai';
import { Condition, Lock } from '../../src/index.js';
import { settles } from '../support/async.js';
import { ask, inLine, type SharedPeer } from '../support/shared-peers.js';

export function conditionConformance(peer: SharedPeer): void {
  describe(`Condition conformance: ${peer.label}`, () => {
    it('a waiter there is woken by a notify here, and holds the lock again when its wait resolves', async () => {
      const cond = new Condition();
      const { said } = await inLine(peer, 'condWaitReport', cond);
      await cond.runExclusive(() => cond.notify());
      expect(await settles(said, 20_000)).to.deep.equal([true, 'lock held again']);
    });

    it('a waiter here is woken by a notify there (with a given Lock)', async () => {
      const cond = new Condition(new Lock());
      await cond.acquire();
      const notified = cond.wait();
      await ask(peer, 'condNotify', cond, 1);
      expect(await settles(notified, 20_000)).to.equal(true);
      expect(cond.tryAcquire(), 'the lock is held again').to.equal(false);
      cond.release();
    });

    it('notify(1) wakes the longest waiter first: the one there, then the one here', async () => {
      const cond = new Condition();
      const { said: there } = await inLine(peer, 'condWaitReport', cond, 20_000);
      let here: boolean | undefined;
      const mine = cond.runExclusive(async () => {
        here = await cond.wait({ timeout: 20_000 });
      });
      await cond.runExclusive(() => cond.notify(1));
      expect((await settles(there, 20_000))[0]).to.equal(true);
      expect(here, 'this side still waits').to.equal(undefined);
      await cond.runExclusive(() => cond.notify(1));
      await settles(mine, 20_000);
      expect(here).to.equal(true);
    });

    it('notifyAll there wakes every waiter here', async () => {
      const cond = new Condition();
      const waits = [1, 2, 3].map(() => cond.runExclusive(() => cond.wait({ timeout: 20_000 })));
      await ask(peer, 'condNotify', cond, 'all');
      expect(await settles(Promise.all(waits), 20_000)).to.deep.equal([true, true, true]);
    });

    it('a timed wait there resolves false with the lock held again', async () => {
      const cond = new Condition();
      const { said } = await inLine(peer, 'condWaitReport', cond, 30);
      expect(await settles(said, 20_000)).to.deep.equal([false, 'lock held again']);
      expect(cond.tryAcquire()).to.equal(true);
      cond.release();
    });
  });
}
