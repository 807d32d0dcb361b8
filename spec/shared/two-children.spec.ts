import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { SharedArray } from '../../src/index.js';
import { startChild } from '../support/children.js';

describe('two children on one SharedArray', function () {
  this.timeout(120_000);

  for (const kind of ['fork', 'thread'] as const) {
    it(`${kind}: Atomics.add from two children and the parent loses no update`, async () => {
      const a = new SharedArray('i', 4);
      const times = 100_000;
      const children = [0, 1].map(() => startChild('shared-ops', { args: ['atomicAdd', a, 2, times], kind }));
      for (let i = 0; i < times; i++) Atomics.add(a, 2, 1);
      await Promise.all(children.map((c) => lastValueFrom(c.output$, { defaultValue: undefined })));
      expect(a[2]).to.equal(3 * times);
    });

    it(`${kind}: read-modify-writes under getLock() from two children are exact`, async () => {
      const a = new SharedArray('i', 3);
      const times = 10_000;
      const children = [0, 1].map(() => startChild('shared-ops', { args: ['lockedArrayIncrement', a, times], kind }));
      await Promise.all(children.map((c) => lastValueFrom(c.output$, { defaultValue: undefined })));
      expect(Array.from(a)).to.deep.equal([2 * times, 2 * times, 2 * times]);
      expect(a.getLock().locked()).to.equal(false);
    });
  }
});
