/** The Event conformance suite: written once, run with the other side in this thread, in a worker thread and in a forked process. */
import { expect } from 'chai';
import { Event } from '../../src/index.js';
import { settledWithin } from '../support/async.js';
import { ask, type SharedPeer } from '../support/shared-peers.js';

export function eventConformance(peer: SharedPeer): void {
  describe(`Event conformance: ${peer.label}`, () => {
    it('set and clear on one side are seen on the other', async () => {
      const ev = new Event();
      expect(await ask(peer, 'eventIsSet', ev)).to.equal(false);
      await ask(peer, 'eventSet', ev);
      expect(ev.isSet()).to.equal(true);
      expect(await ask(peer, 'eventIsSet', ev)).to.equal(true);
      await ask(peer, 'eventClear', ev);
      expect(ev.isSet()).to.equal(false);
    });

    it('a waiter here wakes when the other side sets it', async () => {
      const ev = new Event();
      const waiting = ev.wait();
      expect(await settledWithin(waiting, 30)).to.equal(false);
      await ask(peer, 'eventSet', ev);
      expect(await waiting).to.equal(true);
    });

    it('a waiter there wakes when this side sets it, even if it is cleared right after', async () => {
      const ev = new Event();
      const seen: unknown[] = [];
      const done = new Promise<void>((resolve, reject) =>
        peer.observe('eventWaitReport', ev).subscribe({ next: (v) => seen.push(v), error: reject, complete: resolve }),
      );
      // It says 'waiting' just before it starts to wait, in the same turn.
      while (!seen.includes('waiting')) await new Promise((r) => setTimeout(r, 5));
      ev.set();
      ev.clear();
      await done;
      expect(seen).to.deep.equal(['waiting', true]);
    });

    it('wait({ timeout }) there resolves false when nobody sets it, true at once when it is set', async () => {
      const ev = new Event();
      expect(await ask(peer, 'eventWait', ev, 30)).to.equal(false);
      ev.set();
      expect(await ask(peer, 'eventWait', ev, 30)).to.equal(true);
    });
  });
}
