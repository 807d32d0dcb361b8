/**
 * The Lock conformance suite (the part `Value` and `SharedArray` rely on):
 * written once, run with the other side in this thread, in a worker thread
 * and in a forked process.
 */
import { expect } from 'chai';
import { Lock, NotHeldError, Queue, RawArray } from '../../src/index.js';
import { settledWithin } from '../support/async.js';
import { rxmpWarnings } from '../support/warnings.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function lockConformance(peer: SharedPeer): void {
  describe(`Lock conformance: ${peer.label}`, () => {
    it('a lock held here is held there', async () => {
      const lock = new Lock();
      expect(lock.tryAcquire()).to.equal(true);
      expect(await ask(peer, 'tryAcquire', lock)).to.equal(false);
      expect(await ask(peer, 'locked', lock)).to.equal(true);
      lock.release();
      expect(await ask(peer, 'locked', lock)).to.equal(false);
    });

    it('acquire({ timeout }) resolves false while the other side holds it', async () => {
      const lock = new Lock();
      expect(lock.tryAcquire()).to.equal(true);
      expect(await ask(peer, 'acquireWithin', lock, 30)).to.equal(false);
      lock.release();
      expect(await ask(peer, 'acquireWithin', lock, 30)).to.equal(true);
      // A child that exits holding it does not keep it.
      expect(lock.locked()).to.equal(!peer.exits);
      if (!peer.exits) lock.release();
    });

    it('a lock held there can be released here (as Python: any holder releases)', async () => {
      const lock = new Lock();
      const release = new Queue<string>();
      const holding = new Promise<void>((resolve, reject) =>
        peer.observe('hold', lock, release).subscribe({ error: reject, complete: resolve }),
      );
      while (!lock.locked()) await new Promise((r) => setTimeout(r, 5));
      lock.release();
      expect(lock.locked()).to.equal(false);
      expect(() => lock.release()).to.throw(NotHeldError);
      expect(lock.tryAcquire()).to.equal(true);
      // The holder there releases what it believes it holds: this side's hold ends too (Python's rule, not an owner's).
      await release.put('go');
      await holding;
      expect(lock.locked()).to.equal(false);
    });

    it('a lock the other side exits holding is free afterwards, and its next taker is told', async () => {
      if (!peer.exits) return;
      const lock = new Lock();
      const warnings = rxmpWarnings();
      try {
        expect(await ask(peer, 'tryAcquire', lock)).to.equal(true);
        expect(lock.tryAcquire()).to.equal(true);
        expect(lock.abandoned).to.equal(true);
        lock.release();
      } finally {
        warnings.stop();
      }
    });

    it('releasing a free lock there is NotHeldError', async () => {
      let error: unknown;
      try {
        await ask(peer, 'release', new Lock());
      } catch (e) {
        error = e;
      }
      expect((error as Error)?.name).to.equal('NotHeldError');
    });

    it('a waiter here wakes when the other side releases', async () => {
      const lock = new Lock();
      const release = new Queue<string>();
      const events: string[] = [];
      const finished = new Promise<void>((resolve, reject) =>
        peer.observe('hold', lock, release).subscribe({ next: (e) => events.push(e as string), error: reject, complete: resolve }),
      );
      while (!lock.locked()) await new Promise((r) => setTimeout(r, 5));
      const acquired = lock.acquire();
      expect(await settledWithin(acquired, 50)).to.equal(false);
      await release.put('go');
      expect(await acquired).to.equal(true);
      lock.release();
      await finished;
      expect(events).to.deep.equal(['held', 'released']);
    }).timeout(30_000);

    it('waiters are served in arrival order across the boundary: the one waiting there first, then the one here', async () => {
      const lock = new Lock();
      const order = new RawArray('i', 3); // [turns so far, the other side's turn, this side's turn]
      expect(lock.tryAcquire()).to.equal(true);
      let inLine!: () => void;
      const waiting = new Promise<void>((resolve) => {
        inLine = resolve;
      });
      const finished = new Promise<void>((resolve, reject) =>
        peer.observe('lockInLine', lock, order, 1).subscribe({ next: () => inLine(), error: reject, complete: resolve }),
      );
      await waiting; // its acquire is in line before this side's
      const here = lock.acquire().then(() => {
        order[2] = Atomics.add(order, 0, 1) + 1;
        lock.release();
      });
      lock.release();
      await Promise.all([here, finished]);
      expect([order[1], order[2]]).to.deep.equal([1, 2]);
      expect(lock.locked()).to.equal(false);
    }).timeout(30_000);
  });
}
