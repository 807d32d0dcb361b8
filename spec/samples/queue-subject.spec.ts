import { expect } from 'chai';
import { runSample } from '../support/run-sample.js';

describe('samples/queue-subject', () => {
  it('subscribes a million values into a bounded queue and reads them back through RxJS, errors included', async () => {
    const run = await runSample('queue-subject');
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    const total = (1_000_000 * 999_999) / 2 - (0 + 1 + 2);
    expect(run.stdout.split('\n')).to.deep.equal([
      'qsize 100',
      'first [ 0, 1, 2 ]',
      `total ${total}`,
      'ticks [ 0, 10, 20 ]',
      'got a',
      'then RangeError upstream failed',
      'doubled [ 2, 4, 6 ]',
      '',
    ]);
  });
});
