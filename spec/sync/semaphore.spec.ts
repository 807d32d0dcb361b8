/** Semaphore and BoundedSemaphore in one thread, with the cases of CPython's _TestSemaphore that apply. */
import { expect } from 'chai';
import { timer } from 'rxjs';
import { BoundedSemaphore, NotHeldError, Semaphore } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

describe('Semaphore', () => {
  it('counts down on acquire and up on release (test_semaphore)', async () => {
    const sem = new Semaphore(2);
    expect(await sem.acquire()).to.equal(true);
    expect(sem.getValue()).to.equal(1);
    expect(sem.tryAcquire()).to.equal(true);
    expect(sem.getValue()).to.equal(0);
    expect(sem.tryAcquire()).to.equal(false);
    expect(await sem.acquire({ block: false })).to.equal(false);
    sem.release();
    expect(sem.getValue()).to.equal(1);
    sem.release(2);
    expect(sem.getValue()).to.equal(3);
  });

  it('a Semaphore may be released past its start; a BoundedSemaphore may not (test_bounded_semaphore)', () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.getValue()).to.equal(2);
    const bounded = new BoundedSemaphore(2);
    expect(() => bounded.release()).to.throw(NotHeldError);
    expect(bounded.getValue()).to.equal(2);
    bounded.tryAcquire();
    bounded.release();
    expect(() => new BoundedSemaphore(0).release()).to.throw(NotHeldError);
  });

  it('waiters are granted in arrival order', async () => {
    const sem = new Semaphore(0);
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => sem.acquire().then(() => order.push(n)));
    expect(sem.tryAcquire()).to.equal(false);
    sem.release(3);
    await Promise.all(waits);
    expect(order).to.deep.equal([1, 2, 3]);
  });

  it('an aborted wait rejects, is withdrawn, and the unit goes to the next waiter', async () => {
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const aborted = sem.acquire({ signal: controller.signal });
    const next = sem.acquire();
    controller.abort(new Error('stop'));
    await expectRejection(aborted, Error);
    sem.release();
    expect(await next).to.equal(true);
    expect(sem.getValue()).to.equal(0);
  });

  it('bad values and options are refused: negative, fractional, non-number; release(0)', async () => {
    expect(() => new Semaphore(-1)).to.throw(RangeError);
    expect(() => new Semaphore(1.5)).to.throw(RangeError);
    expect(() => new Semaphore('1' as never)).to.throw(TypeError);
    expect(() => new Semaphore(1, { schedulr: 1 } as never)).to.throw(TypeError);
    expect(() => new Semaphore(1).release(0)).to.throw(RangeError);
    await expectRejection(new Semaphore(0).acquire({ timeout: -1 }), RangeError);
  });

  it('runExclusive gives the unit back, also on a throw', async () => {
    const sem = new Semaphore(1);
    await expectRejection(
      sem.runExclusive(() => {
        throw new TypeError('x');
      }),
      TypeError,
    );
    expect(sem.getValue()).to.equal(1);
  });

  describe('in virtual time', () => {
    async function outcome(releaseAt: number): Promise<boolean> {
      let result: Promise<boolean> | undefined;
      let sem: Semaphore | undefined;
      testScheduler().run(() => {
        sem = new Semaphore(0);
        result = sem.acquire({ timeout: 5 });
        timer(releaseAt).subscribe(() => sem?.release());
      });
      return (await result) as boolean;
    }

    it('a release before the deadline grants the waiter', async () => {
      expect(await outcome(4)).to.equal(true);
    });

    it('at the deadline the waiter resolves false and leaves the line; the later release stays free', async () => {
      expect(await outcome(6)).to.equal(false);
    });
  });

  describe('acquire$ and await using', () => {
    it('acquire$() holds a unit while subscribed; unsubscribing gives it back, or withdraws a wait', async () => {
      const sem = new Semaphore(1);
      const first = sem.acquire$().subscribe();
      expect(sem.getValue()).to.equal(0);
      let second = false;
      const waiting = sem.acquire$().subscribe(() => (second = true));
      waiting.unsubscribe();
      first.unsubscribe();
      expect(second).to.equal(false);
      expect(sem.getValue()).to.equal(1);
    });

    it('in virtual time: a waiting acquire$() emits in the frame a unit is released', () => {
      testScheduler().run(({ expectObservable }) => {
        const sem = new Semaphore(0);
        timer(3).subscribe(() => sem.release());
        expectObservable(sem.acquire$(), '^------!').toBe('---a', { a: undefined });
      });
    });

    it('await using gives the unit back at the end of the block', async () => {
      const sem = new BoundedSemaphore(1);
      await (async () => {
        await sem.acquire();
        await using _unit = sem;
        expect(sem.getValue()).to.equal(0);
      })();
      expect(sem.getValue()).to.equal(1);
    });
  });
});
