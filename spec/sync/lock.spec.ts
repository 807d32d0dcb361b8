/** Lock in one thread: the calls, their options and errors; its timeouts in virtual time. */
import { expect } from 'chai';
import { timer } from 'rxjs';
import { Lock, NotHeldError } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

describe('Lock', () => {
  it('tryAcquire takes a free lock once; release frees it; locked() tells', () => {
    const lock = new Lock();
    expect(lock.locked()).to.equal(false);
    expect(lock.tryAcquire()).to.equal(true);
    expect(lock.tryAcquire()).to.equal(false);
    expect(lock.locked()).to.equal(true);
    lock.release();
    expect(lock.locked()).to.equal(false);
  });

  it('releasing a lock nobody holds is NotHeldError, and changes nothing', () => {
    const lock = new Lock();
    expect(() => lock.release()).to.throw(NotHeldError);
    expect(lock.tryAcquire()).to.equal(true);
  });

  it('acquire() of a free lock resolves true; block: false and timeout: 0 resolve false when held', async () => {
    const lock = new Lock();
    expect(await lock.acquire()).to.equal(true);
    expect(await lock.acquire({ block: false })).to.equal(false);
    expect(await lock.acquire({ timeout: 0 })).to.equal(false);
    lock.release();
  });

  it('waiters in this thread get the lock in arrival order', async () => {
    const lock = new Lock();
    lock.tryAcquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      lock.acquire().then(() => {
        order.push(n);
        lock.release();
      }),
    );
    expect(lock.tryAcquire(), 'no barging past waiters').to.equal(false);
    lock.release();
    await Promise.all(waiters);
    expect(order).to.deep.equal([1, 2, 3]);
  });

  it('an aborted acquire rejects with the reason, is withdrawn, and the lock goes to the next waiter', async () => {
    const lock = new Lock();
    lock.tryAcquire();
    const controller = new AbortController();
    const aborted = lock.acquire({ signal: controller.signal });
    const next = lock.acquire();
    controller.abort(new Error('stop'));
    expect((await expectRejection(aborted, Error)).message).to.equal('stop');
    lock.release();
    expect(await next).to.equal(true);
    lock.release();
    expect(lock.locked()).to.equal(false);
  });

  it('an already-aborted signal rejects at once, without taking the lock', async () => {
    const controller = new AbortController();
    controller.abort(new Error('before'));
    const lock = new Lock();
    await expectRejection(lock.acquire({ signal: controller.signal }), Error);
    expect(lock.locked()).to.equal(false);
  });

  it('bad options reject at once: negative or NaN timeouts, unknown keys, a non-boolean block', async () => {
    const lock = new Lock();
    await expectRejection(lock.acquire({ timeout: -1 }), RangeError);
    await expectRejection(lock.acquire({ timeout: Number.NaN }), RangeError);
    await expectRejection(lock.acquire({ timout: 5 } as never), TypeError);
    await expectRejection(lock.acquire({ block: 'no' as never }), TypeError);
    expect(() => new Lock({ scheduler: {} as never })).to.throw(TypeError);
    expect(lock.locked()).to.equal(false);
  });

  it('runExclusive releases after fn, also when it throws or rejects', async () => {
    const lock = new Lock();
    expect(await lock.runExclusive(() => (lock.locked() ? 'held' : 'free'))).to.equal('held');
    expect(lock.locked()).to.equal(false);
    await expectRejection(
      lock.runExclusive(() => {
        throw new TypeError('boom');
      }),
      TypeError,
    );
    expect(lock.locked()).to.equal(false);
    await expectRejection(
      lock.runExclusive(() => Promise.reject(new RangeError('later'))),
      RangeError,
    );
    expect(lock.locked()).to.equal(false);
  });

  describe('in virtual time', () => {
    /** What `acquire({ timeout: 5 })` on a held lock resolves when the holder releases at `releaseAt`. */
    async function outcome(releaseAt: number): Promise<boolean> {
      let result: Promise<boolean> | undefined;
      testScheduler().run(() => {
        const lock = new Lock();
        lock.tryAcquire();
        result = lock.acquire({ timeout: 5 });
        timer(releaseAt).subscribe(() => lock.release());
      });
      return (await result) as boolean;
    }

    it('a release before the deadline grants the waiter', async () => {
      expect(await outcome(4)).to.equal(true);
    });

    it('the deadline passes first: the waiter resolves false, even with a release right after', async () => {
      expect(await outcome(6)).to.equal(false);
    });

    it('a timeout on an injected scheduler runs on that scheduler', async () => {
      const scheduler = testScheduler();
      const lock = new Lock({ scheduler });
      lock.tryAcquire();
      let settled: boolean | undefined;
      void lock.acquire({ timeout: 10 }).then((r) => (settled = r));
      scheduler.flush();
      await Promise.resolve();
      expect(settled).to.equal(false);
    });
  });
});
