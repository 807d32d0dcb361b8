import { expect } from 'chai';
import { runSample } from '../support/run-sample.js';

describe('samples/poison-jobs', function () {
  this.timeout(120_000);

  it('sets aside a job that kills its workers and one that throws, after 3 attempts each; every other job is done', async () => {
    const run = await runSample('poison-jobs', ['40'], 100_000);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('set aside: job 7 after 3 attempts: the consumer of this item went away before finishing it');
    expect(run.stdout).to.contain('set aside: job 11 after 3 attempts: job 11 is broken');
    expect(run.stdout).to.match(/join\(\) resolved: 38\/38 other jobs done, 5 workers started/);
    // Each dead worker was replaced within the grace period: no "last consumer is gone" warning.
    expect(run.stderr).to.not.contain('RXMP_NO_CONSUMER');
  });
});
