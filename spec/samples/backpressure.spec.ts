import { expect } from 'chai';
import { runSample } from '../support/run-sample.js';

describe('samples/backpressure', () => {
  it('runs a fast producer into a bounded queue and keeps the queue within maxsize', async () => {
    const run = await runSample('backpressure', ['20000']);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/produced 20000, consumed 20000, max qsize (\d+) \(maxsize 100\)/);
    const maxQsize = Number(/max qsize (\d+)/.exec(run.stdout)?.[1]);
    expect(maxQsize).to.be.at.most(100);
  });
});
