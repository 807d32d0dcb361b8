/** The multi-process samples, each run as its own program so that it cannot rot. */
import { expect } from 'chai';
import { runSample } from '../support/run-sample.js';

describe('multi-process samples', function () {
  this.timeout(120_000);

  it('worker-pipeline (the demo): counts every prime below 1,000,000 exactly once, with the jobs queue bounded', async () => {
    const run = await runSample('worker-pipeline', ['1000000', '2']);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('done: 200 ranges, 78498 primes');
    expect(run.stdout).to.match(/jobs queue never above (\d+)\/50/);
    expect(Number(/never above (\d+)\/50/.exec(run.stdout)?.[1])).to.be.at.most(50);
    expect(run.stdout).to.contain('π(1,000,000) = 78498 ✓');
  });

  it('pipe-between-children: the sensor’s readings reach the analyst, all of them, in order', async () => {
    const run = await runSample('pipe-between-children', ['2000']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/analyst got 2000 readings from the sensor \(in order\)/);
    expect(run.stdout).to.contain('exit codes 0,0');
  });

  it('dead-worker-recovery: after a SIGKILL mid-job, every job is still done and join() resolves', async () => {
    const run = await runSample('dead-worker-recovery', ['60']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/killed the first worker \(exit code -9\)/);
    expect(run.stdout).to.match(/join\(\) resolved: 60\/60 jobs done/);
  });
});

describe('samples/readme-process', function () {
  this.timeout(60_000);

  it('runs the README’s Process example: the worker answers both jobs and exits 0', async () => {
    const run = await runSample('readme-process');
    expect(run.code).to.equal(0);
    expect(run.stdout.trim()).to.equal('5 10 exit code 0');
  });
});

describe('samples/shared-array', function () {
  this.timeout(60_000);

  it('two forked workers fill one SharedArray in place; the parent sees every element and the locked count', async () => {
    const run = await runSample('shared-array', ['200000']);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('2 forked workers filled 200000 of 200000 elements; 0 wrong; exit codes 0,0');
  });
});

describe('samples/sync', function () {
  this.timeout(60_000);

  it('two forked workers meet this process at a Barrier, add under one Lock, and a Condition says when they are done', async () => {
    const run = await runSample('sync');
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('3 parties met at the barrier; total 2000; exit codes 0,0');
  });
});
