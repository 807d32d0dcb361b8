/** The Rx and `await using` faces of Lock and RLock: acquire$(), withLock, Symbol.asyncDispose; marbles in virtual time. */
import { expect } from 'chai';
import { defer, firstValueFrom, from, map, of, throwError, timer, toArray } from 'rxjs';
import { Lock, RLock, withLock } from '../../src/index.js';
import { testScheduler } from '../support/marbles.js';
import { sleep } from '../support/async.js';

for (const Kind of [Lock, RLock]) {
  describe(`${Kind.name}: acquire$, withLock, await using`, () => {
    it('acquire$() emits once held and holds it while subscribed; unsubscribing releases', async () => {
      const lock = new Kind();
      const subscription = lock.acquire$().subscribe();
      await sleep(1);
      expect(lock.locked()).to.equal(true);
      expect(lock.tryAcquire(), 'held by the subscription').to.equal(false);
      subscription.unsubscribe();
      expect(lock.locked()).to.equal(false);
    });

    it('acquire$() unsubscribed while it waits withdraws the wait and never takes the lock', async () => {
      const lock = new Kind();
      expect(lock.tryAcquire()).to.equal(true);
      let emitted = false;
      const subscription = lock.acquire$().subscribe(() => (emitted = true));
      subscription.unsubscribe();
      lock.release();
      await sleep(1);
      expect(emitted).to.equal(false);
      expect(lock.locked()).to.equal(false);
    });

    it('withLock runs each inner Observable holding the lock, one at a time, and releases after each', async () => {
      const lock = new Kind();
      const seen = await firstValueFrom(
        from([1, 2, 3]).pipe(
          withLock(lock, (n) => defer(() => of(`${n}:${lock.locked()}`))),
          toArray(),
        ),
      );
      expect(seen).to.deep.equal(['1:true', '2:true', '3:true']);
      expect(lock.locked()).to.equal(false);
    });

    it('withLock releases when the inner Observable errors, and the error goes downstream', async () => {
      const lock = new Kind();
      let error: unknown;
      await new Promise<void>((resolve) =>
        of(1)
          .pipe(withLock(lock, () => throwError(() => new TypeError('inner'))))
          .subscribe({
            error: (e) => {
              error = e;
              resolve();
            },
          }),
      );
      expect(error).to.be.instanceOf(TypeError);
      expect(lock.locked()).to.equal(false);
    });

    it('await using releases at the end of the block, also when it throws', async () => {
      const lock = new Kind();
      await (async () => {
        await lock.acquire();
        await using _held = lock;
        expect(lock.locked()).to.equal(true);
      })();
      expect(lock.locked()).to.equal(false);
      await (async () => {
        await lock.acquire();
        await using _held = lock;
        throw new Error('inside');
      })().catch(() => undefined);
      expect(lock.locked()).to.equal(false);
    });

    it('in virtual time: withLock holds the lock for exactly the life of each inner Observable', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const lock = new Kind();
        const out = cold('a-b|').pipe(withLock(lock, (v) => cold('--x|', { x: v })));
        expectObservable(out).toBe('--a--b|');
        // Held during each inner Observable (frames 0-3 and 3-6), free after the last.
        const seen = cold('-x--x--x|').pipe(map(() => lock.locked()));
        expectObservable(seen).toBe('-t--t--f|', { t: true, f: false });
      });
    });

    it('in virtual time: a waiting withLock starts its inner Observable at the frame the holder releases', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const lock = new Kind();
        lock.tryAcquire();
        timer(4).subscribe(() => lock.release());
        expectObservable(of('a').pipe(withLock(lock, (v) => cold('-x|', { x: v })))).toBe('-----a|');
      });
    });
  });
}

describe('RLock: withLock re-entry', () => {
  it('the inner Observable runs as the owning task: it can take the RLock again', async () => {
    const lock = new RLock();
    const result = await new Promise<string>((resolve, reject) =>
      of('x')
        .pipe(withLock(lock, (v) => from(lock.runExclusive(() => `${v} again`))))
        .subscribe({ next: resolve, error: reject }),
    );
    expect(result).to.equal('x again');
    expect(lock.locked()).to.equal(false);
  });
});
