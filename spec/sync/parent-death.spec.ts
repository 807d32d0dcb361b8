import { expect } from 'chai';
import { Queue } from '../../src/index.js';
import { settles, sleep } from '../support/async.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';
import { rxmpWarnings } from '../support/warnings.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a parent that dies holding a lock', function () {
  this.timeout(60_000);

  itKills('fork: its child sees the link to it go, and gets the lock, told it was abandoned', async () => {
    const reports = new Queue<Record<string, unknown>>();
    const warnings = rxmpWarnings();
    try {
      const parent = startChild('parent-death', { args: [reports], kind: 'fork' });
      const { pid } = (await settles(reports.get(), 20_000)) as { pid: number };
      parent.kill();
      await parent.join();
      expect(await settles(reports.get(), 20_000)).to.deep.equal({ took: true, abandoned: true });
      // The orphan ends by itself once its target is done.
      for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
      expect(alive(pid), 'the grandchild exited').to.equal(false);
    } finally {
      warnings.stop();
      reports.close();
    }
  });
});
