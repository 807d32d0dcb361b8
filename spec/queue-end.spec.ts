/** end() reaches every handle, including those in other processes that never used the queue yet. */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Queue } from '../src/index.js';
import { settles } from './support/async.js';
import { startChild } from './support/children.js';

for (const kind of ['fork', 'thread'] as const) {
  describe(`end() and a ${kind} child’s handle`, function () {
    this.timeout(30_000);

    it('after the owner’s end(), the first put from a child handle that had not put before rejects ClosedError promptly', async () => {
      const q = new Queue<number>({ maxsize: 4 });
      const go = new Queue<number>();
      const child = startChild('put-after-go', { args: [q, go], kind });
      const outcome = firstValueFrom(child.output$);
      await q.end();
      await go.put(1);
      expect(await settles(outcome, 10_000)).to.equal('ClosedError');
      expect(await child.join()).to.equal(0);
      expect(await q.qsize()).to.equal(0);
    });
  });
}
