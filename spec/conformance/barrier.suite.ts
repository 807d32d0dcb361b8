/**
 * The Barrier conformance suite: written once, run with the other side in
 * this thread, in a worker thread and in a forked child.
 */
import { expect } from 'chai';
import { Barrier, BrokenBarrierError } from '../../src/index.js';
import { settles } from '../support/async.js';
import { ask, inLine, type SharedPeer } from '../support/shared-peers.js';

export function barrierConformance(peer: SharedPeer): void {
  describe(`Barrier conformance: ${peer.label}`, () => {
    it('a party there and a party here pass together, with the indices 0 and 1, generation after generation', async () => {
      const barrier = new Barrier(2);
      for (let round = 0; round < 2; round++) {
        const { said } = await inLine(peer, 'barrierWaitReport', barrier);
        const mine = await settles(barrier.wait(), 20_000);
        expect([mine, ...(await settles(said, 20_000))]).to.deep.equal([1, 0]);
      }
    });

    it('parties, nWaiting and broken read the same there', async () => {
      const barrier = new Barrier(3);
      const waiting = barrier.wait().catch((e) => e);
      expect(await ask(peer, 'barrierInfo', barrier)).to.deep.equal({ parties: 3, nWaiting: 1, broken: false });
      barrier.abort();
      expect(await waiting).to.be.instanceOf(BrokenBarrierError);
      expect(await ask(peer, 'barrierInfo', barrier)).to.deep.equal({ parties: 3, nWaiting: 0, broken: true });
    });

    it('abort() there breaks a wait here; a wait there on a broken barrier is BrokenBarrierError', async () => {
      const barrier = new Barrier(2);
      const mine = barrier.wait().catch((e) => e);
      await ask(peer, 'barrierAbort', barrier);
      expect(await settles(mine, 20_000)).to.be.instanceOf(BrokenBarrierError);
      const { said } = await inLine(peer, 'barrierWaitReport', barrier);
      expect(await settles(said, 20_000)).to.deep.equal(['BrokenBarrierError']);
    });

    it('a wait there that times out breaks the barrier for the wait here', async () => {
      const barrier = new Barrier(3);
      const mine = barrier.wait().catch((e) => e);
      const { said } = await inLine(peer, 'barrierWaitReport', barrier, 30);
      expect(await settles(said, 20_000)).to.deep.equal(['BrokenBarrierError']);
      expect(await settles(mine, 20_000)).to.be.instanceOf(BrokenBarrierError);
    });

    it('the action runs here, where the barrier was made, when the last party arrives there, before either passes', async () => {
      const log: string[] = [];
      const barrier = new Barrier(2, { action: () => log.push('action') });
      const mine = barrier.wait().then((index) => log.push(`here ${index}`));
      const { said } = await inLine(peer, 'barrierWaitReport', barrier);
      await settles(mine, 20_000);
      expect(await settles(said, 20_000)).to.deep.equal([1]);
      expect(log).to.deep.equal(['action', 'here 0']);
    });
  });
}
