/** Barrier in one thread, with async tasks as parties: CPython's _TestBarrier cases that apply; timeouts in virtual time. */
import { expect } from 'chai';
import { lastValueFrom, timer } from 'rxjs';
import { Barrier, BrokenBarrierError } from '../../src/index.js';
import { expectRejection, sleep } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

const N = 5;

describe('Barrier', () => {
  it('test_barrier: N waits all resolve, with the indices 0 … N-1, generation after generation', async () => {
    const barrier = new Barrier(N);
    for (let round = 0; round < 3; round++) {
      const early = Array.from({ length: N - 1 }, () => barrier.wait());
      await sleep(1);
      expect(barrier.nWaiting).to.equal(N - 1);
      const indices = await Promise.all([...early, barrier.wait()]);
      expect([...indices].sort()).to.deep.equal([0, 1, 2, 3, 4]);
      expect(barrier.nWaiting).to.equal(0);
    }
    expect(barrier.broken).to.equal(false);
  });

  it('test_single_thread: Barrier(1).wait() resolves 0 at once; parties is kept', async () => {
    const barrier = new Barrier(1);
    expect(await barrier.wait()).to.equal(0);
    expect(await barrier.wait()).to.equal(0);
    expect(barrier.parties).to.equal(1);
  });

  it('test_action: the action runs once per generation, before any wait resolves', async () => {
    const log: string[] = [];
    const barrier = new Barrier(3, { action: () => log.push('action') });
    const waits = [1, 2, 3].map((n) => barrier.wait().then(() => log.push(`pass ${n}`)));
    await Promise.all(waits);
    expect(log[0]).to.equal('action');
    expect(log.filter((e) => e === 'action')).to.have.length(1);
    await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
    expect(log.filter((e) => e === 'action')).to.have.length(2);
  });

  it('test_action: an action that throws breaks the barrier; its error reaches the last waiter, BrokenBarrierError the others', async () => {
    const barrier = new Barrier(2, {
      action: () => {
        throw new TypeError('bad action');
      },
    });
    const first = barrier.wait();
    const last = barrier.wait();
    await expectRejection(first, BrokenBarrierError);
    expect((await expectRejection(last, TypeError)).message).to.equal('bad action');
    expect(barrier.broken).to.equal(true);
    await expectRejection(barrier.wait(), BrokenBarrierError);
  });

  it('test_abort: abort() breaks every wait, and new waits reject at once until reset()', async () => {
    const barrier = new Barrier(3);
    const waits = [barrier.wait(), barrier.wait()];
    barrier.abort();
    for (const w of waits) await expectRejection(w, BrokenBarrierError);
    expect(barrier.broken).to.equal(true);
    expect(barrier.nWaiting).to.equal(0);
    await expectRejection(barrier.wait(), BrokenBarrierError);
    barrier.reset();
    expect(barrier.broken).to.equal(false);
    expect(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).to.have.length(3);
  });

  it('test_reset: reset() rejects the waits of the current generation; the barrier is usable at once', async () => {
    const barrier = new Barrier(3);
    const waits = [barrier.wait(), barrier.wait()];
    barrier.reset();
    for (const w of waits) await expectRejection(w, BrokenBarrierError);
    expect(barrier.broken).to.equal(false);
    expect((await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).sort()).to.deep.equal([0, 1, 2]);
  });

  it('an aborted signal breaks the barrier and rejects with its reason; an already-aborted one arrives not at all', async () => {
    const barrier = new Barrier(3);
    const before = new AbortController();
    before.abort(new Error('before'));
    await expectRejection(barrier.wait({ signal: before.signal }), Error);
    expect(barrier.nWaiting).to.equal(0);
    const other = barrier.wait();
    const controller = new AbortController();
    const mine = barrier.wait({ signal: controller.signal });
    controller.abort(new Error('stop'));
    expect((await expectRejection(mine, Error)).message).to.equal('stop');
    await expectRejection(other, BrokenBarrierError);
    expect(barrier.broken).to.equal(true);
  });

  it('wait$() emits the index and completes; unsubscribing before breaks the barrier', async () => {
    const barrier = new Barrier(2);
    const both = Promise.all([lastValueFrom(barrier.wait$()), lastValueFrom(barrier.wait$())]);
    expect((await both).sort()).to.deep.equal([0, 1]);
    const three = new Barrier(3);
    const other = three.wait();
    three.wait$().subscribe().unsubscribe();
    await expectRejection(other, BrokenBarrierError);
    expect(three.broken).to.equal(true);
  });

  it('misuse is a typed error at once: Barrier(0), Barrier(1.5), a bad action or timeout, bad wait options', async () => {
    expect(() => new Barrier(0)).to.throw(RangeError);
    expect(() => new Barrier(1.5)).to.throw(RangeError);
    expect(() => new Barrier('2' as never)).to.throw(TypeError);
    expect(() => new Barrier(2, { action: 5 as never })).to.throw(TypeError);
    expect(() => new Barrier(2, { timeout: -1 })).to.throw(RangeError);
    expect(() => new Barrier(2, { partys: 2 } as never)).to.throw(TypeError);
    const barrier = new Barrier(2);
    await expectRejection(barrier.wait({ timeout: Number.NaN }), RangeError);
    await expectRejection(barrier.wait({ tmeout: 1 } as never), TypeError);
    expect(barrier.nWaiting, 'a refused wait does not arrive').to.equal(0);
  });

  describe('in virtual time', () => {
    it('test_timeout: a wait whose timeout passes first breaks the barrier, at its deadline', async () => {
      const outcomes: Promise<unknown>[] = [];
      const at: Record<string, number> = {};
      testScheduler().run(({ flush }) => {
        const barrier = new Barrier(3);
        outcomes.push(barrier.wait({ timeout: 5 }).catch((e) => e));
        outcomes.push(barrier.wait().catch((e) => e));
        timer(5).subscribe(() => (at.broken = barrier.broken ? 5 : -1));
        timer(4).subscribe(() => (at.before = barrier.broken ? -1 : 4));
        flush();
      });
      const [timedOut, other] = await Promise.all(outcomes);
      expect(timedOut).to.be.instanceOf(BrokenBarrierError);
      expect(other).to.be.instanceOf(BrokenBarrierError);
      expect(at).to.deep.equal({ before: 4, broken: 5 });
    });

    it('test_default_timeout: the barrier timeout applies to waits without one; parties arriving in time pass', async () => {
      const results: Promise<unknown>[] = [];
      testScheduler().run(() => {
        const late = new Barrier(2, { timeout: 10 });
        results.push(late.wait().catch((e) => e));
        timer(11).subscribe(() => results.push(late.wait().catch((e) => e)));
        const soon = new Barrier(2, { timeout: 10 });
        results.push(soon.wait());
        timer(9).subscribe(() => results.push(soon.wait()));
      });
      const [lateFirst, soonFirst, soonSecond, lateSecond] = await Promise.all(results);
      expect(lateFirst).to.be.instanceOf(BrokenBarrierError);
      expect(lateSecond, 'the barrier was broken by then').to.be.instanceOf(BrokenBarrierError);
      expect([soonFirst, soonSecond]).to.deep.equal([0, 1]);
    });
  });
});
