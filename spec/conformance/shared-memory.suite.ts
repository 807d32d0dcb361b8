/**
 * The SharedMemory conformance suite: written once, run with the other side
 * in this thread, in a worker thread and in a forked process.
 */
import { expect } from 'chai';
import { SharedMemory } from '../../src/index.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function sharedMemoryConformance(peer: SharedPeer): void {
  describe(`SharedMemory conformance: ${peer.label}`, () => {
    const made: SharedMemory[] = [];
    const create = (size: number): SharedMemory => {
      const shm = new SharedMemory({ create: true, size });
      made.push(shm);
      return shm;
    };
    afterEach(() => {
      for (const shm of made.splice(0)) {
        shm.close();
        try {
          shm.unlink();
        } catch {
          // A test unlinked it already.
        }
      }
    });

    it('the other side reads what this side wrote', async () => {
      const shm = create(4096);
      shm.buf.set([1, 2, 3, 250], 100);
      expect(Array.from(await ask<Uint8Array>(peer, 'readBytes', shm, 100, 4))).to.deep.equal([1, 2, 3, 250]);
    });

    it('this side reads what the other side wrote, in the same pages', async () => {
      const shm = create(4096);
      const view = shm.buf; // made before the write: no copy can explain what it sees
      await ask(peer, 'writeBytes', shm, 10, new Uint8Array([9, 8, 7]));
      expect(Array.from(view.subarray(10, 13))).to.deep.equal([9, 8, 7]);
    });

    it('the other side attaches by name and sees the same bytes and size', async () => {
      const shm = create(10);
      shm.buf.set([42, 7]);
      const seen = await ask<{ bytes: Uint8Array; size: number }>(peer, 'attachAndRead', shm.name, 2);
      expect(Array.from(seen.bytes)).to.deep.equal([42, 7]);
      expect(seen.size).to.equal(10);
    });

    it('an attacher that closes never unlinks: the name still attaches afterwards', async () => {
      const shm = create(16);
      await ask(peer, 'attachAndRead', shm.name, 1);
      const again = new SharedMemory({ name: shm.name });
      expect(again.size).to.equal(16);
      again.close();
    });

    it('Atomics on its buffer lose no update with both sides adding at once', async () => {
      const shm = create(64);
      const words = new Int32Array(shm.buf.buffer);
      const times = 200_000;
      const other = ask(peer, 'atomicAdd', shm, 3, times);
      for (let i = 0; i < times; i++) Atomics.add(words, 3, 1);
      await other;
      expect(Atomics.load(words, 3)).to.equal(2 * times);
    });

    it('a handle still attaches after its name was unlinked (its pages are open)', async () => {
      const shm = create(8);
      shm.buf[0] = 5;
      shm.unlink();
      expect(Array.from(await ask<Uint8Array>(peer, 'readBytes', shm, 0, 1))).to.deep.equal([5]);
    });

    it('memory the other side created comes back attached', async () => {
      const theirs = await ask<SharedMemory>(peer, 'createMemory', 1000, 3);
      made.push(theirs);
      expect(theirs).to.be.instanceOf(SharedMemory);
      expect(theirs.size).to.equal(1000);
      expect(theirs.buf.every((b) => b === 3)).to.equal(true);
    });

    it('64 MiB written by the other side are read here with no copy', async function () {
      this.timeout(60_000);
      const size = 64 * 1024 * 1024;
      const shm = create(size);
      const view = new BigUint64Array(shm.buf.buffer);
      await ask(peer, 'fill', shm, 0xab);
      expect(shm.buf.buffer).to.be.instanceOf(SharedArrayBuffer);
      const word = 0xababababababababn;
      let wrong = 0;
      for (let i = 0; i < view.length; i++) if (view[i] !== word) wrong++;
      expect(wrong).to.equal(0);
    });
  });
}
