/**
 * The Semaphore / BoundedSemaphore conformance suite: written once, run with
 * the other side in this thread, in a worker thread and in a forked process.
 */
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { BoundedSemaphore, Queue, RawArray, Semaphore } from '../../src/index.js';
import { settledWithin } from '../support/async.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function semaphoreConformance(peer: SharedPeer): void {
  describe(`Semaphore conformance: ${peer.label}`, () => {
    it('a unit the other side holds is gone here', async () => {
      const sem = new Semaphore(2);
      const release = new Queue<string>();
      const holding = peer.observe('semHold', sem, release);
      const done = lastValueFrom(holding.pipe(toArray()));
      while (sem.getValue() === 2) await new Promise((r) => setTimeout(r, 5));
      expect(sem.getValue()).to.equal(1);
      expect(sem.tryAcquire()).to.equal(true);
      expect(sem.tryAcquire()).to.equal(false);
      sem.release();
      await release.put('go');
      expect(await done).to.deep.equal(['held']);
      expect(sem.getValue()).to.equal(2);
    });

    it('units the other side released come back; a child that exits gives back what it still held', async () => {
      const sem = new Semaphore(2);
      expect(await ask(peer, 'semTry', sem)).to.equal(true);
      // A child's exit gives its unit back before its output completes; in this thread the unit stays taken.
      expect(sem.getValue()).to.equal(peer.exits ? 2 : 1);
      await ask(peer, 'semRelease', sem, 1);
      expect(sem.getValue()).to.equal(peer.exits ? 3 : 2);
    });

    it('acquire({ timeout }) there resolves false while no unit is free, true once one is', async () => {
      const sem = new Semaphore(0);
      expect(await ask(peer, 'semAcquireWithin', sem, 30)).to.equal(false);
      sem.release();
      expect(await ask(peer, 'semAcquireWithin', sem, 30)).to.equal(true);
      expect(sem.getValue()).to.equal(peer.exits ? 1 : 0); // an exited child's unit is back
    });

    it('a waiter here is granted when the other side releases', async () => {
      const sem = new Semaphore(0);
      const waiting = sem.acquire();
      expect(await settledWithin(waiting, 30)).to.equal(false);
      await ask(peer, 'semRelease', sem, 1);
      expect(await waiting).to.equal(true);
      expect(sem.getValue()).to.equal(0);
    });

    it('a BoundedSemaphore refuses to pass its bound there too', async () => {
      const sem = new BoundedSemaphore(1);
      let error: unknown;
      try {
        await ask(peer, 'semRelease', sem, 1);
      } catch (e) {
        error = e;
      }
      expect((error as Error)?.name).to.equal('NotHeldError');
      expect(sem.getValue()).to.equal(1);
    });

    it('never lets more than its value inside at once, both sides taking turns', async function () {
      this.timeout(60_000);
      const sem = new Semaphore(2);
      const inside = new RawArray('i', 1);
      const other = ask<boolean>(peer, 'semRounds', sem, inside, 2, 300);
      let worst = 0;
      for (let i = 0; i < 300; i++) {
        await sem.acquire();
        worst = Math.max(worst, Atomics.add(inside, 0, 1) + 1);
        await new Promise((r) => setImmediate(r));
        Atomics.sub(inside, 0, 1);
        sem.release();
      }
      expect(await other).to.equal(true);
      expect(worst).to.be.at.most(2);
      expect(sem.getValue()).to.equal(2);
    });
  });
}
