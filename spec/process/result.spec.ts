import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { Queue, SerializationError } from '../../src/index.js';
import { LazyResult } from '../../src/process/result.js';
import { expectRejection, sleep } from '../support/async.js';
import { startChild } from '../support/children.js';

describe('Process result', function () {
  this.timeout(30_000);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('resolves with what the target returned (awaited, copied), once the child exited', async () => {
        const p = startChild('returns', { args: [2, 3], kind });
        expect(await p.result).to.deep.equal({ sum: 5, at: new Date(0) });
        expect(p.exitCode).to.equal(0);
      });

      it('a returned handle comes back as the owner’s own object', async () => {
        const q = new Queue<number>();
        const p = startChild('returns', { export: 'handBack', args: [q], kind });
        expect(await p.result).to.equal(q);
      });

      it('resolves undefined for an Observable target, whose values are output$', async () => {
        const p = startChild('returns', { export: 'streams', args: [7], kind });
        expect(await lastValueFrom(p.output$.pipe(toArray()))).to.deep.equal([7, 8]);
        expect(await p.result).to.equal(undefined);
      });

      it('rejects SerializationError for a return value that cannot be copied back, the child still exiting 0', async () => {
        const p = startChild('returns', { export: 'uncopyable', kind });
        await expectRejection(p.result, SerializationError);
        expect(await p.join()).to.equal(0);
      });
    });
  }
});

describe('LazyResult', () => {
  it('a rejection nobody asked for is never an unhandled rejection; asked for later, it still rejects', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const result = new LazyResult<number>();
      const error = new Error('failed');
      result.settle({ error });
      await sleep(20);
      expect(unhandled).to.deep.equal([]);
      let caught: unknown;
      await result.get().catch((e: unknown) => (caught = e));
      expect(caught).to.equal(error);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('settles once: the first outcome wins, before or after it was asked for', async () => {
    const early = new LazyResult<number>();
    early.settle({ value: 1 });
    early.settle({ value: 2 });
    expect(await early.get()).to.equal(1);
    const late = new LazyResult<number>();
    const asked = late.get();
    late.settle({ value: 3 });
    late.settle({ error: new Error('no') });
    expect(await asked).to.equal(3);
  });
});
