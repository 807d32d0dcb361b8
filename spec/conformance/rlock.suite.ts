/**
 * The RLock conformance suite: written once, run with the other side in
 * this thread, in a worker thread and in a forked child.
 */
import { expect } from 'chai';
import { RLock, Value } from '../../src/index.js';
import { rxmpWarnings } from '../support/warnings.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function rlockConformance(peer: SharedPeer): void {
  describe(`RLock conformance: ${peer.label}`, () => {
    it('arrives as an RLock; held by a task here, it is held there, and there it cannot be released (NotHeldError)', async () => {
      const lock = new RLock();
      expect(await ask(peer, 'className', lock)).to.equal('RLock');
      let release!: () => void;
      const holding = lock.runExclusive(() => new Promise<void>((r) => (release = r)));
      expect(await ask(peer, 'tryAcquire', lock)).to.equal(false);
      expect(await ask(peer, 'locked', lock)).to.equal(true);
      let error: unknown;
      try {
        await ask(peer, 'release', lock);
      } catch (e) {
        error = e;
      }
      expect((error as Error)?.name).to.equal('NotHeldError');
      release();
      await holding;
      expect(await ask(peer, 'locked', lock)).to.equal(false);
    });

    it("a Value's own lock is an RLock there too (Python's default)", async () => {
      expect(await ask(peer, 'valueLockClass', new Value('i', 0))).to.equal('RLock');
    });

    it('an RLock the other side exits holding is free afterwards, and its next taker is told', async () => {
      if (!peer.exits) return;
      const lock = new RLock();
      const warnings = rxmpWarnings();
      try {
        expect(await ask(peer, 'tryAcquire', lock)).to.equal(true);
        expect(lock.tryAcquire()).to.equal(true);
        expect(lock.abandoned).to.equal(true);
        lock.release();
        expect(lock.abandoned).to.equal(false);
      } finally {
        warnings.stop();
      }
    });
  });
}
