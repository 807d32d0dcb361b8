import { expect } from 'chai';
import { Pipe, Queue } from '../../src/index.js';
import { startChild } from '../support/children.js';

describe('Process exit rule', function () {
  this.timeout(30_000);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('a target that returns at once while its subscription still writes to a pipe end delivers everything before the child exits', async () => {
        const [reader, writer] = Pipe<number>(false);
        const p = startChild('left-writing', { args: [writer, 20], kind });
        const got: number[] = [];
        for await (const value of reader) got.push(value);
        expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
        expect(await p.join()).to.equal(0);
      });

      it('so does a target that returns the Subscription it left writing (its result cannot come back; the child still exits 0)', async () => {
        const [reader, writer] = Pipe<number>(false);
        const p = startChild('left-writing', { export: 'returnsSubscription', args: [writer, 20], kind });
        const got: number[] = [];
        for await (const value of reader) got.push(value);
        expect(got).to.have.length(20);
        expect(await p.join()).to.equal(0);
        expect(p.error).to.equal(undefined);
      });

      it('a target that returns at once while an enqueue pipeline it started still puts delivers every item', async () => {
        const q = new Queue<number>();
        const p = startChild('left-writing', { export: 'leftEnqueueing', args: [q, 20], kind });
        expect(await p.join()).to.equal(0);
        expect(await q.qsize()).to.equal(20);
        const got: number[] = [];
        for (let i = 0; i < 20; i++) got.push(await q.get());
        expect(got).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      });

      it('a target with nothing left running still exits by itself', async () => {
        const q = new Queue<number>();
        const p = startChild('produce', { args: [q, 3], kind });
        expect(await p.join(20_000)).to.equal(0);
      });
    });
  }
});
