/** Event in one thread, with the cases of CPython's _TestEvent that apply, and its waits in virtual time. */
import { expect } from 'chai';
import { timer } from 'rxjs';
import { Event } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import { testScheduler } from '../support/marbles.js';

describe('Event', () => {
  it('is clear at first; set, isSet, clear (test_event)', async () => {
    const ev = new Event();
    expect(ev.isSet()).to.equal(false);
    expect(await ev.wait({ timeout: 0 })).to.equal(false);
    ev.set();
    expect(ev.isSet()).to.equal(true);
    expect(await ev.wait()).to.equal(true);
    expect(await ev.wait({ timeout: 0 })).to.equal(true);
    ev.clear();
    expect(ev.isSet()).to.equal(false);
  });

  it('set() wakes every waiter', async () => {
    const ev = new Event();
    const waits = [ev.wait(), ev.wait(), ev.wait({ timeout: 10_000 })];
    ev.set();
    expect(await Promise.all(waits)).to.deep.equal([true, true, true]);
  });

  it('an aborted wait rejects with the reason; bad options reject', async () => {
    const ev = new Event();
    const controller = new AbortController();
    const waiting = ev.wait({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expectRejection(waiting, Error);
    await expectRejection(ev.wait({ timeout: -1 }), RangeError);
    await expectRejection(ev.wait({ block: false } as never), TypeError);
    expect(() => new Event({ schedular: 1 } as never)).to.throw(TypeError);
  });

  describe('in virtual time', () => {
    it('wait$ emits and completes in the frame it is set', () => {
      testScheduler().run(({ expectObservable, cold }) => {
        const ev = new Event();
        cold('---a').subscribe(() => ev.set());
        expectObservable(ev.wait$()).toBe('---(a|)', { a: undefined });
      });
    });

    it('wait({ timeout: 5 }) resolves false at its deadline, true if set before', async () => {
      const outcome = async (setAt: number): Promise<boolean> => {
        let result: Promise<boolean> | undefined;
        testScheduler().run(() => {
          const ev = new Event();
          result = ev.wait({ timeout: 5 });
          timer(setAt).subscribe(() => ev.set());
        });
        return (await result) as boolean;
      };
      expect(await outcome(4)).to.equal(true);
      expect(await outcome(6)).to.equal(false);
    });
  });
});
