import { expect } from 'chai';
import { lastValueFrom, take, toArray } from 'rxjs';
import { Queue } from '../../src/index.js';
import { startChild } from '../support/children.js';

describe('Process output$ unsubscribe', function () {
  this.timeout(30_000);

  for (const kind of ['fork', 'thread'] as const) {
    it(`unsubscribing before the end tells a ${kind} child to stop: its Observable is unsubscribed (finalize runs) and it exits 0`, async () => {
      const reports = new Queue<string>();
      const p = startChild('left-writing', { export: 'endless', args: [reports], kind });
      expect(await lastValueFrom(p.output$.pipe(take(3), toArray()))).to.deep.equal([0, 1, 2]);
      expect(await reports.get({ timeout: 20_000 })).to.equal('finalized');
      expect(await p.join(20_000)).to.equal(0);
    });
  }

  it('a child stays on while another subscriber still listens', async () => {
    const reports = new Queue<string>();
    const p = startChild('left-writing', { export: 'endless', args: [reports] });
    const all: unknown[] = [];
    const long = p.output$.subscribe((v) => all.push(v));
    await lastValueFrom(p.output$.pipe(take(2)));
    const more = all.length;
    await lastValueFrom(p.output$.pipe(take(2)));
    expect(all.length).to.be.greaterThan(more);
    expect(await reports.qsize()).to.equal(0);
    long.unsubscribe();
    expect(await reports.get({ timeout: 20_000 })).to.equal('finalized');
    expect(await p.join(20_000)).to.equal(0);
  });
});
