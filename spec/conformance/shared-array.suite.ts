/**
 * The SharedArray / RawArray conformance suite: written once, run with the
 * other side in this thread, in a worker thread and in a forked process.
 */
import { expect } from 'chai';
import { RawArray, SharedArray } from '../../src/index.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function sharedArrayConformance(peer: SharedPeer): void {
  describe(`SharedArray conformance: ${peer.label}`, () => {
    it('the other side reads the elements, of a SharedArray and a RawArray', async () => {
      expect(await ask(peer, 'elements', new SharedArray('h', [1, -2, 3]))).to.deep.equal([1, -2, 3]);
      expect(await ask(peer, 'elements', new RawArray('d', [0.5, 1.5]))).to.deep.equal([0.5, 1.5]);
    });

    it('each kind arrives as itself, with its typecode and length', async () => {
      expect(await ask(peer, 'describeArray', new SharedArray('I', 5))).to.deep.equal({
        typecode: 'I',
        length: 5,
        raw: false,
        shared: true,
      });
      expect(await ask(peer, 'describeArray', new RawArray('f', 0))).to.deep.equal({ typecode: 'f', length: 0, raw: true, shared: false });
    });

    it('an element set by the other side is seen here in the same view', async () => {
      const a = new RawArray('i', 4);
      await ask(peer, 'setElement', a, 2, -9);
      expect(Array.from(a)).to.deep.equal([0, 0, -9, 0]);
    });

    it('Atomics from both sides lose no update', async () => {
      const a = new SharedArray('i', 2);
      const times = 200_000;
      const other = ask(peer, 'atomicAdd', a, 1, times);
      for (let i = 0; i < times; i++) Atomics.add(a, 1, 1);
      await other;
      expect(a[1]).to.equal(2 * times);
    });

    it('read-modify-writes of every element under getLock() from both sides are exact', async function () {
      this.timeout(60_000);
      const a = new SharedArray('i', 4);
      const times = 5_000;
      const other = ask(peer, 'lockedArrayIncrement', a, times);
      const lock = a.getLock();
      for (let i = 0; i < times; i++) {
        await lock.acquire();
        for (let j = 0; j < a.length; j++) a[j] = (a[j] as number) + 1;
        lock.release();
      }
      await other;
      expect(Array.from(a)).to.deep.equal([2 * times, 2 * times, 2 * times, 2 * times]);
    });

    it('an array and its getObj() arrive as one memory', async () => {
      const a = new SharedArray('i', 3);
      await ask(peer, 'setElement', a.getObj(), 0, 5);
      expect(a[0]).to.equal(5);
    });

    it('an array created on the other side comes back working', async () => {
      const a = await ask<SharedArray<'i'>>(peer, 'createArray', 'i', [1, 2, 3]);
      expect(a).to.be.instanceOf(SharedArray);
      expect(Array.from(a)).to.deep.equal([1, 2, 3]);
      expect(a.getLock().tryAcquire()).to.equal(true);
      a.getLock().release();
    });
  });
}
