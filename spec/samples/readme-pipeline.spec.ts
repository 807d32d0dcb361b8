import { expect } from 'chai';
import { runSample } from '../support/run-sample.js';

describe('samples/readme-pipeline', () => {
  it('runs the README’s pipeline: every square, once', async () => {
    const run = await runSample('readme-pipeline');
    expect(run.code).to.equal(0);
    expect(run.stdout.trim()).to.equal('100 squares, sum 328350');
  });
});
