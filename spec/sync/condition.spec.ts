/** Condition in one thread, with async tasks for threads: the cases of CPython's _TestCondition that apply, misuse, its locks, abort; its timeouts in virtual time. */
import { expect } from 'chai';
import { timer } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { Condition, Lock, NotHeldError, RLock, type WaitOptions } from '../../src/index.js';
import { expectRejection, settledWithin, settles, sleep, until } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

/**
 * Starts `n` tasks that each take the condition's lock and `wait(options)`,
 * numbered from 1 in the order they start; resolves once every one of them
 * waits. `woken` lists them as they come back with the lock.
 */
async function waiters(cond: Condition, n: number, options?: WaitOptions): Promise<{ woken: number[]; results: Promise<boolean[]> }> {
  const woken: number[] = [];
  const results = Array.from({ length: n }, (_, i) =>
    cond.runExclusive(async () => {
      const notified = await cond.wait(options);
      woken.push(i + 1);
      return notified;
    }),
  );
  // The lock is served in arrival order: this task gets it after each of them took it and let it go to wait.
  await cond.runExclusive(() => expect(woken, 'nobody woken yet').to.deep.equal([]));
  return { woken, results: Promise.all(results) };
}

/** Runs `scheduler`'s frames 0 to `last` one at a time, letting promise callbacks run after each frame. */
async function stepThrough(scheduler: TestScheduler, last: number): Promise<void> {
  for (let frame = 0; frame <= last; frame++) {
    scheduler.maxFrames = frame;
    scheduler.flush();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('Condition', () => {
  it('test_notify: notify() wakes exactly one waiter, the one waiting longest (FIFO, where Python promises no order)', async () => {
    const cond = new Condition();
    const { woken, results } = await waiters(cond, 3);
    await sleep(10);
    expect(woken).to.deep.equal([]);
    for (const k of [1, 2, 3]) {
      await cond.runExclusive(() => cond.notify());
      await until(() => woken.length >= k, 2000);
      await sleep(10);
      expect(woken, `after notify #${k}`).to.deep.equal([1, 2, 3].slice(0, k));
    }
    expect(await results).to.deep.equal([true, true, true]);
  });

  it('test_notify_all: notifyAll() wakes every waiter; with nobody waiting it is lost, not kept for a later wait', async () => {
    const cond = new Condition();
    await cond.runExclusive(() => cond.notifyAll());
    expect(await cond.runExclusive(() => cond.wait({ timeout: 20 })), 'an earlier notifyAll is not banked').to.equal(false);
    const { woken, results } = await waiters(cond, 4);
    await cond.runExclusive(() => cond.notifyAll());
    expect(await settles(results, 2000)).to.deep.equal([true, true, true, true]);
    expect(woken).to.have.members([1, 2, 3, 4]);
  });

  it('test_notify_n: notify(n) wakes the n longest waiting, notify(0) none, more than wait wakes all that wait; one that timed out takes none', async () => {
    const cond = new Condition();
    const timedOut = await waiters(cond, 1, { timeout: 10 });
    expect(await timedOut.results).to.deep.equal([false]);
    const { woken, results } = await waiters(cond, 5);
    await cond.runExclusive(() => cond.notify(0));
    await sleep(10);
    expect(woken, 'notify(0)').to.deep.equal([]);
    await cond.runExclusive(() => cond.notify(2));
    await until(() => woken.length >= 2, 2000);
    await sleep(10);
    expect(woken, 'notify(2)').to.deep.equal([1, 2]);
    await cond.runExclusive(() => cond.notify(10));
    expect(await settles(results, 2000)).to.deep.equal([true, true, true, true, true]);
    expect(woken.slice(2), 'notify(10)').to.have.members([3, 4, 5]);
    await cond.runExclusive(() => cond.notify(3));
    expect(await cond.runExclusive(() => cond.wait({ timeout: 20 })), 'an earlier notify(3) is not banked').to.equal(false);
  });

  it('test_timeout: wait({ timeout }) resolves false after the timeout, and only once the lock is held again', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await cond.acquire();
    const started = performance.now();
    expect(await cond.wait({ timeout: 30 })).to.equal(false);
    expect(performance.now() - started).to.be.at.least(28);
    expect(lock.locked(), 'held again').to.equal(true);
    expect(await cond.wait({ timeout: 0 })).to.equal(false);
    expect(lock.locked(), 'held again after timeout 0').to.equal(true);

    const waiting = cond.wait({ timeout: 10 });
    expect(lock.locked(), 'let go while it waits').to.equal(false);
    expect(lock.tryAcquire(), 'someone else takes it').to.equal(true);
    expect(await settledWithin(waiting, 50), 'the deadline passed, but the lock is not back').to.equal(false);
    lock.release();
    expect(await waiting).to.equal(false);
    expect(lock.locked(), 'held again').to.equal(true);
    cond.release();
    expect(lock.locked()).to.equal(false);
  });

  it("test_waitfor: waitFor checks its predicate first and after each notification, and resolves the predicate's value once truthy", async () => {
    const lock = new RLock();
    const cond = new Condition(lock);
    expect(await cond.runExclusive(() => cond.waitFor(() => 'yes')), 'true at once: no wait').to.equal('yes');
    let state = -1;
    const heldWhenChecked: boolean[] = [];
    const first = cond.runExclusive(() => cond.waitFor(() => state === 0));
    const child = cond.runExclusive(async () => {
      state = 0;
      cond.notify();
      return cond.waitFor(() => {
        heldWhenChecked.push(lock.locked());
        return state === 4 && 'four';
      });
    });
    expect(await first).to.equal(true);
    expect(state).to.equal(0);
    for (let i = 0; i < 4; i++) {
      await sleep(2);
      await cond.runExclusive(() => {
        state += 1;
        cond.notify();
      });
    }
    expect(await settles(child, 2000)).to.equal('four');
    expect(state).to.equal(4);
    expect(heldWhenChecked.length, 'checked first and after wake-ups').to.be.at.least(2);
    expect(
      heldWhenChecked.every((held) => held),
      'the predicate runs with the lock held',
    ).to.equal(true);
  });

  it('test_waitfor_timeout: a predicate that never holds, notified three times, resolves its last value once the timeout is over', async () => {
    const cond = new Condition();
    let state = 0;
    const started = performance.now();
    const result = cond.runExclusive(() => cond.waitFor(() => state === 4, { timeout: 100 }));
    for (let i = 0; i < 3; i++) {
      await sleep(10);
      await cond.runExclusive(() => {
        state += 1;
        cond.notify();
      });
    }
    expect(await result).to.equal(false);
    expect(performance.now() - started).to.be.at.least(95);
    expect(state).to.equal(3);
    expect(await cond.runExclusive(() => cond.waitFor(() => 0, { timeout: 0 })), 'the last value, not a boolean').to.equal(0);
    expect(await cond.runExclusive(() => cond.waitFor(() => '', { timeout: 10 }))).to.equal('');
  });

  it('test_wait_result: wait() resolves true when notified, false on a timeout (also a timeout of 0)', async () => {
    const cond = new Condition();
    await cond.runExclusive(async () => {
      expect(await cond.wait({ timeout: 0 })).to.equal(false);
      expect(await cond.wait({ timeout: 10 })).to.equal(false);
    });
    const waiting = cond.runExclusive(() => cond.wait({ timeout: 10_000 }));
    await cond.runExclusive(() => cond.notify());
    expect(await waiting).to.equal(true);
  });

  describe('misuse', () => {
    it('wait(), notify() and notifyAll() without the lock are NotHeldError (wait rejects, notify throws), and change nothing', async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      await expectRejection(cond.wait(), NotHeldError);
      await expectRejection(cond.wait({ timeout: 10 }), NotHeldError);
      await expectRejection(
        cond.waitFor(() => false),
        NotHeldError,
      );
      expect(() => cond.notify()).to.throw(NotHeldError);
      expect(() => cond.notify(0)).to.throw(NotHeldError);
      expect(() => cond.notifyAll()).to.throw(NotHeldError);
      expect(lock.locked()).to.equal(false);
      // No failed wait left a waiter in line to take the next notification.
      const { results } = await waiters(cond, 1);
      await cond.runExclusive(() => cond.notify(1));
      expect(await settles(results, 2000)).to.deep.equal([true]);
    });

    it("an RLock's condition held by another task: NotHeldError outside any task and in another task, and its holder keeps it", async () => {
      const cond = new Condition();
      let letGo!: () => void;
      const holding = cond.runExclusive(() => new Promise<void>((resolve) => (letGo = resolve)));
      await sleep(1);
      await expectRejection(cond.wait(), NotHeldError);
      expect(() => cond.notify(), 'outside any task').to.throw(NotHeldError);
      expect(() => cond.notifyAll(), 'outside any task').to.throw(NotHeldError);
      await new RLock().runExclusive(async () => {
        await expectRejection(cond.wait({ timeout: 10 }), NotHeldError);
        expect(() => cond.notify(), "another RLock's task").to.throw(NotHeldError);
      });
      expect(cond.tryAcquire(), 'still held by its task').to.equal(false);
      letGo();
      await holding;
      expect(cond.tryAcquire()).to.equal(true);
      cond.release();
    });

    it('notify(-1) and notify(1.5) are RangeError, and wake nobody', async () => {
      const cond = new Condition();
      const { woken, results } = await waiters(cond, 1);
      await cond.runExclusive(() => {
        expect(() => cond.notify(-1)).to.throw(RangeError);
        expect(() => cond.notify(1.5)).to.throw(RangeError);
        expect(() => cond.notify(Number.NaN)).to.throw(RangeError);
      });
      await sleep(10);
      expect(woken).to.deep.equal([]);
      await cond.runExclusive(() => cond.notify());
      expect(await settles(results, 2000)).to.deep.equal([true]);
    });

    it('a lock that is not a Lock or an RLock, and bad options, are TypeError', () => {
      expect(() => new Condition({} as never)).to.throw(TypeError);
      expect(() => new Condition(new Condition() as never)).to.throw(TypeError);
      expect(() => new Condition(undefined, { scheduler: {} as never })).to.throw(TypeError);
      expect(() => new Condition(new Lock(), { schedular: 1 } as never)).to.throw(TypeError);
    });

    it('bad wait options reject (timeout -1 or NaN: RangeError; an unknown key or a bad signal: TypeError), and the lock stays held', async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      await cond.acquire();
      await expectRejection(cond.wait({ timeout: -1 }), RangeError);
      await expectRejection(cond.wait({ timeout: Number.NaN }), RangeError);
      await expectRejection(cond.wait({ timout: 5 } as never), TypeError);
      await expectRejection(cond.wait({ signal: 'stop' } as never), TypeError);
      await expectRejection(
        cond.waitFor(() => false, { timeout: -1 }),
        RangeError,
      );
      expect(lock.locked(), 'still held').to.equal(true);
      cond.release();
      expect(lock.locked()).to.equal(false);
      // In an RLock's task: still its task's, at the same level.
      const rlock = new RLock();
      const rcond = new Condition(rlock);
      await rlock.runExclusive(async () => {
        await rlock.acquire();
        await expectRejection(rcond.wait({ timeout: -1 }), RangeError);
        await expectRejection(rcond.wait({ block: false } as never), TypeError);
        expect(() => rcond.notify(), 'still owned').not.to.throw();
        rlock.release();
        expect(rlock.locked(), 'the outer level is still held').to.equal(true);
      });
      expect(rlock.locked()).to.equal(false);
      // No rejected wait left a waiter in line to take the next notification.
      const { results } = await waiters(cond, 1);
      await cond.runExclusive(() => cond.notify(1));
      expect(await settles(results, 2000)).to.deep.equal([true]);
    });
  });

  describe('its lock', () => {
    it('with a given Lock: acquire, release and runExclusive go to it; wait lets it go and takes it back', async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      expect(cond.tryAcquire()).to.equal(true);
      expect(lock.locked()).to.equal(true);
      expect(cond.tryAcquire(), 'a Lock is not re-entrant').to.equal(false);
      cond.release();
      expect(lock.locked()).to.equal(false);
      expect(await cond.runExclusive(() => lock.locked())).to.equal(true);
      expect(lock.locked()).to.equal(false);

      expect(await cond.acquire()).to.equal(true);
      const waiting = cond.wait();
      expect(lock.locked(), 'let go while it waits').to.equal(false);
      expect(await lock.acquire(), 'another party takes it').to.equal(true);
      cond.notify(); // a Lock has no owner: whoever holds it may notify
      lock.release();
      expect(await waiting).to.equal(true);
      expect(lock.locked(), 'taken back').to.equal(true);
      cond.release();
      expect(lock.locked()).to.equal(false);
    });

    it("with the default RLock: it is re-entrant in a task; after wait the waiter's task holds it again", async () => {
      const cond = new Condition();
      expect(
        await settles(
          cond.runExclusive(() => cond.runExclusive(() => 'again')),
          2000,
        ),
      ).to.equal('again');
      const waiter = cond.runExclusive(async () => {
        const notified = await cond.wait();
        cond.notify(); // owned by this task again: no NotHeldError
        expect(cond.tryAcquire(), 'its task holds it: re-entrant').to.equal(true);
        cond.release();
        return notified;
      });
      await until(() => cond.tryAcquire(), 2000); // let go while it waits: taken outside any task
      cond.notify();
      cond.release();
      expect(await settles(waiter, 2000)).to.equal(true);
      expect(cond.tryAcquire(), 'free once its task ends').to.equal(true);
      cond.release();
    });

    it('an RLock held twice by its task: wait() lets go of both levels and takes both back', async () => {
      const rlock = new RLock();
      const cond = new Condition(rlock);
      const waiter = rlock.runExclusive(async () => {
        expect(await rlock.acquire()).to.equal(true); // the second level
        const notified = await cond.wait();
        rlock.release();
        expect(rlock.locked(), 'one level left after one release').to.equal(true);
        return notified;
      });
      await until(() => !rlock.locked(), 2000); // seen from outside any task: free while it waits
      const seen = await settles(
        rlock.runExclusive(() => {
          cond.notify();
          return 'another task took it';
        }),
        2000,
      );
      expect(seen).to.equal('another task took it');
      expect(await settles(waiter, 2000)).to.equal(true);
      expect(rlock.locked(), 'the second release (the end of runExclusive) freed it').to.equal(false);
      expect(() => rlock.release()).to.throw(NotHeldError);
    });
  });

  describe('an aborted signal', () => {
    it('rejects wait with the reason, once the lock is back; an already-aborted one at once, keeping the lock', async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      await cond.acquire();
      const before = new AbortController();
      before.abort(new RangeError('before'));
      expect((await expectRejection(cond.wait({ signal: before.signal }), RangeError)).message).to.equal('before');
      expect(lock.locked(), 'kept').to.equal(true);

      const controller = new AbortController();
      const waiting = cond.wait({ signal: controller.signal });
      expect(lock.tryAcquire(), 'someone else takes it meanwhile').to.equal(true);
      controller.abort(new Error('stop'));
      expect(await settledWithin(waiting, 20), 'not before the lock is back').to.equal(false);
      lock.release();
      expect((await expectRejection(waiting, Error)).message).to.equal('stop');
      expect(lock.locked(), 'held again').to.equal(true);
      cond.release();
      // Neither aborted wait is left in line to take the next notification.
      const { results } = await waiters(cond, 1);
      await cond.runExclusive(() => cond.notify(1));
      expect(await settles(results, 2000)).to.deep.equal([true]);
    });

    it('aborted right after notify(1) reached it: the notification came first, so it resolves true, and the next waiter waits on', async () => {
      const cond = new Condition();
      const controller = new AbortController();
      const first = cond.runExclusive(() => cond.wait({ signal: controller.signal }));
      const second = await waiters(cond, 1);
      await cond.runExclusive(() => {
        cond.notify(1);
        controller.abort(new Error('stop'));
      });
      expect(await settles(first, 2000)).to.equal(true);
      expect(second.woken, 'the notification was not passed on').to.deep.equal([]);
      await cond.runExclusive(() => cond.notify(1));
      expect(await settles(second.results, 2000)).to.deep.equal([true]);
    });

    it('aborted just before notify(1) in the same turn: it rejects, and the notification it was given goes to the next waiter', async () => {
      const cond = new Condition();
      const controller = new AbortController();
      const first = cond.runExclusive(() => cond.wait({ signal: controller.signal }));
      const second = await waiters(cond, 1);
      await cond.runExclusive(() => {
        controller.abort(new Error('stop'));
        cond.notify(1);
      });
      expect((await expectRejection(first, Error)).message).to.equal('stop');
      expect(await settles(second.results, 2000)).to.deep.equal([true]);
    });
  });

  describe('in virtual time', () => {
    /** What `wait({ timeout: 5 })` resolves when another party notifies at `notifyAt`, and whether the lock is held after. */
    async function waitOutcome(notifyAt: number): Promise<{ notified: boolean; held: boolean; notifierTookIt: boolean }> {
      const scheduler = testScheduler();
      const lock = new Lock();
      let result: Promise<boolean> | undefined;
      let notifierTookIt = false;
      scheduler.run(() => {
        const cond = new Condition(lock, { scheduler });
        cond.tryAcquire();
        result = cond.wait({ timeout: 5 });
        timer(notifyAt).subscribe(() => {
          notifierTookIt = cond.tryAcquire();
          cond.notify();
          cond.release();
        });
      });
      const notified = (await settles(result as Promise<boolean>, 2000)) as boolean;
      return { notified, held: lock.locked(), notifierTookIt };
    }

    it('wait({ timeout: 5 }): a notify at frame 4 resolves true, with the lock held again', async () => {
      expect(await waitOutcome(4)).to.deep.equal({ notified: true, held: true, notifierTookIt: true });
    });

    it('wait({ timeout: 5 }): the deadline passes first, so a notify at frame 6 finds it gone: false, with the lock held again', async () => {
      expect(await waitOutcome(6)).to.deep.equal({ notified: false, held: true, notifierTookIt: true });
    });

    /** What `waitFor(() => state, { timeout: 10 })` resolves, and at which frame, with notifies at `notifyAt` (the predicate turns true at `trueAt`). */
    async function waitForOutcome(notifyAt: number[], trueAt?: number): Promise<{ value: boolean; frame: number | undefined }> {
      const scheduler = testScheduler();
      const cond = new Condition(new Lock(), { scheduler });
      let state = false;
      let frame: number | undefined;
      cond.tryAcquire();
      const result = cond.waitFor(() => state, { timeout: 10 });
      void result.then(() => (frame = scheduler.now()));
      for (const at of notifyAt) {
        scheduler.schedule(() => {
          cond.tryAcquire();
          if (at === trueAt) state = true;
          cond.notify();
          cond.release();
        }, at);
      }
      await stepThrough(scheduler, 20);
      return { value: await settles(result, 2000), frame };
    }

    it('waitFor(pred, { timeout: 10 }): the predicate turned true and notified at frame 7 resolves true at frame 7', async () => {
      expect(await waitForOutcome([7], 7)).to.deep.equal({ value: true, frame: 7 });
    });

    it('waitFor(pred, { timeout: 10 }): never true, notified at frames 2, 4 and 6, resolves false at frame 10 (the deadline is not restarted at each wake-up)', async () => {
      expect(await waitForOutcome([2, 4, 6])).to.deep.equal({ value: false, frame: 10 });
    });
  });
});
