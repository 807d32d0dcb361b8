/** RLock in one thread: re-entrance by task, owner checks, the ports of CPython's _TestLock.test_rlock; timeouts in virtual time. */
import { expect } from 'chai';
import { timer } from 'rxjs';
import { NotHeldError, RLock } from '../../src/index.js';
import { expectRejection, sleep } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

describe('RLock', () => {
  it('test_rlock: its task takes it three times and releases it three times; a fourth release is NotHeldError', async () => {
    const lock = new RLock();
    await lock.runExclusive(async () => {
      expect(await lock.acquire()).to.equal(true);
      expect(lock.tryAcquire()).to.equal(true);
      expect(await lock.acquire({ block: false })).to.equal(true);
      lock.release();
      lock.release();
      lock.release();
      expect(lock.locked(), 'still the outer hold').to.equal(true);
    });
    expect(lock.locked()).to.equal(false);
    expect(() => lock.release()).to.throw(NotHeldError);
  });

  it('nested runExclusive in one task is re-entrant, also after awaits and in what the task starts', async () => {
    const lock = new RLock();
    const result = await lock.runExclusive(async () => {
      await sleep(1);
      const inner = await lock.runExclusive(async () => {
        await Promise.resolve();
        return Promise.all([lock.runExclusive(() => 'a'), lock.runExclusive(() => 'b')]);
      });
      return inner.join('');
    });
    expect(result).to.equal('ab');
    expect(lock.locked()).to.equal(false);
  });

  it('two unrelated async tasks in one thread exclude each other', async () => {
    const lock = new RLock();
    let inside = 0;
    let worst = 0;
    const task = () =>
      lock.runExclusive(async () => {
        worst = Math.max(worst, ++inside);
        await sleep(2);
        await lock.runExclusive(() => sleep(1)); // its own re-entry still works
        inside--;
      });
    await Promise.all([task(), task(), task()]);
    expect(worst).to.equal(1);
  });

  it('plain acquire() outside any task is its own owner: a second one waits, and code outside a task releases it', async () => {
    const lock = new RLock();
    expect(await lock.acquire()).to.equal(true);
    expect(await lock.acquire({ timeout: 0 }), 'another owner').to.equal(false);
    expect(lock.tryAcquire()).to.equal(false);
    lock.release();
    expect(lock.locked()).to.equal(false);
  });

  it('a task that does not hold it cannot release it: NotHeldError, and the holder keeps it', async () => {
    const lock = new RLock();
    let release!: () => void;
    const holding = lock.runExclusive(() => new Promise<void>((r) => (release = r)));
    await sleep(1);
    expect(() => lock.release(), 'outside any task').to.throw(NotHeldError);
    const other = new RLock();
    await other.runExclusive(() => expect(() => lock.release(), "another RLock's task").to.throw(NotHeldError));
    expect(lock.locked()).to.equal(true);
    release();
    await holding;
    expect(lock.locked()).to.equal(false);
  });

  it('waiters are served in arrival order; an aborted one is withdrawn', async () => {
    const lock = new RLock();
    expect(await lock.acquire()).to.equal(true);
    const order: number[] = [];
    const controller = new AbortController();
    const aborted = lock.acquire({ signal: controller.signal });
    const waiters = [1, 2, 3].map((n) => lock.runExclusive(() => order.push(n)));
    controller.abort(new Error('stop'));
    await expectRejection(aborted, Error);
    lock.release();
    await Promise.all(waiters);
    expect(order).to.deep.equal([1, 2, 3]);
    expect(lock.locked()).to.equal(false);
  });

  it('bad options reject at once, also for a re-entrant acquire', async () => {
    const lock = new RLock();
    await expectRejection(lock.acquire({ timeout: -1 }), RangeError);
    await lock.runExclusive(async () => {
      await expectRejection(lock.acquire({ timout: 1 } as never), TypeError);
    });
    expect(() => new RLock({ scheduler: 5 } as never)).to.throw(TypeError);
    expect(lock.locked()).to.equal(false);
  });

  describe('in virtual time', () => {
    it('a timed acquire by another task resolves false at its deadline, true if released before', async () => {
      const results: Promise<boolean>[] = [];
      testScheduler().run(() => {
        for (const releaseAt of [4, 6]) {
          const lock = new RLock();
          lock.tryAcquire();
          results.push(lock.acquire({ timeout: 5 }));
          timer(releaseAt).subscribe(() => lock.release());
        }
      });
      expect(await Promise.all(results)).to.deep.equal([true, false]);
    });
  });
});
