/** SimpleQueue conformance: Python's minimal queue, written once for every transport. */
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { ClosedError, SerializationError, type SimpleQueue } from '../../src/index.js';
import { expectRejection, settledWithin } from '../support/async.js';

export type MakeSimpleQueue = <T>() => Promise<SimpleQueue<T>>;

export function simpleQueueConformance(label: string, makeQueue: MakeSimpleQueue): void {
  describe(`SimpleQueue conformance: ${label}`, () => {
    it('delivers items in put order and reports empty() right after a put', async () => {
      const q = await makeQueue<number>();
      expect(await q.empty()).to.equal(true);
      for (let i = 0; i < 10; i++) await q.put(i);
      expect(await q.empty()).to.equal(false);
      const got: number[] = [];
      for (let i = 0; i < 10; i++) got.push(await q.get());
      expect(got).to.deep.equal([...Array(10).keys()]);
    });

    it('get() waits for an item', async () => {
      const q = await makeQueue<string>();
      const pending = q.get();
      expect(await settledWithin(pending, 30)).to.equal(false);
      await q.put('x');
      expect(await pending).to.equal('x');
    });

    it('takes no timeouts or options: get(opts) and put(item, opts) are TypeErrors', async () => {
      const q = await makeQueue<number>();
      await expectRejection((q.get as (o: unknown) => Promise<number>)({ timeout: 1 }), TypeError);
      await expectRejection((q.put as (v: number, o: unknown) => Promise<void>)(1, { block: false }), TypeError);
      expect(await q.empty()).to.equal(true);
    });

    it('copies at put, and rejects an uncloneable item with SerializationError', async () => {
      const q = await makeQueue<unknown>();
      const original = { a: [1] };
      await q.put(original);
      original.a.push(2);
      expect(await q.get()).to.deep.equal({ a: [1] });
      const error = await expectRejection(q.put({ f() {} }), SerializationError);
      expect(error.path).to.equal('$.f');
      expect(await q.empty()).to.equal(true);
    });

    it('close(): later put, get and empty reject ClosedError; closing twice is harmless', async () => {
      const q = await makeQueue<number>();
      await q.close();
      await q.close();
      await expectRejection(q.put(1), ClosedError);
      await expectRejection(q.get(), ClosedError);
      await expectRejection(q.empty(), ClosedError);
    });

    it('observe() and the async iterator end when the queue ends', async () => {
      const q = await makeQueue<number>();
      const stream = lastValueFrom(q.observe().pipe(toArray()));
      await q.put(1);
      await q.put(2);
      await q.end();
      expect(await stream).to.deep.equal([1, 2]);
      const r = await makeQueue<number>();
      await r.put(3);
      await r.end();
      const seen: number[] = [];
      for await (const v of r) seen.push(v);
      expect(seen).to.deep.equal([3]);
    });
  });
}
