import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Barrier, BrokenBarrierError } from '../../src/index.js';
import { expectRejection, settles } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';

describe('Barrier: a party that dies inside it', function () {
  this.timeout(60_000);

  for (const kind of ['fork', 'thread'] as const) {
    itKills(`${kind}: a party SIGKILLed while waiting breaks the barrier; the wait here rejects with BrokenBarrierError`, async () => {
      const barrier = new Barrier(3);
      const party = startChild('shared-ops', { args: ['barrierKeep', barrier], kind });
      expect(await firstValueFrom(party.output$)).to.equal('waiting');
      const mine = barrier.wait();
      party.kill();
      await settles(expectRejection(mine, BrokenBarrierError), 20_000);
      expect(barrier.broken).to.equal(true);
      await party.join();
      barrier.reset();
      expect(await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).to.have.length(3);
    });
  }
});
