/**
 * The Value / RawValue conformance suite: written once, run with the other
 * side in this thread, in a worker thread and in a forked process.
 */
import { expect } from 'chai';
import { Lock, RawValue, type Typecode, Value } from '../../src/index.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

/** One value per typecode, each near the edge of its range. */
const SAMPLES: [Typecode, unknown][] = [
  ['b', -128],
  ['B', 255],
  ['h', -32768],
  ['H', 65535],
  ['i', -(2 ** 31)],
  ['I', 2 ** 32 - 1],
  ['l', -(2n ** 63n)],
  ['L', 2n ** 64n - 1n],
  ['q', 2n ** 63n - 1n],
  ['Q', 2n ** 64n - 1n],
  ['f', 0.5],
  ['d', Math.PI],
];

export function valueConformance(peer: SharedPeer): void {
  describe(`Value conformance: ${peer.label}`, () => {
    it('the other side reads the value of every typecode as it was set', async () => {
      for (const [code, sample] of SAMPLES) {
        const v = new Value(code, sample as never);
        expect(await ask(peer, 'getValue', v), code).to.equal(sample);
      }
    });

    it("a 'c' value is one byte on both sides", async () => {
      const v = new Value('c', 65);
      expect(Array.from(await ask<Uint8Array>(peer, 'getValue', v))).to.deep.equal([65]);
    });

    it('this side sees what the other side set, in both a Value and a RawValue', async () => {
      const v = new Value('d', 0);
      const raw = new RawValue('q', 0n);
      await ask(peer, 'setValue', v, 2.5);
      await ask(peer, 'setValue', raw, -(2n ** 40n));
      expect(v.value).to.equal(2.5);
      expect(raw.value).to.equal(-(2n ** 40n));
    });

    it('getObj() on either side is the same memory', async () => {
      const v = new Value('i', 1);
      await ask(peer, 'setValue', v.getObj(), 77);
      expect(v.value).to.equal(77);
    });

    it('a bad value set on the other side is refused there, the value unchanged', async () => {
      const v = new Value('b', 3);
      let refused: unknown;
      try {
        await ask(peer, 'setValue', v, 1000);
      } catch (error) {
        refused = error;
      }
      expect((refused as Error)?.name).to.equal('RangeError');
      expect(v.value).to.equal(3);
    });

    it('increments under getLock() from both sides at once are exact', async function () {
      this.timeout(60_000);
      const v = new Value('i', 0);
      const times = 20_000;
      const other = ask(peer, 'lockedIncrement', v, times);
      const lock = v.getLock();
      for (let i = 0; i < times; i++) {
        await lock.acquire();
        v.value += 1;
        lock.release();
      }
      await other;
      expect(v.value).to.equal(2 * times);
    });

    it('a Lock given as the lock is the one the other side holds', async () => {
      const lock = new Lock();
      const v = new Value('i', 0, { lock });
      expect(v.getLock()).to.equal(lock);
      expect(await ask(peer, 'lockOfValueIs', v, lock)).to.equal(true);
      lock.tryAcquire();
      expect(await ask(peer, 'locked', v.getLock())).to.equal(true);
      lock.release();
    });

    it('values at any depth of plain objects and arrays arrive working', async () => {
      const deep = { a: [{ b: [new Value('i', 1), new Value('i', 2)] }], raw: new RawValue('H', 3) };
      expect(await ask(peer, 'nestedValues', deep)).to.deep.equal([1, 2, 3]);
    });

    it('the same value passed twice is one object on the other side', async () => {
      const v = new Value('i', 0);
      expect(await ask(peer, 'same', v, v)).to.equal(true);
    });

    it('a value created on the other side comes back working', async () => {
      const v = await ask<Value<'i'>>(peer, 'createValue', 'i', 41);
      expect(v).to.be.instanceOf(Value);
      v.value += 1;
      expect(v.value).to.equal(42);
      expect(v.getLock().tryAcquire()).to.equal(true);
      v.getLock().release();
    });
  });
}
